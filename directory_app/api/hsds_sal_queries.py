"""The read side of /hsds/service_at_locations: the (service, site) pairs of published organisations,
filtered, paged and loaded with a fixed number of queries per page.

Privacy: `postcode` and `proximity` look only at what the reader may see (`ExactScope`, from
accounts.access.viewer_key): a hidden site is placed at its public position and its postal code,
which is not published, matches nothing for a reader who may not see it exactly."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from directory_app.api.hsds_params import Proximity
from directory_app.api.hsds_queries import (
    HsdsFilters,
    compare_value,
    published_organisations,
    service_conditions,
    service_options,
)
from directory_app.api.hsds_taxonomy import derived_uuid
from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Service, Status, service_location
from directory_app.organisations.site_boxes import positions_for, site_ids_in_boxes
from geo.nearest import geodesic_km, search_box


@dataclass(frozen=True)
class ExactScope:
    """Whose exact positions the reader sees: everyone's ('all'), the public's ('public': only
    organisations that do not hide them) or a country contact's ('country:XX')."""

    key: str

    def condition(self):
        """SQL: the organisation's sites are shown exactly to this reader."""
        if self.key == "all":
            return sa.true()
        shown = Organisation.hide_exact_location.is_(False)
        if self.key.startswith("country:"):
            return or_(shown, Organisation.country_code == self.key.removeprefix("country:"))
        return shown


@dataclass(frozen=True)
class Place:
    """The place filters of the list: a normalised postal code and a proximity."""

    postcode: str | None = None
    proximity: Proximity | None = None


@dataclass(frozen=True)
class Pair:
    """A service at a site, loaded, with its organisation."""

    service: Service
    location: Location

    @property
    def id(self) -> str:
        return service_at_location_id(self.service.uuid, self.location.uuid)


@lru_cache(maxsize=65_536)
def service_at_location_id(service_uuid: str, location_uuid: str) -> str:
    """The stable id of a service at a site (the same in /hsds/services' service_at_locations)."""
    return derived_uuid("service_at_location", service_uuid, location_uuid)


def _postal_code(column):
    return func.upper(func.replace(func.replace(column, " ", ""), "-", ""))


def _pairs(filters: HsdsFilters, scope: ExactScope, place: Place):
    organisations = published_organisations(filters)
    statement = (
        select(service_location.c.service_id, service_location.c.location_id)
        .join(Service, Service.id == service_location.c.service_id)
        .join(Location, Location.id == service_location.c.location_id)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Service.organisation_id.in_(organisations), *service_conditions(filters))
    )
    if filters.modified_after:
        since = compare_value(filters.modified_after, db.engine.dialect.name)
        statement = statement.where(or_(Service.updated_at >= since, Location.updated_at >= since))
    if place.postcode:
        statement = statement.where(scope.condition(), _postal_code(Location.postal_code) == place.postcode)
    return statement


def _visible(scope: ExactScope):
    exact = scope.condition()
    return sa.case((exact, Location.lon), else_=Location.public_lon), sa.case(
        (exact, Location.lat), else_=Location.public_lat
    )


def _near(statement, scope: ExactScope, proximity: Proximity) -> list[tuple[int, int]]:
    """The pairs whose visible position lies within the distance, nearest first (ties by id). The box
    around the point is searched through the index of the stored positions (organisations.site_boxes),
    the visible position decides."""
    lon, lat = _visible(scope)
    min_lon, min_lat, max_lon, max_lat = search_box(proximity.lon, proximity.lat, proximity.metres / 1000.0)
    candidates = site_ids_in_boxes(((min_lon, min_lat, max_lon, max_lat),), positions_for(scope.key))
    rows = db.session.execute(
        statement.add_columns(lon, lat).where(
            Location.id.in_(candidates), lon.between(min_lon, max_lon), lat.between(min_lat, max_lat)
        )
    ).all()
    if not rows:
        return []
    distances = geodesic_km(proximity.lon, proximity.lat, [r[2] for r in rows], [r[3] for r in rows]) * 1000.0
    near = [(float(d), r[0], r[1]) for d, r in zip(distances, rows) if d <= proximity.metres]
    return [(service_id, location_id) for _d, service_id, location_id in sorted(near)]


def list_service_at_locations(
    filters: HsdsFilters, scope: ExactScope, place: Place, *, full: bool = False
) -> tuple[list[Pair], int]:
    """A page of pairs (by service and site id, or nearest first with a proximity) and the number
    matching."""
    statement = _pairs(filters, scope, place)
    start = (filters.page - 1) * filters.per_page
    if place.proximity is not None:
        ids = _near(statement, scope, place.proximity)
        total, ids = len(ids), ids[start : start + filters.per_page]
    else:
        total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
        ordered = statement.order_by(service_location.c.service_id, service_location.c.location_id)
        ids = [tuple(row) for row in db.session.execute(ordered.limit(filters.per_page).offset(start))]
    return _load(ids, full), total


def _load(ids: list[tuple[int, int]], full: bool) -> list[Pair]:
    if not ids:
        return []
    services = {
        s.id: s
        for s in db.session.scalars(
            select(Service)
            .where(Service.id.in_({service_id for service_id, _location_id in ids}))
            .options(*(service_options() if full else [joinedload(Service.organisation)]))
        ).unique()
    }
    location_ids = {location_id for _service_id, location_id in ids}
    locations = {loc.id: loc for loc in db.session.scalars(select(Location).where(Location.id.in_(location_ids)))}
    return [Pair(services[service_id], locations[location_id]) for service_id, location_id in ids]


def find_service_at_location(sal_id: str) -> Pair | None:
    """A service at a site of a published organisation by its id, fully loaded."""
    rows = db.session.execute(
        select(Service.uuid, Location.uuid, Service.id, Location.id)
        .select_from(service_location)
        .join(Service, Service.id == service_location.c.service_id)
        .join(Location, Location.id == service_location.c.location_id)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Organisation.status == Status.PUBLISHED)
    )
    found = next((row for row in rows if service_at_location_id(row[0], row[1]) == sal_id), None)
    if found is None:
        return None
    service = db.session.scalar(select(Service).where(Service.id == found[2]).options(*service_options()))
    location = db.session.scalar(
        select(Location).where(Location.id == found[3]).options(selectinload(Location.organisation))
    )
    return Pair(service, location)
