"""The SQL reads of a crisis report: plain indexed queries over stored coverage, the same on SQLite
and PostgreSQL. Organisations are read as columns, not ORM objects, so that a report over thousands
of them stays fast."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import shapely
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, district_unit
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

CHUNK = 900  # ids per IN (...): below SQLite's old 999-parameter limit


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass(frozen=True)
class DistrictUnitRow:
    id: int
    code: str
    sending_country_code: str
    area_km2: float
    consulate: object
    admin_unit_id: int


def district_rows(unit_ids: list[int]) -> list[DistrictUnitRow]:
    """One row per (district, unit) for the districts holding any of these leaf units."""
    rows = []
    for chunk in _chunks(unit_ids):
        query = (
            select(ConsularDistrict, district_unit.c.admin_unit_id)
            .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
            .where(district_unit.c.admin_unit_id.in_(chunk))
            .options(joinedload(ConsularDistrict.consulate))
        )
        for district, unit_id in db.session.execute(query):
            rows.append(
                DistrictUnitRow(
                    district.id,
                    district.code,
                    district.sending_country_code,
                    district.area_km2,
                    district.consulate,
                    unit_id,
                )
            )
    return rows


def unit_coverage_rows(unit_ids: list[int]) -> list[tuple[int, int, float, bool]]:
    """(organisation id, unit id, overlap km², unit fully covered) of published organisations."""
    rows = []
    for chunk in _chunks(unit_ids):
        query = (
            select(
                UnitCoverage.organisation_id, UnitCoverage.admin_unit_id, UnitCoverage.overlap_km2, UnitCoverage.is_full
            )
            .join(Organisation, Organisation.id == UnitCoverage.organisation_id)
            .where(UnitCoverage.admin_unit_id.in_(chunk), Organisation.status == Status.PUBLISHED)
        )
        rows.extend(tuple(r) for r in db.session.execute(query))
    return rows


def drawn_coverages(organisation_ids: set[int]) -> dict[int, shapely.Geometry]:
    """The stored union of drawn (radius and polygon) coverage of these organisations."""
    found = {}
    for chunk in _chunks(sorted(organisation_ids)):
        query = select(Organisation.id, Organisation.geom_wkb).where(
            Organisation.id.in_(chunk), Organisation.geom_wkb.is_not(None)
        )
        for org_id, wkb in db.session.execute(query):
            found[org_id] = shapely.from_wkb(wkb)
    return found


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


def organisation_details(organisation_ids: list[int], exact: bool) -> dict[int, OrganisationDetails]:
    """Names, contacts, sites (exact or public positions) and active service categories."""
    phones, emails, positions, services = (defaultdict(list) for _ in range(4))
    base = {}
    lon, lat = (Location.lon, Location.lat) if exact else (Location.public_lon, Location.public_lat)
    for chunk in _chunks(sorted(organisation_ids)):
        base.update(
            {
                r.id: r
                for r in db.session.execute(
                    select(
                        Organisation.id,
                        Organisation.uuid,
                        Organisation.name,
                        Organisation.country_code,
                        Organisation.website,
                        Organisation.email,
                        Organisation.last_verified,
                    ).where(Organisation.id.in_(chunk))
                )
            }
        )
        for org_id, number in db.session.execute(
            select(Phone.organisation_id, Phone.number).where(Phone.organisation_id.in_(chunk)).order_by(Phone.id)
        ):
            phones[org_id].append(number)
        for org_id, email in db.session.execute(
            select(Contact.organisation_id, Contact.email)
            .where(Contact.organisation_id.in_(chunk), Contact.email.is_not(None))
            .order_by(Contact.id)
        ):
            emails[org_id].append(email)
        for org_id, x, y in db.session.execute(
            select(Location.organisation_id, lon, lat).where(Location.organisation_id.in_(chunk)).order_by(Location.id)
        ):
            positions[org_id].append((float(x), float(y)))
        for org_id, code in db.session.execute(
            select(Service.organisation_id, Service.category_code)
            .where(Service.organisation_id.in_(chunk), Service.is_active.is_(True))
            .distinct()
        ):
            services[org_id].append(code)
    return {
        org_id: OrganisationDetails(
            uuid=r.uuid,
            name=r.name,
            country=r.country_code,
            website=r.website,
            last_verified=r.last_verified,
            phones=tuple(dict.fromkeys(phones[org_id])),
            emails=tuple(dict.fromkeys(([r.email] if r.email else []) + emails[org_id])),
            positions=tuple(positions[org_id]),
            services=tuple(sorted(services[org_id])),
        )
        for org_id, r in base.items()
    }


def service_categories(lang: str) -> list[tuple[str, str]]:
    """Every category of the service vocabulary: (code, label in `lang`), in the vocabulary's order."""
    from directory_app.vocabulary import SERVICE_CATEGORIES

    order = {term.code: i for i, term in enumerate(SERVICE_CATEGORIES)}
    rows = db.session.scalars(select(ServiceCategory)).all()
    rows.sort(key=lambda c: (order.get(c.code, len(order)), c.code))
    return [(c.code, c.label(lang)) for c in rows]
