"""Importing official consular district definitions (the readers: geography.official_read).

The whole file is checked before anything is written. Each row's units become official for its
consulate, with the row's source (geography.district_sources). With scope `district` (the default)
the file's units are the consulate's whole district: its other official units are dropped, and the
default adds none. With scope `units` they are added to it. A unit given to one consulate leaves the
district that held it. Then every unit of the host country that no official source assigns goes to
the nearest consulate of that sending country (geography.districts.rebuild_group): the units an
import takes from a district, or leaves out, fall back to the default, and no unit is left without a
district of a sending country that has consulates there. District coverage is recomputed for the
districts that changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.district_moves import compare, snapshot
from directory_app.geography.district_sources import remove_unused_sources, store_sources
from directory_app.geography.district_units import district_for
from directory_app.geography.districts import official_units, rebuild_group
from directory_app.geography.models import AdminUnit, Consulate, DistrictSource
from directory_app.geography.official_read import POLYGON_DRIVERS, OfficialFile, read_csv, read_polygons


def import_official_districts(
    path: Path,
    *,
    refresh_coverage: Callable[[list[int]], None],
    label: str | None = None,
    shipped: bool = False,
    keep_uploaded: bool = False,
) -> dict:
    """Import the file's districts; `refresh_coverage(district_ids)` then recomputes who serves the
    districts that changed (organisations.coverage.refresh_district_coverage: geography knows no
    organisation, so the caller hands it in). `label` names the file (the default source; default:
    its name). `shipped`: the project's own data/districts/. `keep_uploaded`: leave the units that an
    uploaded file (not the project's data) made official as they are (what `flask setup` does).

    Returns the counts, the warnings, the unit moves (district_moves.UnitMove) and how many rows
    were left alone because of keep_uploaded."""
    path = Path(path)
    label = (label or path.name)[:200]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        parsed = read_csv(path, label)
    elif suffix in POLYGON_DRIVERS:
        parsed = read_polygons(path, POLYGON_DRIVERS[suffix], label)
    else:
        raise ValidationError(_("use a .csv, .geojson or .gpkg file"), source=str(path))
    if not parsed.assignment:
        raise ValidationError(_("the file defines no district"), source=str(path))
    _check_no_unit_twice(parsed, path)
    source_ids = store_sources(
        {key for units in parsed.assignment.values() for key in units.values()}, label, shipped=shipped
    )
    groups = {(sending, parsed.hosts[(consulate_id, sending)]) for consulate_id, sending in parsed.assignment}
    before = snapshot(groups)
    changed, kept = _apply(parsed, source_ids, keep_uploaded)
    remove_unused_sources()
    db.session.flush()
    moves = compare(before, snapshot(groups))
    refresh_coverage(sorted(changed))
    return {
        "districts": len(parsed.assignment),
        "units": sum(len(u) for u in parsed.assignment.values()),
        "warnings": parsed.warnings,
        "moves": moves,
        "kept": kept,
    }


def _apply(parsed: OfficialFile, source_ids: dict, keep_uploaded: bool) -> tuple[set[int], int]:
    protected = (
        set(db.session.scalars(select(DistrictSource.id).where(DistrictSource.shipped.is_(False))))
        if keep_uploaded
        else set()
    )
    by_group: dict[tuple[str, str], list] = defaultdict(list)
    for key in sorted(parsed.assignment):
        by_group[(key[1], parsed.hosts[key])].append(key)
    changed: set[int] = set()
    kept = 0
    for (sending, host), keys in sorted(by_group.items()):
        official = official_units(sending, host)
        for consulate_id, _sending in keys:
            if parsed.scopes[(consulate_id, sending)] != "district":
                continue
            official = {u: v for u, v in official.items() if v[0] != consulate_id or v[1] in protected}
            district = district_for(db.session.get(Consulate, consulate_id), sending)
            district.is_complete = True
        for consulate_id, _sending in keys:
            for unit, source in parsed.assignment[(consulate_id, sending)].items():
                current = official.get(unit)
                if current is not None and current[1] in protected:
                    kept += 1
                    continue
                official[unit] = (consulate_id, source_ids[source])
        changed |= rebuild_group(sending, host, official)["changed"]
    return changed, kept


def _check_no_unit_twice(parsed: OfficialFile, path: Path) -> None:
    owner: dict[tuple[str, int], int] = {}
    for (consulate_id, sending), units in parsed.assignment.items():
        for unit in units:
            previous = owner.setdefault((sending, unit), consulate_id)
            if previous != consulate_id:
                code = db.session.scalar(select(AdminUnit.code).where(AdminUnit.id == unit))
                raise ValidationError(
                    _("admin unit %(unit)s is given to two consulates of %(country)s", unit=code, country=sending),
                    source=str(path),
                )
