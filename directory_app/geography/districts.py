"""Consular districts: the approximate default, official imports, and their geometry.

Default (until official definitions are loaded): every leaf admin unit of a host country (a
county in the US, an admin-1 unit elsewhere) goes to the nearest permanent consulate of each
sending country in that host country, measured geodesically from the unit's label point; a
unit that holds offices of the sending country goes to the highest-ranked of them. Consulates
that lose their own unit that way (a second office in the same state) get no default district.
Such districts are flagged `is_approximate`, and the flag is shown wherever a district is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import shapely
from sqlalchemy import delete, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, ConsulateKind, district_unit
from geo.coverage import union_of_units
from geo.nearest import nearest_target

DEFAULT_SOURCE = "approximate default: each unit to the nearest consulate of the sending country"


def district_code(consulate: Consulate, sending_country_code: str) -> str:
    return consulate.code if not consulate.is_joint else f"{consulate.code}/{sending_country_code}"


def build_default_districts(*, refresh_coverage: Callable[[list[int]], None]) -> dict[str, int]:
    """(Re)build every approximate district; official ones are left as they are. `refresh_coverage(ids)`
    then recomputes who serves the districts kept (the caller hands in organisations.coverage's)."""
    consulates = [c for c in db.session.scalars(select(Consulate).order_by(Consulate.code)) if c.has_district]
    groups: dict[tuple[str, str], list[Consulate]] = defaultdict(list)
    for consulate in consulates:
        for country in consulate.sending_countries:
            groups[(country.code, consulate.host_country_code)].append(consulate)
    official = _official_units()
    kept: set[int] = set()
    for (sending, host), group in sorted(groups.items()):
        units = db.session.execute(
            select(AdminUnit.id, AdminUnit.label_lon, AdminUnit.label_lat)
            .where(AdminUnit.country_code == host, AdminUnit.is_leaf.is_(True))
            .order_by(AdminUnit.id)
        ).all()
        taken = official.get((sending, host), {})
        candidates = [c for c in group if c.id not in taken]
        pool = [u for u in units if u.id not in set().union(*taken.values())] if taken else units
        if not candidates or not pool:
            continue
        best, _ = nearest_target(
            [u.label_lon for u in pool],
            [u.label_lat for u in pool],
            [c.lon for c in candidates],
            [c.lat for c in candidates],
        )
        resident = _highest_ranked_resident(candidates)
        assigned: dict[int, list[int]] = defaultdict(list)
        for unit, idx in zip(pool, best):
            assigned[resident.get(unit.id, int(idx))].append(unit.id)
        for idx, unit_ids in assigned.items():
            district = district_for(candidates[idx], sending)
            district.is_approximate = True
            district.source = DEFAULT_SOURCE
            set_district_units(district, unit_ids)
            kept.add(district.id)
    stale = db.session.scalars(
        select(ConsularDistrict.id).where(ConsularDistrict.is_approximate.is_(True), ConsularDistrict.id.not_in(kept))
    ).all()
    if stale:
        db.session.execute(delete(ConsularDistrict).where(ConsularDistrict.id.in_(stale)))
    refresh_coverage(sorted(kept))
    return {"approximate": len(kept), "removed": len(stale)}


_RANK = {ConsulateKind.CONSULATE_GENERAL: 0, ConsulateKind.CONSULATE: 1, ConsulateKind.CONSULAR_SECTION: 2}


def _highest_ranked_resident(candidates: list[Consulate]) -> dict[int, int]:
    """For each unit that holds consulates of the sending country: the index of the one that
    gets it (a consulate general before a consulate, then by code). Without this rule a unit
    holding several offices (Chiapas: Tapachula, Comitán, Ciudad Hidalgo) would go to whichever
    lies nearest the unit's centre, and the main office would get no district at all."""
    resident: dict[int, int] = {}
    for idx, consulate in enumerate(candidates):
        unit = consulate.admin_unit_id
        if unit is None:
            continue
        current = resident.get(unit)
        if current is None or (_RANK[consulate.kind], consulate.code) < (
            _RANK[candidates[current].kind],
            candidates[current].code,
        ):
            resident[unit] = idx
    return resident


def _official_units() -> dict[tuple[str, str], dict[int, set[int]]]:
    """For each (sending, host) pair: consulate id -> the units of its official district."""
    rows = db.session.execute(
        select(
            ConsularDistrict.sending_country_code,
            Consulate.host_country_code,
            Consulate.id,
            district_unit.c.admin_unit_id,
        )
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
        .where(ConsularDistrict.is_approximate.is_(False))
    ).all()
    result: dict[tuple[str, str], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for sending, host, consulate_id, unit_id in rows:
        result[(sending, host)][consulate_id].add(unit_id)
    return result


def district_for(consulate: Consulate, sending: str) -> ConsularDistrict:
    district = db.session.scalar(
        select(ConsularDistrict).where(
            ConsularDistrict.consulate_id == consulate.id, ConsularDistrict.sending_country_code == sending
        )
    )
    if district is None:
        district = ConsularDistrict(
            consulate=consulate, sending_country_code=sending, code=district_code(consulate, sending), source=""
        )
        db.session.add(district)
    return district


def set_district_units(district: ConsularDistrict, unit_ids: list[int]) -> None:
    """Give the district exactly these leaf units and recompute its geometry and area."""
    db.session.flush()
    db.session.execute(delete(district_unit).where(district_unit.c.district_id == district.id))
    unit_ids = sorted(set(unit_ids))
    if unit_ids:
        db.session.execute(district_unit.insert(), [{"district_id": district.id, "admin_unit_id": u} for u in unit_ids])
    rows = db.session.execute(
        select(AdminUnit.geom_wkb, AdminUnit.display_wkb, AdminUnit.area_km2).where(AdminUnit.id.in_(unit_ids))
    ).all()
    district.set_geometry(union_of_units(shapely.from_wkb([r.geom_wkb for r in rows])) if rows else None)
    district.display_wkb = (
        shapely.to_wkb(union_of_units(shapely.from_wkb([r.display_wkb for r in rows]))) if rows else None
    )
    district.area_km2 = float(sum(r.area_km2 for r in rows))
    db.session.expire(district, ["units"])
