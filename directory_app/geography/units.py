"""Read-side helpers over admin units: spatial indexes of leaf units and point look-ups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, district_unit
from geo.coverage import UnitIndex


@dataclass
class LeafUnits:
    """Leaf units (ids, codes) with a spatial index over their geometries, in the same order."""

    ids: np.ndarray
    codes: list[str]
    index: UnitIndex


def leaf_units(
    country_codes: list[str] | None = None, bbox: tuple[float, float, float, float] | None = None
) -> LeafUnits:
    """Leaf units, optionally of some countries or whose bounding box meets `bbox`."""
    query = select(AdminUnit.id, AdminUnit.code, AdminUnit.geom_wkb, AdminUnit.area_km2).where(
        AdminUnit.is_leaf.is_(True)
    )
    if country_codes:
        query = query.where(AdminUnit.country_code.in_(country_codes))
    if bbox:
        min_lon, min_lat, max_lon, max_lat = bbox
        query = query.where(
            AdminUnit.min_lon <= max_lon,
            AdminUnit.max_lon >= min_lon,
            AdminUnit.min_lat <= max_lat,
            AdminUnit.max_lat >= min_lat,
        )
    rows = db.session.execute(query.order_by(AdminUnit.id)).all()
    geoms = shapely.from_wkb([r.geom_wkb for r in rows]) if rows else np.empty(0, dtype=object)
    return LeafUnits(
        ids=np.array([r.id for r in rows], dtype=int),
        codes=[r.code for r in rows],
        index=UnitIndex(geoms, [r.area_km2 for r in rows]),
    )


def leaf_unit_at(lon: float, lat: float) -> AdminUnit | None:
    """The leaf unit that contains the point (the first by code on a shared border)."""
    units = leaf_units(bbox=(lon, lat, lon, lat))
    hits = units.index.units_at(lon, lat)
    if hits.size == 0:
        return None
    best = min(hits, key=lambda i: units.codes[i])
    return db.session.get(AdminUnit, int(units.ids[best]))


def units_at(lon: float, lat: float) -> list[AdminUnit]:
    """Every admin unit that contains the point: the leaf unit and its parent, if any."""
    leaf = leaf_unit_at(lon, lat)
    if leaf is None:
        return []
    return [leaf, leaf.parent] if leaf.parent else [leaf]


def districts_at(lon: float, lat: float) -> list[ConsularDistrict]:
    """The consular districts (of every sending country) that contain the point."""
    leaf = leaf_unit_at(lon, lat)
    if leaf is None:
        return []
    query = (
        select(ConsularDistrict)
        .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
        .where(district_unit.c.admin_unit_id == leaf.id)
        .order_by(ConsularDistrict.sending_country_code, ConsularDistrict.code)
    )
    return list(db.session.scalars(query))


def expand_to_leaves(unit_ids: list[int]) -> set[int]:
    """The leaf units inside the given units (a leaf stands for itself)."""
    if not unit_ids:
        return set()
    rows = db.session.execute(
        select(AdminUnit.id, AdminUnit.is_leaf, AdminUnit.parent_id).where(
            (AdminUnit.id.in_(unit_ids)) | (AdminUnit.parent_id.in_(unit_ids))
        )
    ).all()
    wanted = set(unit_ids)
    return {r.id for r in rows if r.is_leaf and (r.id in wanted or r.parent_id in wanted)}
