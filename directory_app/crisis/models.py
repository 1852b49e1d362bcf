"""A saved crisis (issue 19): a named affected area with its kind, dates and notes. Its report is not
stored: it is computed again from the stored coverage each time it is read, so that its lists follow
the entries as they change."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import GeometryMixin, TimestampMixin, new_uuid


class CrisisKind(enum.StrEnum):
    HURRICANE = "hurricane"
    EARTHQUAKE = "earthquake"
    FIRE = "fire"
    FLOOD = "flood"
    RAID = "raid"
    OTHER = "other"


class AreaSource(enum.StrEnum):
    """How the area was given."""

    DRAWN = "drawn"
    UPLOAD = "upload"
    UNITS = "units"
    CIRCLE = "circle"


def _str_enum(enum_cls: type[enum.Enum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Crisis(GeometryMixin, TimestampMixin, db.Model):
    """A crisis: `id` is a uuid (the shareable URL's), the area a polygonal lon/lat geometry (WKB with
    its bounding box, GeometryMixin); archived crises keep their rows (archived_at set by the TS)."""

    __tablename__ = "crisis"
    __table_args__ = (Index("ix_crisis_listing", "archived_at", "starts_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CrisisKind] = mapped_column(_str_enum(CrisisKind))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    area_source: Mapped[AreaSource] = mapped_column(_str_enum(AreaSource), default=AreaSource.DRAWN)
    area_description: Mapped[str] = mapped_column(String(300), default="")  # "MX-CHP, MX-OAX", "50 km around ..."
    area_km2: Mapped[float] = mapped_column(Float, default=0.0)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    created_by = relationship("User")

    @property
    def uuid(self) -> str:
        return self.id

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
