"""Consular districts: official units kept, every other unit to the nearest consulate.

For each (sending country, host country) pair with permanent consulates, every leaf admin unit of
the host country (a county in the US, an admin-1 unit elsewhere) belongs to exactly one district of
that sending country:
- a unit with an official assignment (district_unit.source_id, from an import or data/districts/)
  stays with its consulate;
- every other unit goes to the nearest permanent consulate of the sending country in that host
  country, measured geodesically from the unit's label point, among the consulates whose district
  is not complete (a complete district is all that its official source defines). A unit that holds
  offices of the sending country goes to the highest-ranked of them. When every consulate's district
  is complete and units are left over, they go to the nearest of all, so that no unit is left
  without a district.
Consulates that get no unit that way (a second office in the same state) have no district.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import delete, select

from directory_app.extensions import db
from directory_app.geography.district_units import (
    DEFAULT_SOURCE,
    UnitSources,
    district_code,
    district_for,
    set_district_units,
)
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, ConsulateKind, district_unit
from geo.nearest import nearest_target

__all__ = [
    "DEFAULT_SOURCE",
    "build_default_districts",
    "district_code",
    "district_groups",
    "official_units",
    "rebuild_group",
]

Group = tuple[str, str]  # (sending country, host country)
Official = dict[int, tuple[int, int]]  # unit id -> (consulate id, source id)


def district_groups() -> set[Group]:
    """Every (sending, host) pair with a permanent consulate or a district."""
    groups = {
        (country.code, consulate.host_country_code)
        for consulate in db.session.scalars(select(Consulate))
        if consulate.has_district
        for country in consulate.sending_countries
    }
    groups |= set(
        db.session.execute(
            select(ConsularDistrict.sending_country_code, Consulate.host_country_code).join(
                Consulate, Consulate.id == ConsularDistrict.consulate_id
            )
        ).all()
    )
    return groups


def build_default_districts(*, refresh_coverage: Callable[[list[int]], None]) -> dict[str, int]:
    """(Re)assign every unit of every pair; official units stay where they are. `refresh_coverage(ids)`
    then recomputes who serves the districts that changed (the caller hands in organisations.coverage's)."""
    changed: set[int] = set()
    removed = 0
    for group in sorted(district_groups()):
        result = rebuild_group(*group)
        changed |= result["changed"]
        removed += result["removed"]
    refresh_coverage(sorted(changed))
    approximate = db.session.scalar(
        select(db.func.count()).select_from(ConsularDistrict).where(ConsularDistrict.is_approximate.is_(True))
    )
    return {"approximate": approximate, "removed": removed}


def official_units(sending: str, host: str) -> Official:
    rows = db.session.execute(
        select(district_unit.c.admin_unit_id, ConsularDistrict.consulate_id, district_unit.c.source_id)
        .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(
            ConsularDistrict.sending_country_code == sending,
            Consulate.host_country_code == host,
            district_unit.c.source_id.is_not(None),
        )
    ).all()
    return {unit: (consulate, source) for unit, consulate, source in rows}


def rebuild_group(sending: str, host: str, official: Official | None = None) -> dict:
    """Assign every leaf unit of `host` to a district of `sending`: the official units (read from the
    database, or `official` when an import hands in the new ones) to their consulates, the others by
    the nearest-consulate default. Writes only the districts whose units change; removes those left
    empty. Returns {"changed": district ids written, "removed": how many were removed}."""
    official = official_units(sending, host) if official is None else official
    districts = {
        d.consulate_id: d
        for d in db.session.scalars(
            select(ConsularDistrict)
            .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
            .where(ConsularDistrict.sending_country_code == sending, Consulate.host_country_code == host)
        )
    }
    wanted: dict[int, UnitSources] = defaultdict(dict)
    for unit, (consulate_id, source) in official.items():
        wanted[consulate_id][unit] = source
    for consulate_id, units in _default_units(sending, host, set(official), districts).items():
        wanted[consulate_id].update(dict.fromkeys(units))
    current = _current([d.id for d in districts.values()])
    changed: set[int] = set()
    for consulate_id, units in sorted(wanted.items()):
        existing = districts.get(consulate_id)
        if existing is not None and current.get(existing.id) == units and existing.unit_count == len(units):
            continue
        district = existing or district_for(db.session.get(Consulate, consulate_id), sending)
        set_district_units(district, units)
        changed.add(district.id)
    empty = [d.id for consulate_id, d in districts.items() if not wanted.get(consulate_id)]
    if empty:
        db.session.execute(delete(ConsularDistrict).where(ConsularDistrict.id.in_(empty)))
        db.session.flush()
    return {"changed": changed, "removed": len(empty)}


def _current(district_ids: list[int]) -> dict[int, UnitSources]:
    """district id -> its units as written now."""
    current: dict[int, UnitSources] = defaultdict(dict)
    rows = db.session.execute(
        select(district_unit.c.district_id, district_unit.c.admin_unit_id, district_unit.c.source_id).where(
            district_unit.c.district_id.in_(district_ids)
        )
    )
    for district_id, unit, source in rows:
        current[district_id][unit] = source
    return current


def _default_units(
    sending: str, host: str, taken: set[int], districts: dict[int, ConsularDistrict]
) -> dict[int, list[int]]:
    """consulate id -> the units the default gives it: the units not in `taken`, each to the nearest
    consulate whose district is not complete (to the nearest of all when every one is complete)."""
    group = [
        c
        for c in db.session.scalars(
            select(Consulate).where(Consulate.host_country_code == host).order_by(Consulate.code)
        )
        if c.has_district and sending in {country.code for country in c.sending_countries}
    ]
    complete = {consulate_id for consulate_id, d in districts.items() if d.is_complete}
    candidates = [c for c in group if c.id not in complete] or group
    units = db.session.execute(
        select(AdminUnit.id, AdminUnit.label_lon, AdminUnit.label_lat)
        .where(AdminUnit.country_code == host, AdminUnit.is_leaf.is_(True))
        .order_by(AdminUnit.id)
    ).all()
    pool = [u for u in units if u.id not in taken]
    if not candidates or not pool:
        return {}
    best, _ = nearest_target(
        [u.label_lon for u in pool],
        [u.label_lat for u in pool],
        [c.lon for c in candidates],
        [c.lat for c in candidates],
    )
    resident = _highest_ranked_resident(candidates)
    assigned: dict[int, list[int]] = defaultdict(list)
    for unit, idx in zip(pool, best):
        assigned[candidates[resident.get(unit.id, int(idx))].id].append(unit.id)
    return assigned


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
