"""Countries, administrative units, consulates and consular districts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import GeometryMixin, TimestampMixin, utcnow


class Country(GeometryMixin, db.Model):
    """One of the 11 member countries of the Regional Conference on Migration."""

    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2
    iso_numeric: Mapped[str] = mapped_column(String(3))
    name_en: Mapped[str] = mapped_column(String(100))
    name_es: Mapped[str] = mapped_column(String(100))
    name_fr: Mapped[str] = mapped_column(String(100))
    display_wkb: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    def name(self, lang: str = "es") -> str:
        return getattr(self, f"name_{lang}", None) or self.name_en


class AdminUnit(GeometryMixin, db.Model):
    """An administrative unit: admin-1 (state, province, department) or a US county (level 2).

    `code` is the ISO 3166-2 code for admin-1 units ("MX-CHP") and "US-" plus the 5-digit FIPS
    code for counties ("US-06037"), for which ISO defines no code. A unit is a *leaf* when it has
    no children: US counties, and admin-1 units elsewhere. Coverage and districts are built from
    leaf units.
    """

    __tablename__ = "admin_unit"
    # A district's units named from the index alone (referrals.district_page.district_units): PostgreSQL read
    # the whole table, wide with its boundaries, for a hash join.
    __table_args__ = (Index("ix_admin_unit_names", "id", "code", "name_local", "name_es", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    source_id: Mapped[str | None] = mapped_column(String(20))
    name_local: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    area_km2: Mapped[float] = mapped_column(Float)
    label_lon: Mapped[float] = mapped_column(Float)
    label_lat: Mapped[float] = mapped_column(Float)
    display_wkb: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    country: Mapped[Country] = relationship()
    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id])

    def name(self, lang: str = "es") -> str:
        return getattr(self, f"name_{lang}", None) or self.name_local


class ConsulateKind(enum.StrEnum):
    CONSULATE_GENERAL = "consulate_general"
    CONSULATE = "consulate"
    CONSULAR_SECTION = "consular_section"
    MOBILE_CONSULATE = "mobile_consulate"
    SERVICE_WINDOW = "service_window"

    @property
    def has_district(self) -> bool:
        """Permanent offices get a district by default; mobile consulates and windows do not."""
        return self in (self.CONSULATE_GENERAL, self.CONSULATE, self.CONSULAR_SECTION)


class ConsulateStatus(enum.StrEnum):
    """Whether the office receives people: only open offices get a default district."""

    OPEN = "open"
    ANNOUNCED = "announced"  # announced by its ministry, no opening found in the sources
    SUSPENDED = "suspended"


consulate_sending_country = Table(
    "consulate_sending_country",
    db.Model.metadata,
    Column("consulate_id", ForeignKey("consulate.id", ondelete="CASCADE"), primary_key=True),
    Column("country_code", ForeignKey("country.code"), primary_key=True),
)


class Consulate(TimestampMixin, db.Model):
    """A consular office of one sending country, or a joint office of several."""

    __tablename__ = "consulate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[ConsulateKind] = mapped_column(
        Enum(ConsulateKind, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])
    )
    host_country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    city: Mapped[str] = mapped_column(String(120))
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    name_es: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ConsulateStatus] = mapped_column(
        Enum(ConsulateStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=ConsulateStatus.OPEN,
        server_default="open",
    )
    # Where the row comes from: a URL or document, and the date that source states (YYYY[-MM[-DD]] or
    # "undated"); how the point was placed (a gazetteer's city centre, or a sourced address).
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    source_date: Mapped[str] = mapped_column(String(10), default="", server_default="")
    position_source: Mapped[str] = mapped_column(String(200), default="", server_default="")

    host_country: Mapped[Country] = relationship(foreign_keys=[host_country_code])
    admin_unit: Mapped[AdminUnit | None] = relationship()
    sending_countries: Mapped[list[Country]] = relationship(secondary=consulate_sending_country, order_by=Country.code)
    districts: Mapped[list[ConsularDistrict]] = relationship(back_populates="consulate")
    # What its district page shows beside the district (geography.consular_services), read with the district
    # in the same query (referrals.district_page.find_district); written through their own classes only.
    # Named, not annotated: geography.network_models imports this module.
    windows = relationship("ConsularWindow", viewonly=True)
    network_memberships = relationship("ConsularNetworkMember", viewonly=True)

    @property
    def is_joint(self) -> bool:
        return len(self.sending_countries) > 1

    @property
    def has_district(self) -> bool:
        """A permanent office that is open gets a default district."""
        return self.kind.has_district and self.status == ConsulateStatus.OPEN

    def name(self, lang: str = "es") -> str:
        """Its name in `lang` (French: from the English one's parts, geography.consulate_names)."""
        from directory_app.geography.consulate_names import consulate_name

        return consulate_name(self.name_es, self.name_en, lang)


class DistrictSource(db.Model):
    """Where an official assignment of units to a consulate comes from: a web page or a document, the
    date it states (None: it states none), whether it is a secondary source (a third party reporting
    the rule), and a note (what the rule could not say in units). Rows of an import that cite the same
    source with the same date, note and flag share one DistrictSource."""

    __tablename__ = "district_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    citation: Mapped[str] = mapped_column(String(500))  # URL or document reference
    title: Mapped[str | None] = mapped_column(String(300))
    source_date: Mapped[date | None] = mapped_column(Date)
    secondary: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(200))  # the file it was first imported from
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)  # from the project's data/districts/
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def label(self) -> str:
        return self.title or self.citation

    @property
    def shown_label(self) -> str:
        """The label in the reader's language: the titles of the sources shipped with the directory are
        translated (geography.source_texts); an imported source's as written."""
        from directory_app.geography.source_texts import shown

        return shown(self.title) if self.shipped and self.title else self.label

    @property
    def shown_note(self) -> str:
        from directory_app.geography.source_texts import shown

        return (shown(self.note) if self.shipped else self.note) or ""

    @property
    def url(self) -> str | None:
        return self.citation if self.citation.startswith(("https://", "http://")) else None


district_unit = Table(
    "district_unit",
    db.Model.metadata,
    Column("district_id", ForeignKey("consular_district.id", ondelete="CASCADE"), primary_key=True),
    Column("admin_unit_id", ForeignKey("admin_unit.id"), primary_key=True, index=True),
    # the official source of this unit's assignment; NULL: the nearest-consulate default
    Column("source_id", ForeignKey("district_source.id"), nullable=True, index=True),
)


class ConsularDistrict(GeometryMixin, TimestampMixin, db.Model):
    """The leaf admin units one consulate is responsible for, for one sending country.

    A joint consulate has one district per sending country. Each unit is assigned either by an
    official source (district_unit.source_id) or by the nearest-consulate default (NULL). The
    counts and the summary below are kept by geography.district_units.set_district_units:
    `provenance` is "official" (every unit official), "approximate" (none) or "mixed";
    `is_approximate` is true when any unit is a default one. `is_complete`: the official units are
    the whole district (the source defines all of it), so the default adds none.
    """

    __tablename__ = "consular_district"
    __table_args__ = (
        UniqueConstraint("consulate_id", "sending_country_code"),
        Index("ix_consular_district_updated_at", "updated_at"),  # the page cache's directory version
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(70), unique=True)
    consulate_id: Mapped[int] = mapped_column(ForeignKey("consulate.id", ondelete="CASCADE"))
    sending_country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    is_approximate: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(300))  # a one-line summary of the sources
    provenance: Mapped[str] = mapped_column(String(12), default="approximate")
    is_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_count: Mapped[int] = mapped_column(Integer, default=0)
    official_units: Mapped[int] = mapped_column(Integer, default=0)
    source_date: Mapped[date | None] = mapped_column(Date)  # the newest date its official sources state
    area_km2: Mapped[float] = mapped_column(Float, default=0.0)
    display_wkb: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    consulate: Mapped[Consulate] = relationship(back_populates="districts")
    sending_country: Mapped[Country] = relationship(foreign_keys=[sending_country_code])
    units: Mapped[list[AdminUnit]] = relationship(secondary=district_unit, order_by=AdminUnit.code)
