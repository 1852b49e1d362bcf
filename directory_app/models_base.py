"""Declarative base and the mixins shared by the models.

Geometries are stored as WKB (LargeBinary) with bounding-box columns beside them, so that a
bounding-box prefilter runs in plain SQL on SQLite and PostgreSQL alike and shapely does the
exact test on the few candidates.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import shapely
from sqlalchemy import DateTime, Float, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class GeometryMixin:
    """A WKB geometry in EPSG:4326 with its bounding box in indexed float columns."""

    geom_wkb: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    min_lon: Mapped[float | None] = mapped_column(Float, index=True)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)

    @property
    def geometry(self) -> shapely.Geometry | None:
        return shapely.from_wkb(self.geom_wkb) if self.geom_wkb else None

    def set_geometry(self, geom: shapely.Geometry | None) -> None:
        if geom is None or geom.is_empty:
            self.geom_wkb = None
            self.min_lon = self.min_lat = self.max_lon = self.max_lat = None
            return
        self.geom_wkb = shapely.to_wkb(geom)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = (float(v) for v in geom.bounds)


class UuidMixin:
    """The public, stable identifier (HSDS `id`); the integer primary key stays internal."""

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
