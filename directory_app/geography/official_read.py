"""Reading an official district file (CSV of unit codes, or polygons) into checked assignments.

CSV: columns `consulate_code`, `admin_unit_code` and, for joint consulates, `sending_country`: one row
per admin unit; an admin-1 code stands for all its leaf units (a US state for its counties), and the
code of a county the boundaries no longer have (Connecticut's 2017 counties, Valdez-Cordova) for the
units that replaced it (geography.unit_successions.former_units; the preview says so). An optional
`admin_unit_name` is checked against the unit's names (a wrong code is then caught).
Polygons (GeoJSON, GeoPackage): a `consulate_code` property (and `sending_country` for joint
consulates); each leaf unit of the host country goes to the polygon that covers most of it, when
that is at least half of the unit. Both take the source columns of geography.district_sources.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.csvfiles import read_rows
from directory_app.geography.district_sources import SourceKey, scope_of, source_key
from directory_app.geography.models import AdminUnit, Consulate
from directory_app.geography.unit_successions import former_units
from directory_app.geography.units import expand_to_leaves, leaf_units
from geo.files import read_vector
from geo.validate import GeometryError, check_polygonal

MAJORITY = 0.5
POLYGON_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}

Key = tuple[int, str]  # (consulate id, sending country)


@dataclass
class OfficialFile:
    """What a file assigns: per (consulate, sending country) its leaf units with the source of each,
    and whether they are the whole district or units added to it."""

    assignment: dict[Key, dict[int, SourceKey]] = field(default_factory=lambda: defaultdict(dict))
    scopes: dict[Key, str] = field(default_factory=dict)
    hosts: dict[Key, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, consulate: Consulate, sending: str, units: set[int], source: SourceKey, scope: str, where) -> None:
        key = (consulate.id, sending)
        if self.scopes.setdefault(key, scope) != scope:
            raise ValidationError(
                _("every row of %(consulate)s must have the same scope", consulate=consulate.code),
                field="scope",
                **where,
            )
        self.hosts[key] = consulate.host_country_code
        for unit in units:
            self.assignment[key][unit] = source


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


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def read_csv(path: Path, label: str) -> OfficialFile:
    source = str(path)
    result = OfficialFile()
    units = {u.code: u for u in db.session.scalars(select(AdminUnit))}
    former = former_units(Path(current_app.config["DATA_DIR"]) / "boundaries")
    for number, row in read_rows(path, ["consulate_code", "admin_unit_code"]):
        where = {"row": number, "source": source}
        consulate, sending = _consulate(row["consulate_code"], row.get("sending_country", ""), number, source)
        code = row["admin_unit_code"].upper()
        unit, replaced_by = units.get(code), None
        if unit is None and code in former and all(c in units for c in former[code].stands_for):
            replaced_by = [units[c] for c in former[code].stands_for]
            unit = replaced_by[0]
            result.warnings.append(
                _(
                    "row %(number)s: %(code)s (%(name)s) is no longer an admin unit; it stands for %(units)s",
                    number=number,
                    code=code,
                    name=former[code].name,
                    units=", ".join(f"{u.code} ({u.name_en})" for u in replaced_by),
                )
            )
        if unit is None:
            raise ValidationError(
                _("unknown admin unit code '%(code)s'", code=row["admin_unit_code"]), field="admin_unit_code", **where
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
                **where,
            )
        name = row.get("admin_unit_name", "")
        names = {former[code].name} if replaced_by else {unit.name_local, unit.name_es, unit.name_en}
        if name and _fold(name) not in {_fold(n) for n in names}:
            raise ValidationError(
                _(
                    "%(unit)s is %(name)s, not '%(given)s'",
                    unit=code,
                    name=former[code].name if replaced_by else unit.name_local,
                    given=name[:80],
                ),
                field="admin_unit_name",
                **where,
            )
        leaves = expand_to_leaves([u.id for u in replaced_by] if replaced_by else [unit.id])
        for (consulate_id, other_sending), other_units in result.assignment.items():
            if other_sending == sending and consulate_id != consulate.id and set(other_units) & leaves:
                raise ValidationError(
                    _(
                        "%(unit)s is already given to another consulate of %(country)s earlier in the file",
                        unit=unit.code,
                        country=sending,
                    ),
                    field="admin_unit_code",
                    **where,
                )
        key = source_key(row, label, number, source)
        result.add(consulate, sending, leaves, key, scope_of(row, number, source), where)
    return result


def read_polygons(path: Path, driver: str, label: str) -> OfficialFile:
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
    result = OfficialFile()
    for number, feature in enumerate(frame.to_dict("records"), start=1):
        where = {"row": number, "source": source}
        consulate, sending = _consulate(
            str(feature["consulate_code"]), str(feature.get("sending_country") or ""), number, source
        )
        try:
            geom = check_polygonal(feature["geometry"]).geometry
        except GeometryError as exc:
            raise ValidationError(geo_text(exc), field="geometry", **where) from None
        units = leaf_units([consulate.host_country_code], bbox=geom.bounds)
        found = units.index.overlaps(np.array([geom], dtype=object))
        shares = found.overlap_km2 / units.index.areas_km2[found.unit_idx]
        chosen = {int(units.ids[u]) for u, share in zip(found.unit_idx, shares) if share >= MAJORITY}
        split = sum(1 for share in shares if 0.05 < share < 0.95)
        if split:
            result.warnings.append(
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
                field="geometry",
                **where,
            )
        values = {k: (None if _missing(v) else v) for k, v in feature.items() if k != "geometry"}
        key = source_key(values, label, number, source)
        result.add(consulate, sending, chosen, key, scope_of(values, number, source), where)
    return result


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another non-scalar
        return False
