"""The read side: who serves a district, who covers a point, who is nearest.

Each is an indexed SQL query over relations written in advance (district and unit coverage,
site coordinates), followed by exact work in geo/ on the few candidates. The same code runs
on SQLite and PostgreSQL and gives the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from sqlalchemy import exists, func, select

from directory_app.extensions import db
from directory_app.geography.units import leaf_unit_at
from directory_app.organisations.models import (
    DistrictCoverage,
    Location,
    Organisation,
    Service,
    Status,
    UnitCoverage,
)
from geo.nearest import geodesic_km, search_box
from geo.validate import check_lon_lat

EARTH_HALF_CIRCUMFERENCE_KM = 20_040.0


def _visible(query, category: str | None, statuses: tuple[Status, ...]):
    query = query.where(Organisation.status.in_(statuses))
    if category:
        query = query.where(
            exists().where(Service.organisation_id == Organisation.id, Service.category_code == category)
        )
    return query


@dataclass(frozen=True)
class Serving:
    organisation: Organisation
    share: float  # of the district's area, 0..1
    overlap_km2: float


def organisations_serving(
    district_id: int,
    category: str | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    statuses: tuple[Status, ...] = (Status.PUBLISHED,),
) -> tuple[list[Serving], int]:
    """Organisations serving a district, largest share first, and how many there are."""
    base = _visible(
        select(Organisation, DistrictCoverage.share, DistrictCoverage.overlap_km2)
        .join(DistrictCoverage, DistrictCoverage.organisation_id == Organisation.id)
        .where(DistrictCoverage.district_id == district_id),
        category,
        statuses,
    )
    total = db.session.scalar(select(func.count()).select_from(base.with_only_columns(Organisation.id).subquery()))
    rows = db.session.execute(
        base.order_by(DistrictCoverage.share.desc(), Organisation.name, Organisation.id).limit(limit).offset(offset)
    ).all()
    return [Serving(org, share, km2) for org, share, km2 in rows], total


def organisations_covering(
    lon: float, lat: float, category: str | None = None, statuses: tuple[Status, ...] = (Status.PUBLISHED,)
) -> list[Organisation]:
    """Organisations whose coverage contains the point, by name."""
    point = check_lon_lat(lon, lat)
    unit = leaf_unit_at(point.x, point.y)
    if unit is None:
        return []
    rows = db.session.execute(
        _visible(
            select(Organisation, UnitCoverage.is_full)
            .join(UnitCoverage, UnitCoverage.organisation_id == Organisation.id)
            .where(UnitCoverage.admin_unit_id == unit.id),
            category,
            statuses,
        ).order_by(Organisation.name, Organisation.id)
    ).all()
    found = []
    for org, is_full in rows:
        if is_full or shapely.intersects(shapely.from_wkb(org.geom_wkb), point):
            found.append(org)
    return found


@dataclass(frozen=True)
class Nearby:
    organisation_id: int
    location_id: int
    lon: float
    lat: float
    distance_km: float


def nearest_organisations(
    lon: float,
    lat: float,
    k: int = 10,
    category: str | None = None,
    *,
    exact: bool = False,
    statuses: tuple[Status, ...] = (Status.PUBLISHED,),
    start_km: float = 10.0,
) -> list[Nearby]:
    """The k nearest organisations (by their nearest site), nearest first, in km.

    With exact=False (the public), positions and distances use each site's public position,
    so a hidden site is never revealed by its distance. The search box grows until the k-th
    organisation is closer than the box's edge, which makes the answer exact."""
    point = check_lon_lat(lon, lat)
    lon_col, lat_col = (Location.lon, Location.lat) if exact else (Location.public_lon, Location.public_lat)
    radius = start_km
    while True:
        min_lon, min_lat, max_lon, max_lat = search_box(point.x, point.y, radius)
        rows = db.session.execute(
            _visible(
                select(Location.organisation_id, Location.id, lon_col, lat_col)
                .join(Organisation, Organisation.id == Location.organisation_id)
                .where(lat_col.between(min_lat, max_lat), lon_col.between(min_lon, max_lon)),
                category,
                statuses,
            )
        ).all()
        best = _nearest_per_organisation(point.x, point.y, rows)
        complete = radius >= EARTH_HALF_CIRCUMFERENCE_KM
        if complete or (len(best) >= k and best[k - 1].distance_km <= radius):
            return best[:k]
        radius = min(radius * 4, EARTH_HALF_CIRCUMFERENCE_KM)


def _nearest_per_organisation(lon: float, lat: float, rows) -> list[Nearby]:
    if not rows:
        return []
    distances = geodesic_km(lon, lat, [r[2] for r in rows], [r[3] for r in rows])
    best: dict[int, Nearby] = {}
    for (org_id, loc_id, site_lon, site_lat), km in zip(rows, distances):
        current = best.get(org_id)
        if current is None or (km, loc_id) < (current.distance_km, current.location_id):
            best[org_id] = Nearby(org_id, loc_id, site_lon, site_lat, float(km))
    return sorted(best.values(), key=lambda n: (n.distance_km, n.organisation_id))
