"""Organisations and what hangs off them, aligned with Open Referral HSDS 3.0.

HSDS names in brackets: Organisation [organization], Service [service], Location [location],
Contact [contact], Phone [phone], CoveragePart [service_area], ServiceLanguage [language].
Coverage is kept per organisation: each part becomes an HSDS service_area of every service.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import GeometryMixin, TimestampMixin, UuidMixin


def _str_enum(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class TermMixin:
    """A term of a controlled vocabulary: a stable code and labels in three languages."""

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_es: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200))

    def label(self, lang: str = "es") -> str:
        return getattr(self, f"label_{lang}", None) or self.label_en


class ServiceCategory(TermMixin, db.Model):
    """A term of the service vocabulary (an HSDS taxonomy term)."""

    __tablename__ = "service_category"


class Population(TermMixin, db.Model):
    """A population a service is meant for."""

    __tablename__ = "population"


organisation_network = Table(
    "organisation_network",
    db.Model.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("network.id", ondelete="CASCADE"), primary_key=True, index=True),
)

service_population = Table(
    "service_population",
    db.Model.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("population_code", ForeignKey("population.code"), primary_key=True, index=True),
)

service_location = Table(
    "service_location",
    db.Model.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)


class Network(TimestampMixin, db.Model):
    """A network organisations belong to (RNCOM, CAMMINA, a national shelter network...)."""

    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(300))

    members: Mapped[list[Organisation]] = relationship(secondary=organisation_network, back_populates="networks")


class Organisation(UuidMixin, GeometryMixin, TimestampMixin, db.Model):
    """A civil-society organisation.

    Its geometry is the union of its drawn coverage parts (radius and polygon); whole admin
    units and countries are referenced by their parts. The bounding box covers all parts."""

    __tablename__ = "organisation"
    # The directory's default listing: published organisations in name order, read from the index.
    __table_args__ = (
        Index("ix_organisation_listing", "status", "sort_name", "id"),
        Index("ix_organisation_updated_at", "updated_at"),  # the page cache's directory version
        # ... and a district's version: its organisations' last changes read from the index alone
        Index("ix_organisation_changed", "id", "updated_at"),
        # The few that hide their exact location, for a district page (referrals.district_referrals): on
        # PostgreSQL a hash join with the district's coverage instead of a probe per serving organisation.
        Index(
            "ix_organisation_hidden",
            "id",
            "country_code",
            postgresql_where=text("hide_exact_location"),
            sqlite_where=text("hide_exact_location"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    alternate_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40))  # vocabulary.ORGANISATION_KINDS
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[Status] = mapped_column(_str_enum(Status), default=Status.DRAFT, index=True)
    hide_exact_location: Mapped[bool] = mapped_column(Boolean, default=False)
    last_verified: Mapped[date | None] = mapped_column(Date)  # HSDS assured_date
    coverage_area_km2: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Folded text and name for the directory search, written by organisations.searchtext; read by SQL
    # only, so not loaded with the organisation (deferred).
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    sort_name: Mapped[str] = mapped_column(String(300), default="")
    # The language its texts are written in (es, en or fr); other languages are in
    # organisations.translations, and its services' texts share it.
    original_language: Mapped[str] = mapped_column(String(3), default="es", server_default="es")

    __mapper_args__ = {"version_id_col": version}

    country = relationship("Country")
    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Service.id"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Location.id"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Contact.id"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Phone.id"
    )
    coverage_parts: Mapped[list[CoveragePart]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="CoveragePart.id"
    )
    networks: Mapped[list[Network]] = relationship(
        secondary=organisation_network, back_populates="members", order_by=Network.code
    )


class Service(UuidMixin, TimestampMixin, db.Model):
    __tablename__ = "service"
    # A district page reads the active services' categories of every organisation serving the district
    # in this index alone (referrals.district_referrals).
    __table_args__ = (Index("ix_service_sheet", "organisation_id", "is_active", "category_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("service_category.code"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    fees: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    category: Mapped[ServiceCategory] = relationship()
    populations: Mapped[list[Population]] = relationship(secondary=service_population, order_by=Population.code)
    languages: Mapped[list[ServiceLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="ServiceLanguage.code"
    )
    locations: Mapped[list[Location]] = relationship(secondary=service_location)


class ServiceLanguage(db.Model):
    """A language a service is offered in, as an ISO 639 code (639-1 where it exists)."""

    __tablename__ = "service_language"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(3), primary_key=True)


class Location(UuidMixin, TimestampMixin, db.Model):
    """A physical site. `public_lon/lat` is what the public sees: the exact point, or the label
    point of the site's admin unit when the organisation hides its exact location. Grid keys
    and unit-sphere vectors of both points serve nearest-site searches (geo.nearest)."""

    __tablename__ = "location"
    # Covering indexes for nearest-site searches: the box scan reads only the index (and, with the
    # organisation's status, for the published sites in a bbox: organisations.site_boxes).
    __table_args__ = (
        Index(
            "ix_location_nearest", "grid_key", "lat", "lon", "ux", "uy", "uz", "organisation_id", "organisation_status"
        ),
        Index(
            "ix_location_public_nearest",
            "public_grid_key",
            "public_lat",
            "public_lon",
            "public_ux",
            "public_uy",
            "public_uz",
            "organisation_id",
            "organisation_status",
        ),
        # Pages of the published sites in id order (OGC items) walk this index alone, without the join.
        Index("ix_location_status_page", "organisation_status", "id"),
        # A district page reads the sites of every organisation serving the district in this index alone
        # (referrals.district_referrals).
        Index("ix_location_sheet", "organisation_id", "id", "lon", "lat", "public_lon", "public_lat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    # A copy of the organisation's status, written with the site and kept in step when the status
    # changes (organisations.sites: copy_status_to_new_sites, copy_status_changes_to_sites; the demo
    # generator writes it with its rows).
    organisation_status: Mapped[Status] = mapped_column(_str_enum(Status), server_default=Status.DRAFT.value)
    name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    public_lon: Mapped[float] = mapped_column(Float)
    public_lat: Mapped[float] = mapped_column(Float)
    grid_key: Mapped[int] = mapped_column(Integer)
    public_grid_key: Mapped[int] = mapped_column(Integer)
    # Unit-sphere vectors of both points: nearest searches order by chord length in SQL.
    ux: Mapped[float] = mapped_column(Float)
    uy: Mapped[float] = mapped_column(Float)
    uz: Mapped[float] = mapped_column(Float)
    public_ux: Mapped[float] = mapped_column(Float)
    public_uy: Mapped[float] = mapped_column(Float)
    public_uz: Mapped[float] = mapped_column(Float)
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="locations")
    admin_unit = relationship("AdminUnit")


# The sites of published organisations, read on their own rows (ix_location_status_page).
PUBLISHED_SITE = Location.organisation_status == Status.PUBLISHED


class Contact(UuidMixin, db.Model):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")
    phones: Mapped[list[Phone]] = relationship(back_populates="contact")


class PhoneType(enum.StrEnum):
    VOICE = "voice"
    CELL = "cell"
    TEXT = "text"
    FAX = "fax"
    HOTLINE = "hotline"
    WHATSAPP = "whatsapp"


class Phone(UuidMixin, db.Model):
    __tablename__ = "phone"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(40))
    extension: Mapped[str] = mapped_column(String(10), default="")
    type: Mapped[PhoneType] = mapped_column(_str_enum(PhoneType), default=PhoneType.VOICE)
    description: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="phones")
    contact: Mapped[Contact | None] = relationship(back_populates="phones")


class CoverageKind(enum.StrEnum):
    COUNTRY = "country"  # a whole member country
    ADMIN_UNIT = "admin_unit"  # an admin-1 unit or a county
    RADIUS = "radius"  # a radius in km around one of the organisation's sites
    POLYGON = "polygon"  # a drawn or uploaded polygon


class CoveragePart(UuidMixin, GeometryMixin, db.Model):
    """One part of an organisation's coverage [HSDS service_area]; its geometry is stored for
    every kind so that the organisation's coverage can be rebuilt from the parts alone."""

    __tablename__ = "coverage_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CoverageKind] = mapped_column(_str_enum(CoverageKind))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"))
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    radius_km: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="coverage_parts")
    admin_unit = relationship("AdminUnit")
    location: Mapped[Location | None] = relationship()


class UnitCoverage(db.Model):
    """How much of a leaf admin unit an organisation covers (km², and whether all of it).

    Written with the organisation's coverage; it answers "who covers this point" with an
    indexed lookup and lets district shares be summed in SQL."""

    __tablename__ = "unit_coverage"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    admin_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), primary_key=True, index=True)
    overlap_km2: Mapped[float] = mapped_column(Float)
    is_full: Mapped[bool] = mapped_column(Boolean)


class DistrictCoverage(db.Model):
    """Which organisation serves which consular district, and what share of it."""

    __tablename__ = "district_coverage"
    __table_args__ = (Index("ix_district_coverage_lookup", "district_id", "status", "share", "organisation_id"),)

    district_id: Mapped[int] = mapped_column(ForeignKey("consular_district.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    overlap_km2: Mapped[float] = mapped_column(Float)
    share: Mapped[float] = mapped_column(Float)  # overlap / district area, 0..1
    # A copy of the organisation's status, so that "who serves district X" is read from this
    # one index; kept in step by organisations.coverage (see copy_status_changes).
    status: Mapped[Status] = mapped_column(_str_enum(Status))


class DistrictCount(db.Model):
    """How many organisations of each status serve a district: what organisations_serving reports
    as the total, read instead of counting district_coverage rows (31,000 for the largest district
    at 100,000 organisations).

    Kept exact by triggers on district_coverage (migration 0006), whoever writes that table, the
    ON DELETE CASCADE from organisation and consular_district included. See docs/architecture.md."""

    __tablename__ = "district_count"

    district_id: Mapped[int] = mapped_column(ForeignKey("consular_district.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[Status] = mapped_column(_str_enum(Status), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
