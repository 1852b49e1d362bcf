"""Which units change district when official districts are imported: a snapshot of every unit's
district (per sending country) before and after, compared."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, tuple_

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit

Snapshot = dict[tuple[str, int], tuple[str, bool]]  # (sending, unit id) -> (district code, official)


@dataclass(frozen=True)
class UnitMove:
    sending: str
    unit_code: str
    unit_name: str
    before: str | None  # district code, None: no district
    after: str | None
    official_before: bool
    official_after: bool

    @property
    def moved(self) -> bool:
        return self.before != self.after


def snapshot(groups: set[tuple[str, str]]) -> Snapshot:
    """Every unit's district in the (sending, host) pairs."""
    if not groups:
        return {}
    rows = db.session.execute(
        select(
            ConsularDistrict.sending_country_code,
            district_unit.c.admin_unit_id,
            ConsularDistrict.code,
            district_unit.c.source_id,
        )
        .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(tuple_(ConsularDistrict.sending_country_code, Consulate.host_country_code).in_(sorted(groups)))
    )
    return {(sending, unit): (code, source is not None) for sending, unit, code, source in rows}


def compare(before: Snapshot, after: Snapshot) -> list[UnitMove]:
    """The units whose district, or whose official status, changed; by sending country, district
    before and after, unit code."""
    keys = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    names = dict(
        (unit_id, (code, name))
        for unit_id, code, name in db.session.execute(
            select(AdminUnit.id, AdminUnit.code, AdminUnit.name_local).where(
                AdminUnit.id.in_({unit for _, unit in keys})
            )
        )
    )
    moves = []
    for sending, unit in keys:
        old, new = before.get((sending, unit), (None, False)), after.get((sending, unit), (None, False))
        code, name = names[unit]
        moves.append(UnitMove(sending, code, name, old[0], new[0], old[1], new[1]))
    return sorted(moves, key=lambda m: (m.sending, m.before or "", m.after or "", m.unit_code))


def move_counts(moves: list[UnitMove]) -> list[tuple[str | None, str | None, int]]:
    """(district before, district after, how many units) for the units that change district."""
    counts = Counter((m.before, m.after) for m in moves if m.moved)
    return [
        (before, after, n)
        for (before, after), n in sorted(counts.items(), key=lambda i: (i[0][0] or "", i[0][1] or ""))
    ]
