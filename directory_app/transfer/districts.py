"""Importing official consular districts with the same preview/commit pattern as organisations.

The import itself is geography.official.import_official_districts (CSV of unit codes, or GeoJSON /
GeoPackage polygons), which checks the whole file before it writes. The preview runs it inside the
request's transaction, compares every district's units before and after, and rolls back; the
commit runs it again and the caller commits. (On SQLite the preview holds the write lock for the
few seconds it takes.) The report lists the units that change district (the units the file takes
from a district or leaves out go back to the nearest consulate): counts per move and every unit.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.district_moves import UnitMove, move_counts
from directory_app.geography.models import ConsularDistrict, district_unit
from directory_app.geography.official import import_official_districts
from directory_app.organisations.coverage import refresh_district_coverage
from directory_app.transfer.uploads import Upload
from geo.validate import GeometryError

_SUFFIXES = {"csv": ".csv", "geojson": ".geojson", "gpkg": ".gpkg"}


@dataclass(frozen=True)
class DistrictChange:
    code: str
    action: str  # create, update, unchanged (imported again), remove (an approximate district emptied)
    units_before: int
    units_after: int


@dataclass(frozen=True)
class DistrictReport:
    changes: list[DistrictChange]
    districts: int
    units: int
    warnings: list[str]
    moves: list[UnitMove] = field(default_factory=list)

    @property
    def moved(self) -> list[UnitMove]:
        """The units that change district."""
        return [m for m in self.moves if m.moved]

    @property
    def move_counts(self) -> list[tuple[str | None, str | None, int]]:
        """(district before, district after, number of units), None for no district."""
        return move_counts(self.moves)

    @property
    def made_official(self) -> int:
        """Units that stay in their district and become official."""
        return sum(1 for m in self.moves if not m.moved and m.official_after and not m.official_before)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def unchanged(self) -> int:
        """Districts of the file whose units and official status were already as the file says."""
        return max(0, self.districts - self.count("create") - self.count("update"))


def _state() -> dict[str, tuple[bool, frozenset[int]]]:
    units: dict[int, set[int]] = {}
    for district_id, unit_id in db.session.execute(select(district_unit.c.district_id, district_unit.c.admin_unit_id)):
        units.setdefault(district_id, set()).add(unit_id)
    return {
        code: (approximate, frozenset(units.get(district_id, ())))
        for district_id, code, approximate in db.session.execute(
            select(ConsularDistrict.id, ConsularDistrict.code, ConsularDistrict.is_approximate)
        )
    }


def _named_copy(upload: Upload) -> Path:
    """official.py chooses its reader by suffix: give it a copy named after the checked content."""
    suffix = _SUFFIXES.get(upload.format)
    if suffix is None:
        raise ValidationError(_("Consular districts come as CSV, GeoJSON or GeoPackage."))
    if upload.path.suffix == suffix:  # saved under its own name already (uploads.STORED_NAMES)
        return upload.path
    stem = Path(secure_filename(upload.original_name) or "districts").stem or "districts"
    target = upload.path.parent / f"{stem}{suffix}"
    if not target.exists():
        shutil.copyfile(upload.path, target)
    return target


def import_districts(upload: Upload) -> DistrictReport:
    """Import the districts of a checked upload into the session (not committed) and say what changed."""
    before = _state()
    try:
        result = import_official_districts(
            _named_copy(upload), refresh_coverage=refresh_district_coverage, label=upload.original_name
        )
    except GeometryError as exc:
        raise ValidationError(geo_text(exc)) from None
    except ValidationError as exc:
        if exc.source:  # the reader names the copy on the server: name the person's file instead
            exc.source = upload.original_name
        raise
    db.session.flush()
    after = _state()
    changes = []
    for code in sorted(set(before) | set(after)):
        old, new = before.get(code), after.get(code)
        if old == new:
            continue
        if new is None:
            changes.append(DistrictChange(code, "remove", len(old[1]), 0))
        elif old is None:
            changes.append(DistrictChange(code, "create", 0, len(new[1])))
        else:
            changes.append(DistrictChange(code, "update", len(old[1]), len(new[1])))
    return DistrictReport(changes, result["districts"], result["units"], result["warnings"], result["moves"])


def preview_districts(upload: Upload) -> DistrictReport:
    """What importing the file would change; nothing stays written."""
    try:
        return import_districts(upload)
    finally:
        db.session.rollback()
