"""Extra field definitions and their values per organisation.

Values are stored as text: "yes"/"no" for yes/no fields, ISO dates (YYYY-MM-DD) for dates, the chosen
option for choice fields. A field is retired (active=False) rather than deleted, so no value is lost.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import TimestampMixin


class FieldType(enum.StrEnum):
    TEXT = "text"
    YES_NO = "yesno"
    DATE = "date"
    CHOICE = "choice"


class ExtraField(TimestampMixin, db.Model):
    __tablename__ = "extra_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_es: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200))
    field_type: Mapped[str] = mapped_column(String(10))
    # Choice fields: one option per line.
    choices_text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def choices(self) -> list[str]:
        return [line.strip() for line in (self.choices_text or "").splitlines() if line.strip()]

    def label(self, lang: str) -> str:
        return getattr(self, f"label_{lang}", None) or self.label_en


class ExtraFieldValue(db.Model):
    __tablename__ = "extra_field_value"
    __table_args__ = (UniqueConstraint("organisation_id", "field_id", name="uq_extra_field_value_org_field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("extra_field.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text, default="")

    field = relationship(ExtraField)
