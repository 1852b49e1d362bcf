"""Organisations whose coverage or sites name admin units that a boundary update retires.

geography.unit_successions hands over `moves` (retired unit id -> the ids of the units that replace
it) when `flask setup` loads boundaries that no longer have some units of the database. Here:
- an admin-unit coverage part naming a retired unit becomes one part per successor (the parts the
  organisation already has are not doubled; the label is kept), so that every place it covered stays
  covered: a Connecticut county becomes every planning region holding a real part of it;
- its rows of unit coverage go, and sites placed in a retired unit are placed again (unit, public
  position of a hidden site, grid keys);
- the coverage of every organisation concerned is recomputed (unit and district coverage, geometry,
  area), and then who serves the districts whose units changed.
No revision is written and the version does not change: the organisation says the same thing about
where it works, in the units of the new boundaries.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit
from directory_app.geography.units import leaf_units
from directory_app.organisations.coverage import recompute_coverage, refresh_district_coverage
from directory_app.organisations.models import CoverageKind, CoveragePart, Location, Organisation, UnitCoverage
from directory_app.organisations.sites import place_sites


def move_unit_references(moves: dict[int, list[int]], district_ids: list[int]) -> int:
    """Move coverage parts and sites off the retired units; recompute. Returns how many organisations
    changed. Raises ValueError when a retired unit that a part names has no successor."""
    retired = list(moves)
    organisations = _move_parts(moves)
    organisations |= set(
        db.session.scalars(select(UnitCoverage.organisation_id).where(UnitCoverage.admin_unit_id.in_(retired)))
    )
    db.session.execute(delete(UnitCoverage).where(UnitCoverage.admin_unit_id.in_(retired)))
    organisations |= _place_sites_again(retired)
    db.session.flush()
    recompute_coverage(sorted(organisations))
    refresh_district_coverage(district_ids)
    return len(organisations)


def _move_parts(moves: dict[int, list[int]]) -> set[int]:
    parts = list(
        db.session.scalars(
            select(CoveragePart)
            .where(CoveragePart.kind == CoverageKind.ADMIN_UNIT, CoveragePart.admin_unit_id.in_(list(moves)))
            .order_by(CoveragePart.id)
        )
    )
    if not parts:
        return set()
    owners = {p.organisation_id for p in parts}
    has: dict[int, set[int]] = {o: set() for o in owners}
    for org_id, unit_id in db.session.execute(
        select(CoveragePart.organisation_id, CoveragePart.admin_unit_id).where(
            CoveragePart.organisation_id.in_(owners), CoveragePart.kind == CoverageKind.ADMIN_UNIT
        )
    ):
        has[org_id].add(unit_id)
    for part in parts:
        successors = moves[part.admin_unit_id]
        if not successors:
            code = db.session.get(AdminUnit, part.admin_unit_id).code
            raise ValueError(
                f"admin unit {code} is no longer in the boundary files and names no unit that replaces it, "
                f"but the coverage of organisation {part.organisation_id} names it"
            )
        for unit_id in successors:
            if unit_id not in has[part.organisation_id]:
                has[part.organisation_id].add(unit_id)
                db.session.add(
                    CoveragePart(
                        organisation_id=part.organisation_id,
                        kind=CoverageKind.ADMIN_UNIT,
                        admin_unit_id=unit_id,
                        label=part.label,
                    )
                )
        db.session.delete(part)
    db.session.flush()
    return owners


def _place_sites_again(retired: list[int]) -> set[int]:
    rows = db.session.execute(
        select(Location, Organisation.hide_exact_location)
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(Location.admin_unit_id.in_(retired))
        .order_by(Location.id)
    ).all()
    if not rows:
        return set()
    lons, lats = [r.Location.lon for r in rows], [r.Location.lat for r in rows]
    units = leaf_units(bbox=(min(lons), min(lats), max(lons), max(lats)))
    labels = {
        r.id: (r.label_lon, r.label_lat)
        for r in db.session.execute(
            select(AdminUnit.id, AdminUnit.label_lon, AdminUnit.label_lat).where(
                AdminUnit.id.in_([int(i) for i in units.ids])
            )
        )
    }
    placements = place_sites(units, labels, [(r.Location.lon, r.Location.lat, r.hide_exact_location) for r in rows])
    for row, placement in zip(rows, placements):
        for column, value in placement.columns().items():
            setattr(row.Location, column, value)
    return {r.Location.organisation_id for r in rows}
