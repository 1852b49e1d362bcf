"""The SQL reads of a crisis report: plain indexed queries over stored coverage, the same on SQLite
and PostgreSQL. Organisations are read as columns, not ORM objects, so that a report over thousands
of them stays fast; they are selected by the units the area meets (a subquery on unit_coverage), not by
a list of thousands of organisation ids, whose bound parameters cost more than the query itself.
The unit ids are at most the leaf units in the area's bounding box (3,450 in all), below SQLite's limit
of 32,766 parameters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate, district_unit
from directory_app.organisations.models import (
    Contact,
    Location,
    Organisation,
    Phone,
    Service,
    ServiceCategory,
    Status,
    UnitCoverage,
)


def _rows(query):
    """Plain rows of a Core query, through the session's connection (no ORM result processing: a Gulf
    coast report reads tens of thousands of rows)."""
    return db.session.connection().execute(query).all()


def _covering(unit_ids: list[int]):
    """The ids of the organisations with coverage in these units (a subquery; duplicates allowed)."""
    return select(UnitCoverage.organisation_id).where(UnitCoverage.admin_unit_id.in_(unit_ids))


@dataclass(frozen=True)
class DistrictUnitRow:
    id: int
    code: str
    sending_country_code: str
    area_km2: float
    consulate_name_es: str
    consulate_name_en: str
    consulate_city: str
    host_country_code: str
    admin_unit_id: int


def district_rows(unit_ids: list[int]) -> list[DistrictUnitRow]:
    """One row per (district, unit) for the districts holding any of these leaf units."""
    query = (
        select(
            ConsularDistrict.id,
            ConsularDistrict.code,
            ConsularDistrict.sending_country_code,
            ConsularDistrict.area_km2,
            Consulate.name_es,
            Consulate.name_en,
            Consulate.city,
            Consulate.host_country_code,
            district_unit.c.admin_unit_id,
        )
        .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(district_unit.c.admin_unit_id.in_(unit_ids))
    )
    return [DistrictUnitRow(*row) for row in _rows(query)]


def unit_coverage_rows(unit_ids: list[int]) -> list[tuple[int, int, float, bool]]:
    """(organisation id, unit id, overlap km², unit fully covered) of published organisations."""
    # Not a join: SQLite would then walk all published organisations and probe each unit for each.
    published = select(Organisation.id).where(Organisation.status == Status.PUBLISHED)
    query = select(
        UnitCoverage.organisation_id, UnitCoverage.admin_unit_id, UnitCoverage.overlap_km2, UnitCoverage.is_full
    ).where(UnitCoverage.admin_unit_id.in_(unit_ids), UnitCoverage.organisation_id.in_(published))
    return [tuple(r) for r in _rows(query)]


def drawn_coverages(organisation_ids: set[int], unit_ids: list[int]) -> dict[int, shapely.Geometry]:
    """The stored union of drawn (radius and polygon) coverage of these organisations, which have
    coverage in these units."""
    query = select(Organisation.id, Organisation.geom_wkb).where(
        Organisation.id.in_(_covering(unit_ids)), Organisation.geom_wkb.is_not(None)
    )
    return {o: shapely.from_wkb(wkb) for o, wkb in _rows(query) if o in organisation_ids}


@dataclass(frozen=True)
class OrganisationDetails:
    uuid: str
    name: str
    country: str
    website: str | None
    last_verified: date | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    positions: tuple[tuple[float, float], ...]
    services: tuple[str, ...]


def organisation_details(
    organisation_ids: set[int], unit_ids: list[int], exact: bool
) -> dict[int, OrganisationDetails]:
    """Names, contacts, sites (exact or public positions) and active service categories of these
    organisations, which have coverage in these units."""
    covering = _covering(unit_ids)
    lon, lat = (Location.lon, Location.lat) if exact else (Location.public_lon, Location.public_lat)

    def grouped(*columns, where=(), order=()):
        found = defaultdict(list)
        query = select(*columns).where(columns[0].in_(covering), *where).order_by(*order)
        for org_id, *values in _rows(query):
            if org_id in organisation_ids:
                found[org_id].append(values[0] if len(values) == 1 else tuple(float(v) for v in values))
        return found

    phones = grouped(Phone.organisation_id, Phone.number, order=(Phone.id,))
    emails = grouped(Contact.organisation_id, Contact.email, where=(Contact.email.is_not(None),), order=(Contact.id,))
    positions = grouped(Location.organisation_id, lon, lat, order=(Location.id,))
    services = grouped(Service.organisation_id, Service.category_code, where=(Service.is_active.is_(True),))
    base = _rows(
        select(
            Organisation.id,
            Organisation.uuid,
            Organisation.name,
            Organisation.country_code,
            Organisation.website,
            Organisation.email,
            Organisation.last_verified,
        ).where(Organisation.id.in_(covering))
    )
    return {
        r.id: OrganisationDetails(
            uuid=r.uuid,
            name=r.name,
            country=r.country_code,
            website=r.website,
            last_verified=r.last_verified,
            phones=tuple(dict.fromkeys(phones[r.id])),
            emails=tuple(dict.fromkeys(([r.email] if r.email else []) + emails[r.id])),
            positions=tuple(positions[r.id]),
            services=tuple(sorted(set(services[r.id]))),
        )
        for r in base
        if r.id in organisation_ids
    }


def service_categories(lang: str) -> list[tuple[str, str]]:
    """Every category of the service vocabulary: (code, label in `lang`), in the vocabulary's order."""
    from directory_app.vocabulary import SERVICE_CATEGORIES

    order = {term.code: i for i, term in enumerate(SERVICE_CATEGORIES)}
    rows = db.session.scalars(select(ServiceCategory)).all()
    rows.sort(key=lambda c: (order.get(c.code, len(order)), c.code))
    return [(c.code, c.label(lang)) for c in rows]
