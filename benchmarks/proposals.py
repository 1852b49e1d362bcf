"""Proposed app changes, applied inside a benchmark process only, so that their effect can be
measured before anyone edits the app (`spatial.py --proposals`, `demo_build.py --patched`).
Nothing here is imported by the app; each function is the code proposed for the app.

Written against commit fc888d0 (directory_app/organisations/coverage.py), for commits 70015d0
to fc888d0. Commit 2f5d7c8 replaced the batch's SQL insert by sums in Python (_Districts), which
removes the problem P1 addresses: `patches()` refuses to patch such a version.

P1 District coverage of a batch of organisations is inserted from its unit rows materialised
   first (WITH ... AS MATERIALIZED). `flask setup` now ends with ANALYZE while the organisation
   tables are empty; with those statistics SQLite plans the batch insert of 5,000 organisations
   by scanning district_unit (16,000 rows) and probing unit_coverage for each of the 5,000 ids:
   17-25 s per batch instead of 0.15 s, which makes `flask demo --count 100000` take ~10 min
   instead of ~2. The CTE makes the join start from the batch whatever the statistics say.
"""

from __future__ import annotations

from collections import defaultdict
from unittest import mock

import shapely
from sqlalchemy import case, delete, func, select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, district_unit
from directory_app.organisations import coverage
from directory_app.organisations.models import (
    CoverageKind,
    CoveragePart,
    DistrictCoverage,
    Organisation,
    UnitCoverage,
)
from geo.coverage import union_parts


def insert_district_coverage_of(organisation_ids: list[int]) -> None:
    """District coverage of these organisations, summed from their unit coverage.

    Their unit rows are materialised first (WITH ... AS MATERIALIZED: SQLite >= 3.35,
    PostgreSQL >= 12), so the join starts from them whatever the planner's statistics say.
    Statistics taken while the organisation tables were empty (`flask setup` ends with
    ANALYZE) otherwise make SQLite scan all of district_unit and probe unit_coverage once per
    (link, organisation) pair: 17-25 s for a batch of 5,000 instead of 0.15 s."""
    batch = (
        select(UnitCoverage.organisation_id, UnitCoverage.admin_unit_id, UnitCoverage.overlap_km2)
        .where(UnitCoverage.organisation_id.in_(organisation_ids))
        .cte("batch")
        .prefix_with("MATERIALIZED")
    )
    overlap = func.sum(batch.c.overlap_km2)
    rows = (
        select(
            district_unit.c.district_id,
            batch.c.organisation_id,
            overlap,
            case((overlap >= ConsularDistrict.area_km2, 1.0), else_=overlap / ConsularDistrict.area_km2),
            Organisation.status,
        )
        .select_from(batch)
        .join(district_unit, district_unit.c.admin_unit_id == batch.c.admin_unit_id)
        .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
        .join(Organisation, Organisation.id == batch.c.organisation_id)
        .where(ConsularDistrict.area_km2 > 0)
        .group_by(district_unit.c.district_id, batch.c.organisation_id, ConsularDistrict.area_km2, Organisation.status)
    )
    db.session.execute(
        DistrictCoverage.__table__.insert().from_select(
            ["district_id", "organisation_id", "overlap_km2", "share", "status"], rows
        )
    )


def recompute_batch(ids: list[int], units, hierarchy) -> None:
    """coverage._recompute_batch of fc888d0 with its last line changed (P1)."""
    parts = db.session.execute(
        select(
            CoveragePart.organisation_id, CoveragePart.kind, CoveragePart.country_code,
            CoveragePart.admin_unit_id, CoveragePart.geom_wkb,
        ).where(CoveragePart.organisation_id.in_(ids))
    ).all()
    if hierarchy is None:
        hierarchy = coverage._Hierarchy.load(
            {p.admin_unit_id for p in parts if p.admin_unit_id}, {p.country_code for p in parts if p.country_code}
        )
    full_units: dict[int, set[int]] = defaultdict(set)
    whole: dict[int, list] = defaultdict(list)
    shapes: dict[int, list] = defaultdict(list)
    for org_id, kind, country, unit_id, wkb in parts:
        if kind in (CoverageKind.COUNTRY, CoverageKind.ADMIN_UNIT):
            key = ("country", country) if kind == CoverageKind.COUNTRY else ("unit", unit_id)
            full_units[org_id].update(hierarchy.leaves.get(key, []))
            whole[org_id].append(key)
        elif wkb:
            shapes[org_id].append(shapely.from_wkb(wkb))
    drawn = {org_id: union_parts(geoms) for org_id, geoms in shapes.items()}
    rows = coverage._unit_rows(ids, full_units, drawn, units, hierarchy.area_km2)
    db.session.execute(delete(UnitCoverage).where(UnitCoverage.organisation_id.in_(ids)))
    if rows:
        db.session.execute(UnitCoverage.__table__.insert(), rows)
    coverage._write_geometries(ids, whole, drawn, rows)
    db.session.execute(delete(DistrictCoverage).where(DistrictCoverage.organisation_id.in_(ids)))
    insert_district_coverage_of(ids)  # was: _insert_district_coverage(UnitCoverage.organisation_id.in_(ids))


def apply_schema() -> float:
    """No schema change in the current proposals."""
    return 0.0


def analyze() -> float:
    """Statistics are refreshed by the app itself after bulk commands now."""
    return 0.0


def revert_schema() -> None:
    pass


def patches() -> list:
    """The mock.patch objects that put the proposals in place."""
    if hasattr(coverage, "_Districts"):
        raise RuntimeError("P1 applies to commits 70015d0..fc888d0; this version sums district coverage in Python")
    return [
        mock.patch.object(coverage, "_recompute_batch", recompute_batch),
    ]
