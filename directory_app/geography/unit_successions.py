"""Units that a new boundary vintage no longer has: what replaces them, and moving what named them.

A boundary file may drop units that a database loaded from an older file still holds (the 2017
counties of Connecticut, replaced in 2022 by nine planning regions; Valdez-Cordova, split in 2019).
data/boundaries/us_county_successors.csv (written by scripts/build_boundaries.py from the overlap
of the two vintages) names, for each such county, every new unit that holds a real part of it, with
the share of the old county it holds (`share_of_old`) and the share of the new unit that lay in the
old county (`share_of_new`).

`retire_units` runs after the new units are loaded (geography.loading): for every unit of the
database that the files no longer have, it
- moves its place in districts: each successor joins, for each sending country, the district that
  held the predecessor with the largest part of the successor (with the same official source, or
  none for a default unit), and the districts' geometry, area and counts are recomputed;
- moves consulates placed in it to the successor that holds their point;
- hands the rest to `replace_references` (organisations: coverage parts naming the unit become parts
  naming all its successors, so that every place the organisation covered stays covered; sites are
  placed again; coverage is recomputed), then deletes the unit.
A dropped unit that anything still names and that has no successor stops the load with a message
naming it (the caller's transaction then leaves the database unchanged).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import shapely
from sqlalchemy import delete, func, select

from directory_app.extensions import db
from directory_app.geography.district_units import set_district_units
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit

SUCCESSORS_FILE = "us_county_successors.csv"

# old unit id -> its successors' ids; the district ids whose units changed. Returns how many
# organisations it changed. The caller (flask setup) hands in organisations.unit_moves.
ReplaceReferences = Callable[[dict[int, list[int]], list[int]], int]


@dataclass(frozen=True)
class Successor:
    code: str
    share_of_old: float  # the part of the old unit's area that this unit holds
    share_of_new: float  # the part of this unit's area that lay in the old unit


def read_successors(directory: Path) -> dict[str, list[Successor]]:
    """old code -> its successors, from `directory`/us_county_successors.csv (none without the file)."""
    path = Path(directory) / SUCCESSORS_FILE
    if not path.exists():
        return {}
    found: dict[str, list[Successor]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                found[row["old_code"]].append(
                    Successor(row["new_code"], float(row["share_of_old"]), float(row["share_of_new"]))
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}: line {line}: {exc!r} is not a successor row") from None
    return dict(found)


@dataclass(frozen=True)
class FormerUnit:
    """A unit the boundary files no longer have, as a rule written before may still name it."""

    code: str
    name: str
    stands_for: tuple[str, ...]  # the new units of which it held the largest part


def former_units(directory: Path) -> dict[str, FormerUnit]:
    """old code -> what an official district rule naming it means now: the successors of which it
    held the largest part (a planning region lying mostly in the old county goes with that county's
    rule), so that a rule naming every old county of a state names every new unit once. An old unit
    that is the largest part of none (Tolland County: most of it is in the Capitol region, which is
    mostly Hartford County) stands for the successor holding most of it."""
    path = Path(directory) / SUCCESSORS_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    main: dict[str, tuple[float, str]] = {}
    for row in rows:
        share = float(row["share_of_new"])
        if row["new_code"] not in main or share > main[row["new_code"]][0]:
            main[row["new_code"]] = (share, row["old_code"])
    names = {row["old_code"]: row["old_name"] for row in rows}
    largest: dict[str, tuple[float, str]] = {}
    for row in rows:
        share = float(row["share_of_old"])
        if row["old_code"] not in largest or share > largest[row["old_code"]][0]:
            largest[row["old_code"]] = (share, row["new_code"])
    found = {}
    for old, name in sorted(names.items()):
        stands_for = tuple(sorted(new for new, (_s, o) in main.items() if o == old)) or (largest[old][1],)
        found[old] = FormerUnit(old, name, stands_for)
    return found


def retire_units(
    kept_codes: set[str],
    successors: dict[str, list[Successor]],
    replace_references: ReplaceReferences | None = None,
) -> dict[str, int]:
    """Replace every unit whose code is not in `kept_codes` by its successors, then delete it."""
    retired = list(
        db.session.scalars(
            select(AdminUnit).where(AdminUnit.code.not_in(sorted(kept_codes))).order_by(AdminUnit.level.desc())
        )
    )
    if not retired:
        return {"retired": 0, "organisations": 0}
    for unit in retired:  # out of every look-up of leaf units from here on (sites, coverage)
        unit.is_leaf = False
    db.session.flush()
    ids = {u.code: u.id for u in db.session.execute(select(AdminUnit.code, AdminUnit.id)).all()}
    moves: dict[int, list[tuple[int, Successor]]] = {}
    for unit in retired:
        found = [(ids[s.code], s) for s in successors.get(unit.code, []) if s.code in kept_codes and s.code in ids]
        if not found and _geography_references(unit.id):
            raise ValueError(
                f"admin unit {unit.code} ({unit.name_en}) is no longer in the boundary files, districts or "
                f"consulates still name it, and {SUCCESSORS_FILE} names no unit that replaces it"
            )
        moves[unit.id] = found
    touched = _move_district_units(moves)
    _move_consulates(moves)
    plain = {old: [new for new, _s in found] for old, found in moves.items()}
    organisations = 0
    if replace_references is not None:
        organisations = replace_references(plain, sorted(touched))
    db.session.flush()
    for unit in retired:
        db.session.delete(unit)
    db.session.flush()
    return {"retired": len(retired), "organisations": organisations}


def _geography_references(unit_id: int) -> bool:
    in_districts = db.session.scalar(
        select(func.count()).select_from(district_unit).where(district_unit.c.admin_unit_id == unit_id)
    )
    in_consulates = db.session.scalar(
        select(func.count()).select_from(Consulate).where(Consulate.admin_unit_id == unit_id)
    )
    return bool(in_districts or in_consulates)


def _move_district_units(moves: dict[int, list[tuple[int, Successor]]]) -> set[int]:
    """Each successor joins, per sending country, the district of the predecessor that held most of
    it (keeping that assignment's source). Returns the districts whose units changed."""
    old_ids = list(moves)
    rows = db.session.execute(
        select(
            district_unit.c.district_id,
            district_unit.c.admin_unit_id,
            district_unit.c.source_id,
            ConsularDistrict.sending_country_code,
        )
        .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
        .where(district_unit.c.admin_unit_id.in_(old_ids))
    ).all()
    if not rows:
        return set()
    taken = {
        (sending, unit)
        for sending, unit in db.session.execute(
            select(ConsularDistrict.sending_country_code, district_unit.c.admin_unit_id).join(
                ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id
            )
        )
    }
    best: dict[tuple[str, int], tuple[float, int, int | None]] = {}
    for district_id, old_id, source_id, sending in rows:
        for new_id, successor in moves[old_id]:
            key = (sending, new_id)
            if key in taken:
                continue
            candidate = (successor.share_of_new, district_id, source_id)
            if key not in best or candidate[0] > best[key][0]:
                best[key] = candidate
    touched = {district_id for district_id, *_rest in rows}
    added: dict[int, dict[int, int | None]] = defaultdict(dict)
    for (_sending, new_id), (_share, district_id, source_id) in best.items():
        added[district_id][new_id] = source_id
    for district_id in sorted(touched):
        current = dict(
            db.session.execute(
                select(district_unit.c.admin_unit_id, district_unit.c.source_id).where(
                    district_unit.c.district_id == district_id
                )
            ).all()
        )
        units = {u: s for u, s in current.items() if u not in moves}
        units.update(added.get(district_id, {}))
        set_district_units(db.session.get(ConsularDistrict, district_id), units)
    db.session.execute(delete(district_unit).where(district_unit.c.admin_unit_id.in_(old_ids)))
    return touched


def _move_consulates(moves: dict[int, list[tuple[int, Successor]]]) -> None:
    """A consulate placed in a retired unit goes to the successor holding its point (else to the one
    holding most of the old unit)."""
    for consulate in db.session.scalars(select(Consulate).where(Consulate.admin_unit_id.in_(list(moves)))):
        found = moves[consulate.admin_unit_id]
        point = shapely.Point(consulate.lon, consulate.lat)
        inside = [new_id for new_id, _s in found if db.session.get(AdminUnit, new_id).geometry.covers(point)]
        fallback = max(found, key=lambda item: item[1].share_of_old)[0] if found else None
        consulate.admin_unit_id = min(inside, default=fallback)
    db.session.flush()
