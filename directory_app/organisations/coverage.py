"""Writing the spatial relations of organisations: coverage geometry, unit and district coverage.

Called whenever an organisation's coverage or sites change, and when districts change, so that
reading "who serves district X" or "who covers this point" is a plain indexed SQL query.

How an organisation's overlap with a leaf unit is found:
- admin-unit and country parts cover their leaf units fully (set arithmetic, no geometry);
- radius and polygon parts are intersected with the leaf units they touch (STRtree), in an
  equal-area projection.
District shares are then sums over the district's units, done in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import case, delete, func, inspect, select
from sqlalchemy.orm import Session

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Country, district_unit
from directory_app.geography.units import LeafUnits, leaf_units
from directory_app.organisations.bulk import empty_table, insert_rows, update_rows
from directory_app.organisations.models import (
    CoverageKind,
    CoveragePart,
    DistrictCoverage,
    Organisation,
    Status,
    UnitCoverage,
)
from geo.coverage import union_parts

BATCH = 5_000
SMALL = 50  # up to this many organisations, load only the admin units they need


def recompute_coverage(
    organisation_ids: Sequence[int] | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute coverage geometry, unit coverage and district coverage.

    With no ids, every organisation (a full rebuild): the derived tables are emptied first and
    district coverage is summed once at the end, which is much faster than batch by batch.
    Returns the number of organisations."""
    rebuild = organisation_ids is None
    if rebuild:
        organisation_ids = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    organisation_ids = list(organisation_ids)
    if not organisation_ids:
        return 0
    db.session.flush()
    if rebuild:
        empty_table(DistrictCoverage.__table__)
        empty_table(UnitCoverage.__table__)
    bulk = len(organisation_ids) > SMALL
    units = leaf_units() if bulk else None
    hierarchy = _Hierarchy.load() if bulk else None
    districts = _Districts.load() if bulk else None
    for start in range(0, len(organisation_ids), BATCH):
        batch = organisation_ids[start : start + BATCH]
        _recompute_batch(batch, units, hierarchy, districts, replace=not rebuild)
        if progress:
            progress(min(start + BATCH, len(organisation_ids)), len(organisation_ids))
    return len(organisation_ids)


@dataclass
class _Districts:
    """Which districts hold each leaf unit, and each district's area."""

    of_unit: dict[int, list[int]]
    area_km2: dict[int, float]

    @classmethod
    def load(cls, unit_ids: set[int] | None = None) -> _Districts:
        query = select(district_unit.c.admin_unit_id, ConsularDistrict.id, ConsularDistrict.area_km2).join(
            ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id
        )
        if unit_ids is not None:
            query = query.where(district_unit.c.admin_unit_id.in_(unit_ids))
        of_unit: dict[int, list[int]] = defaultdict(list)
        areas = {}
        for unit_id, district_id, area in db.session.execute(query):
            of_unit[unit_id].append(district_id)
            areas[district_id] = area
        return cls(of_unit, areas)

    def coverage_rows(self, unit_rows: list[dict], status_of: dict[int, Status]) -> list[dict]:
        """District coverage rows: each organisation's overlaps summed over a district's units."""
        overlap: dict[tuple[int, int], float] = defaultdict(float)
        for row in unit_rows:
            for district_id in self.of_unit.get(row["admin_unit_id"], ()):
                overlap[(district_id, row["organisation_id"])] += row["overlap_km2"]
        return [
            {
                "district_id": d,
                "organisation_id": o,
                "overlap_km2": km2,
                "share": min(1.0, km2 / self.area_km2[d]),
                "status": status_of[o].value,
            }
            for (d, o), km2 in sorted(overlap.items())
            if self.area_km2[d] > 0
        ]


@dataclass
class _Hierarchy:
    """Leaf unit ids under each country and admin unit, and each leaf's area in km²."""

    leaves: dict[tuple[str, str | int], list[int]]
    area_km2: dict[int, float]

    @classmethod
    def load(cls, unit_ids: set[int] | None = None, countries: set[str] | None = None) -> _Hierarchy:
        """All leaf units, or only those under the given units and countries."""
        leaves: dict[tuple[str, str | int], list[int]] = defaultdict(list)
        areas = {}
        query = select(AdminUnit.id, AdminUnit.parent_id, AdminUnit.country_code, AdminUnit.area_km2).where(
            AdminUnit.is_leaf.is_(True)
        )
        if unit_ids is not None or countries is not None:
            unit_ids, countries = unit_ids or set(), countries or set()
            query = query.where(
                AdminUnit.id.in_(unit_ids) | AdminUnit.parent_id.in_(unit_ids) | AdminUnit.country_code.in_(countries)
            )
        rows = db.session.execute(query).all()
        for unit_id, parent_id, country, area in rows:
            areas[unit_id] = area
            leaves[("unit", unit_id)].append(unit_id)
            leaves[("country", country)].append(unit_id)
            if parent_id is not None:
                leaves[("unit", parent_id)].append(unit_id)
        return cls(leaves, areas)


def _recompute_batch(
    ids: list[int], units: LeafUnits | None, hierarchy: _Hierarchy | None, districts: _Districts | None, replace: bool
) -> None:
    """Unit and district coverage and geometry of a batch; with `replace`, old rows go first."""
    parts = db.session.execute(
        select(
            CoveragePart.organisation_id,
            CoveragePart.kind,
            CoveragePart.country_code,
            CoveragePart.admin_unit_id,
            CoveragePart.geom_wkb,
        ).where(CoveragePart.organisation_id.in_(ids))
    ).all()
    if hierarchy is None:
        hierarchy = _Hierarchy.load(
            {p.admin_unit_id for p in parts if p.admin_unit_id}, {p.country_code for p in parts if p.country_code}
        )
    full_units: dict[int, set[int]] = defaultdict(set)
    whole: dict[int, list[tuple[str, str | int]]] = defaultdict(list)  # the country and unit parts
    shapes: dict[int, list] = defaultdict(list)
    for org_id, kind, country, unit_id, wkb in parts:
        if kind in (CoverageKind.COUNTRY, CoverageKind.ADMIN_UNIT):
            key = ("country", country) if kind == CoverageKind.COUNTRY else ("unit", unit_id)
            full_units[org_id].update(hierarchy.leaves.get(key, []))
            whole[org_id].append(key)
        elif wkb:
            shapes[org_id].append(shapely.from_wkb(wkb))
    drawn = {org_id: union_parts(geoms) for org_id, geoms in shapes.items()}
    rows = _unit_rows(ids, full_units, drawn, units, hierarchy.area_km2)
    if replace:
        db.session.execute(delete(UnitCoverage).where(UnitCoverage.organisation_id.in_(ids)))
        db.session.execute(delete(DistrictCoverage).where(DistrictCoverage.organisation_id.in_(ids)))
    insert_rows(UnitCoverage.__table__, rows)
    _write_geometries(ids, whole, drawn, rows)
    if districts is None:
        districts = _Districts.load({row["admin_unit_id"] for row in rows})
    status_of = dict(
        db.session.execute(select(Organisation.id, Organisation.status).where(Organisation.id.in_(ids))).all()
    )
    insert_rows(DistrictCoverage.__table__, districts.coverage_rows(rows, status_of))


def _unit_rows(ids, full_units, drawn, units: LeafUnits | None, unit_area: dict[int, float]) -> list[dict]:
    rows = {(o, u): (unit_area[u], True) for o in ids for u in full_units.get(o, ())}
    if drawn:
        org_order = list(drawn)
        geoms = np.array([drawn[o] for o in org_order], dtype=object)
        if units is None:  # one or a few organisations: index only the units near them
            units = leaf_units(bbox=tuple(shapely.total_bounds(geoms)))
        found = units.index.overlaps(geoms)
        for c, u, km2, full in zip(found.coverage_idx, found.unit_idx, found.overlap_km2, found.is_full):
            rows.setdefault((org_order[c], int(units.ids[u])), (float(km2), bool(full)))
    return [
        {"organisation_id": o, "admin_unit_id": u, "overlap_km2": km2, "is_full": full}
        for (o, u), (km2, full) in sorted(rows.items())
    ]


def _write_geometries(ids, whole, drawn, rows) -> None:
    """Store each organisation's drawn coverage, the bounding box of all its coverage and its
    area (no version bump). Whole units and countries are referenced by the parts, not copied:
    a copy of a state's outline per organisation would multiply the database's size."""
    area = defaultdict(float)
    for row in rows:
        area[row["organisation_id"]] += row["overlap_km2"]
    boxes = _part_bounds({key for keys in whole.values() for key in keys})
    updates = []
    for org_id in ids:
        shape = drawn.get(org_id)
        bounds = [boxes[key] for key in whole.get(org_id, ())]
        if shape is not None and not shape.is_empty:
            bounds.append(shape.bounds)
        box = (
            (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds))
            if bounds
            else (None,) * 4
        )
        updates.append(
            {
                "id": org_id,
                "geom_wkb": shapely.to_wkb(shape) if shape is not None and not shape.is_empty else None,
                "min_lon": box[0],
                "min_lat": box[1],
                "max_lon": box[2],
                "max_lat": box[3],
                "coverage_area_km2": area[org_id],
            }
        )
    update_rows(Organisation.__table__, "id", updates)
    _expire_loaded(ids, ["geom_wkb", "min_lon", "min_lat", "max_lon", "max_lat", "coverage_area_km2"])


def _expire_loaded(ids, attributes: list[str]) -> None:
    """Organisations already loaded in the session must not keep the old values."""
    wanted = set(ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Organisation) and obj.id in wanted:
            db.session.expire(obj, attributes)


def _part_bounds(keys: set[tuple[str, str | int]]) -> dict[tuple[str, str | int], tuple[float, float, float, float]]:
    """Bounding boxes of the whole admin units and countries named by coverage parts."""
    unit_ids = [k for kind, k in keys if kind == "unit"]
    countries = [k for kind, k in keys if kind == "country"]
    found = {}
    for kind, model, column, wanted in (
        ("unit", AdminUnit, AdminUnit.id, unit_ids),
        ("country", Country, Country.code, countries),
    ):
        if wanted:
            rows = db.session.execute(
                select(column, model.min_lon, model.min_lat, model.max_lon, model.max_lat).where(column.in_(wanted))
            ).all()
            found.update({(kind, r[0]): tuple(r[1:]) for r in rows})
    return found


def _insert_district_coverage(condition) -> None:
    overlap = func.sum(UnitCoverage.overlap_km2)
    select_rows = (
        select(
            district_unit.c.district_id,
            UnitCoverage.organisation_id,
            overlap,
            case((overlap >= ConsularDistrict.area_km2, 1.0), else_=overlap / ConsularDistrict.area_km2),
            Organisation.status,
        )
        .join(district_unit, district_unit.c.admin_unit_id == UnitCoverage.admin_unit_id)
        .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
        .join(Organisation, Organisation.id == UnitCoverage.organisation_id)
        .where(condition, ConsularDistrict.area_km2 > 0)
        .group_by(
            district_unit.c.district_id, UnitCoverage.organisation_id, ConsularDistrict.area_km2, Organisation.status
        )
    )
    db.session.execute(
        DistrictCoverage.__table__.insert().from_select(
            ["district_id", "organisation_id", "overlap_km2", "share", "status"], select_rows
        )
    )


def copy_status_changes(session: Session, _context) -> None:
    """Keep district_coverage.status equal to the organisation's status, whatever changed it."""
    for obj in session.dirty:
        if isinstance(obj, Organisation) and inspect(obj).attrs.status.history.has_changes():
            table = DistrictCoverage.__table__
            session.execute(table.update().where(table.c.organisation_id == obj.id).values(status=obj.status))


def refresh_district_coverage(district_ids: Sequence[int]) -> None:
    """Recompute which organisations serve these districts, after their units changed."""
    district_ids = list(district_ids)
    if not district_ids:
        return
    db.session.flush()
    db.session.execute(delete(DistrictCoverage).where(DistrictCoverage.district_id.in_(district_ids)))
    _insert_district_coverage(district_unit.c.district_id.in_(district_ids))
