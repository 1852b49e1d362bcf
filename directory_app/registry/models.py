"""A member country's contact person. Only persons who agreed to be listed appear on the public page,
and then only with their name and role; email and phone stay internal."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import TimestampMixin


class ContactPerson(TimestampMixin, db.Model):
    __tablename__ = "contact_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    listed_publicly: Mapped[bool] = mapped_column(Boolean, default=False)

    country = relationship("Country")
