"""Importing official consular district definitions.

Two formats:
- CSV with columns `consulate_code`, `admin_unit_code` and, for joint consulates,
  `sending_country`: one row per admin unit. An admin-1 code stands for all its leaf units
  (a US state for its counties).
- GeoJSON (or any polygon file GDAL reads: GeoPackage) with a `consulate_code` property (and
  `sending_country` for joint consulates): each leaf unit of the host country goes to the
  polygon that covers most of it, when that is at least half of the unit.

The whole file is checked before anything is written. The imported districts lose their
"approximate" flag; their units are taken out of other approximate districts of the same
sending country, and district coverage is recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.csvfiles import read_rows
from directory_app.geography.districts import district_for, set_district_units
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit
from directory_app.geography.units import expand_to_leaves, leaf_units
from geo.files import read_vector
from geo.validate import GeometryError, check_polygonal

MAJORITY = 0.5
_POLYGON_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}

Assignment = dict[tuple[int, str], set[int]]  # (consulate id, sending country) -> leaf unit ids


def import_official_districts(path: Path, *, refresh_coverage: Callable[[list[int]], None]) -> dict:
    """Replace the districts the file defines; `refresh_coverage(district_ids)` then recomputes who serves
    the districts that changed (organisations.coverage.refresh_district_coverage: geography knows no
    organisation, so the caller hands it in)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        assignment, warnings = _read_csv(path)
    elif suffix in _POLYGON_DRIVERS:
        assignment, warnings = _read_polygons(path, _POLYGON_DRIVERS[suffix])
    else:
        raise ValidationError(_("use a .csv, .geojson or .gpkg file"), source=str(path))
    if not assignment:
        raise ValidationError(_("the file defines no district"), source=str(path))
    _check_no_unit_twice(assignment, path)
    touched = _apply(assignment, f"official: {path.name}")
    refresh_coverage(sorted(touched))
    return {"districts": len(assignment), "units": sum(len(u) for u in assignment.values()), "warnings": warnings}


def _consulate(code: str, sending: str, row: int | None, source: str) -> tuple[Consulate, str]:
    consulate = db.session.scalar(select(Consulate).where(Consulate.code == code.strip().upper()))
    if consulate is None:
        raise ValidationError(
            _("unknown consulate code '%(code)s'", code=code), field="consulate_code", row=row, source=source
        )
    codes = [c.code for c in consulate.sending_countries]
    sending = (sending or "").strip().upper()
    if not sending:
        if len(codes) > 1:
            raise ValidationError(
                _(
                    "%(consulate)s is a joint consulate of %(countries)s: say which sending country",
                    consulate=consulate.code,
                    countries=", ".join(codes),
                ),
                field="sending_country",
                row=row,
                source=source,
            )
        sending = codes[0]
    elif sending not in codes:
        raise ValidationError(
            _("%(consulate)s does not act for '%(country)s'", consulate=consulate.code, country=sending),
            field="sending_country",
            row=row,
            source=source,
        )
    return consulate, sending


def _read_csv(path: Path) -> tuple[Assignment, list[str]]:
    source = str(path)
    assignment: Assignment = defaultdict(set)
    units = {u.code: u for u in db.session.scalars(select(AdminUnit))}
    for number, row in read_rows(path, ["consulate_code", "admin_unit_code"]):
        consulate, sending = _consulate(row["consulate_code"], row.get("sending_country", ""), number, source)
        unit = units.get(row["admin_unit_code"].upper())
        if unit is None:
            raise ValidationError(
                _("unknown admin unit code '%(code)s'", code=row["admin_unit_code"]),
                field="admin_unit_code",
                row=number,
                source=source,
            )
        if unit.country_code != consulate.host_country_code:
            raise ValidationError(
                _(
                    "%(unit)s is not in %(country)s, where %(consulate)s is",
                    unit=unit.code,
                    country=consulate.host_country_code,
                    consulate=consulate.code,
                ),
                field="admin_unit_code",
                row=number,
                source=source,
            )
        leaves = expand_to_leaves([unit.id])
        for other_key, other_units in assignment.items():
            if other_key[1] == sending and other_key[0] != consulate.id and other_units & leaves:
                raise ValidationError(
                    _(
                        "%(unit)s is already given to another consulate of %(country)s earlier in the file",
                        unit=unit.code,
                        country=sending,
                    ),
                    field="admin_unit_code",
                    row=number,
                    source=source,
                )
        assignment[(consulate.id, sending)] |= leaves
    return dict(assignment), []


def _read_polygons(path: Path, driver: str) -> tuple[Assignment, list[str]]:
    source = str(path)
    if not path.is_file():
        raise ValidationError(_("file not found"), source=source)
    try:
        frame = read_vector(path, driver)
    except GeometryError as exc:
        raise ValidationError(geo_text(exc), source=source) from None
    if "consulate_code" not in frame.columns:
        raise ValidationError(_("the features need a 'consulate_code' property"), source=source)
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    assignment: Assignment = defaultdict(set)
    warnings: list[str] = []
    for number, feature in enumerate(frame.itertuples(), start=1):
        consulate, sending = _consulate(
            str(feature.consulate_code), str(getattr(feature, "sending_country", "") or ""), number, source
        )
        try:
            geom = check_polygonal(feature.geometry).geometry
        except GeometryError as exc:
            raise ValidationError(geo_text(exc), field="geometry", row=number, source=source) from None
        units = leaf_units([consulate.host_country_code], bbox=geom.bounds)
        found = units.index.overlaps(np.array([geom], dtype=object))
        shares = found.overlap_km2 / units.index.areas_km2[found.unit_idx]
        chosen = {int(units.ids[u]) for u, share in zip(found.unit_idx, shares) if share >= MAJORITY}
        split = sum(1 for share in shares if 0.05 < share < 0.95)
        if split:
            warnings.append(
                ngettext(
                    "feature %(number)s (%(consulate)s) cuts %(num)d admin unit; it went to where most of it lies",
                    "feature %(number)s (%(consulate)s) cuts %(num)d admin units; each went to where most of it lies",
                    split,
                    number=number,
                    consulate=consulate.code,
                )
            )
        if not chosen:
            raise ValidationError(
                _(
                    "the polygon covers no admin unit of %(country)s by half or more",
                    country=consulate.host_country_code,
                ),
                row=number,
                field="geometry",
                source=source,
            )
        assignment[(consulate.id, sending)] |= chosen
    return dict(assignment), warnings


def _check_no_unit_twice(assignment: Assignment, path: Path) -> None:
    owner: dict[tuple[str, int], int] = {}
    codes = {}
    for (consulate_id, sending), units in assignment.items():
        for unit in units:
            previous = owner.setdefault((sending, unit), consulate_id)
            if previous != consulate_id:
                if not codes:
                    codes.update(dict(db.session.execute(select(AdminUnit.id, AdminUnit.code)).all()))
                raise ValidationError(
                    _(
                        "admin unit %(unit)s is given to two consulates of %(country)s",
                        unit=codes[unit],
                        country=sending,
                    ),
                    source=str(path),
                )


def _apply(assignment: Assignment, source: str) -> set[int]:
    touched: set[int] = set()
    for (consulate_id, sending), unit_ids in sorted(assignment.items()):
        consulate = db.session.get(Consulate, consulate_id)
        district = district_for(consulate, sending)
        district.is_approximate = False
        district.source = source[:300]
        set_district_units(district, sorted(unit_ids))
        touched.add(district.id)
        touched |= _release_from_approximate(consulate, sending, unit_ids, exclude=district.id)
    return touched


def _release_from_approximate(consulate: Consulate, sending: str, unit_ids: set[int], exclude: int) -> set[int]:
    """Take the units out of the other approximate districts of the same sending country."""
    rows = db.session.execute(
        select(ConsularDistrict.id, district_unit.c.admin_unit_id)
        .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(
            ConsularDistrict.sending_country_code == sending,
            ConsularDistrict.is_approximate.is_(True),
            Consulate.host_country_code == consulate.host_country_code,
            ConsularDistrict.id != exclude,
        )
    ).all()
    keep: dict[int, list[int]] = defaultdict(list)
    affected = set()
    for district_id, unit_id in rows:
        if unit_id in unit_ids:
            affected.add(district_id)
        else:
            keep[district_id].append(unit_id)
    for district_id in affected:
        district = db.session.get(ConsularDistrict, district_id)
        if keep.get(district_id):
            set_district_units(district, keep[district_id])
        else:  # every unit now belongs to official districts
            db.session.delete(district)
    db.session.flush()
    return affected
