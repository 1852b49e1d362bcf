"""The read side: who serves a district, who covers a point, who is nearest.

Each is an indexed SQL query over relations written in advance (district and unit coverage,
site coordinates), followed by exact work in geo/ on the few candidates. The same code runs
on SQLite and PostgreSQL and gives the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import exists, func, or_, select

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
from geo.nearest import SPHERE_TO_ELLIPSOID_MIN, chord_km, geodesic_km, grid_ranges, search_box, unit_vector
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
    """Organisations serving a district, largest share first, and how many there are.

    Without a service filter, both the count and the page are read from the index on
    (district, status, share)."""
    base = select(DistrictCoverage).where(
        DistrictCoverage.district_id == district_id, DistrictCoverage.status.in_(statuses)
    )
    if category:
        base = base.where(
            exists().where(
                Service.organisation_id == DistrictCoverage.organisation_id, Service.category_code == category
            )
        )
    total = db.session.scalar(base.with_only_columns(func.count()))
    page = base.with_only_columns(Organisation, DistrictCoverage.share, DistrictCoverage.overlap_km2).join(
        Organisation, Organisation.id == DistrictCoverage.organisation_id
    )
    rows = db.session.execute(
        page.order_by(DistrictCoverage.share.desc(), DistrictCoverage.organisation_id.desc())
        .limit(limit)
        .offset(offset)
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
    start_km: float = 2.0,
) -> list[Nearby]:
    """The k nearest organisations (by their nearest site), nearest first, in km.

    With exact=False (the public), positions and distances use each site's public position,
    so a hidden site is never revealed by its distance.

    The search box (grid-indexed) doubles until it holds k organisations. Within a box the
    database returns only the sites nearest by chord length (exact great-circle order), so a
    dense city costs no more than a village. The answer is exact: every site closer than the
    k-th organisation lies in the box, and none was cut off by the limit."""
    point = check_lon_lat(lon, lat)
    radius, limit = start_km, 8 * k
    while True:
        best, cut_km = _nearest_in_box(point.x, point.y, radius, limit, exact, category, statuses)
        if len(best) >= k:
            kth = best[k - 1].distance_km
            if kth > cut_km:  # the limit may have cut off a nearer organisation
                limit *= 4
                continue
            if kth <= radius:
                return best[:k]
            radius = kth  # one more search, out to the k-th distance
            continue
        if radius >= EARTH_HALF_CIRCUMFERENCE_KM and cut_km == float("inf"):
            return best
        if cut_km != float("inf"):
            limit *= 4
        else:
            radius = min(radius * 2, EARTH_HALF_CIRCUMFERENCE_KM)


def _nearest_in_box(lon, lat, radius_km, limit, exact, category, statuses) -> tuple[list[Nearby], float]:
    """The nearest site of each visible organisation among the `limit` sites of the search box
    nearest the point, and the distance below which that list is complete (inf when the box
    held no more sites than the limit)."""
    prefix = "" if exact else "public_"
    columns = {name: getattr(Location, prefix + name) for name in ("lon", "lat", "grid_key", "ux", "uy", "uz")}
    min_lon, min_lat, max_lon, max_lat = search_box(lon, lat, radius_km)
    conditions = [columns["lat"].between(min_lat, max_lat), columns["lon"].between(min_lon, max_lon)]
    ranges = grid_ranges(min_lon, min_lat, max_lon, max_lat)
    if ranges is not None:
        conditions.insert(0, or_(*(columns["grid_key"].between(low, high) for low, high in ranges)))
    conditions.append(exists().where(Organisation.id == Location.organisation_id, Organisation.status.in_(statuses)))
    if category:
        conditions.append(
            exists().where(Service.organisation_id == Location.organisation_id, Service.category_code == category)
        )
    x, y, z = (float(v) for v in unit_vector(lon, lat))
    chord = (
        (columns["ux"] - x) * (columns["ux"] - x)
        + (columns["uy"] - y) * (columns["uy"] - y)
        + (columns["uz"] - z) * (columns["uz"] - z)
    )
    rows = db.session.execute(
        select(Location.organisation_id, Location.id, columns["lon"], columns["lat"], chord)
        .where(*conditions)
        .order_by(chord, Location.id)
        .limit(limit)
    ).all()
    if not rows:
        return [], float("inf")
    data = np.array(rows, dtype=float)
    cut_km = float(chord_km(data[-1, 4])) * SPHERE_TO_ELLIPSOID_MIN if len(rows) == limit else float("inf")
    distances = geodesic_km(lon, lat, data[:, 2], data[:, 3])
    order = np.lexsort((data[:, 1], distances, data[:, 0]))  # by organisation, then distance, then site
    first = order[np.r_[True, data[order[1:], 0] != data[order[:-1], 0]]]  # each organisation's nearest site
    first = first[np.lexsort((data[first, 0], distances[first]))]
    return [
        Nearby(int(data[i, 0]), int(data[i, 1]), float(data[i, 2]), float(data[i, 3]), float(distances[i]))
        for i in first
    ], cut_km
