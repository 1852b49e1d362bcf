"""Every error of an import row, named by the person's own column header.

Reading and checking stop at a row's first problem (transfer.mapping, organisations.services): to list
them all, the row is read again with the faulty part set aside, until it passes or nothing more can be
set aside (at most MAX_ERRORS_PER_ROW). Set aside means: a column of the row is left out (mapping
errors name the column's target); a faulty item of a list (a site, a service, a phone...) is left
out, with what refers to it by its place (a radius around that site, a phone of that contact); a
required field (name, kind, country) takes a stand-in value that only serves to look further. The
row is rejected all the same: nothing of it is written.

Coordinates are read here before the rest (`read_coordinates`): a decimal comma ("-99,1332") is a
decimal point, which is never ambiguous in a cell of its own (in a comma-separated file such a cell
was quoted, or it would be two cells; a longitude or latitude has no thousands), and each of the two
columns gets its own error ("not a number", "out of range").

`columns_of` names an error's field by the headers of the columns the person mapped to it (the
mapping confirmed on the mapping page, inverted): "Longitud" rather than `locations[0].lon/lat`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.models import Country
from directory_app.transfer.mapping import FIELDS, mapped_values, organisation_data
from geo.validate import GeometryError

MAX_ERRORS_PER_ROW = 30
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_ITEM = re.compile(r"^(contacts|phones|locations|services|coverage)\[(\d+)\](?:\.(.+))?$")
_ITEM_COLUMNS = {  # (list, item field) -> the convenience columns that feed it
    ("locations", "lon/lat"): ("lon", "lat"),
    ("locations", "lon"): ("lon",),
    ("locations", "lat"): ("lat",),
    ("locations", "name"): ("site_name",),
    ("locations", "address"): ("address",),
    ("locations", "city"): ("city",),
    ("locations", "region"): ("region",),
    ("locations", "postal_code"): ("postal_code",),
    ("phones", "number"): ("phone",),
    ("services", "category"): ("service_categories",),
    ("services", "languages"): ("languages",),
    ("services", "populations"): ("populations",),
    ("services", "translations"): ("translations_json",),
    ("coverage", "unit"): ("coverage_units",),
    ("coverage", "country"): ("coverage_countries",),
    ("coverage", "geometry"): ("geometry",),
}
_FIELD_TARGETS = {"translations": "translations_json", "id": "organisation_id"}
_RANGES = {"lon": 180, "lat": 90}
_NAMES = {"lon": "longitude", "lat": "latitude"}


@dataclass(frozen=True)
class RowError:
    field: str
    """Where the checks found it (`kind`, `locations[0].lon/lat`)."""
    column: str
    """The person's header(s) of the columns that feed that field, or the field's label."""
    message: str


def read_row(row: dict, mapping: dict[str, str]) -> tuple[dict | None, list[ValidationError]]:
    """What a mapped row says (organisation_data) with its faulty columns left out, and the errors
    of those columns; data None when nothing can be read."""
    values = mapped_values(row, mapping)
    errors = read_coordinates(values)
    for _attempt in range(MAX_ERRORS_PER_ROW):
        try:
            return organisation_data(values), errors
        except ValidationError as exc:
            errors.append(exc)
            if exc.field not in values:
                return None, errors
            values = {key: value for key, value in values.items() if key != exc.field}
    return None, errors


def read_coordinates(values: dict) -> list[ValidationError]:
    """Read the lon and lat columns in place (a decimal comma accepted); the errors of each, naming its
    column. When one of them is faulty, both are left out: a position needs the two."""
    errors = []
    for key, limit in _RANGES.items():
        text = str(values.get(key) or "").strip()
        if not text:
            continue
        try:
            number = float(text.replace(",", ".") if _DECIMAL_COMMA.match(text) else text)
        except ValueError:
            errors.append(ValidationError(_("'%(value)s' is not a number.", value=text[:40]), field=key))
            continue
        if not math.isfinite(number) or not -limit <= number <= limit:
            problem = GeometryError(f"{_NAMES[key]}_out_of_range", **{key: text[:40]})
            errors.append(ValidationError(geo_text(problem), field=key))
            continue
        values[key] = text.replace(",", ".")  # text, as the other cells: "0" says something, 0.0 would not
    if errors:
        for key in _RANGES:
            values.pop(key, None)
    return errors


def more_errors(data: dict, first: Exception, build: Callable[[dict], object]) -> list[Exception]:
    """The errors `build` finds in `data` once the part `first` is about is set aside, then the next..."""
    errors: list[Exception] = []
    data = _set_aside(data, _field_of(first))
    while data is not None and len(errors) < MAX_ERRORS_PER_ROW:
        try:
            build(data)
            break
        except (ValidationError, GeometryError) as exc:
            errors.append(exc)
            data = _set_aside(data, _field_of(exc))
    return errors


def _field_of(exc: Exception) -> str:
    return getattr(exc, "field", None) or ""


def _set_aside(data: dict, field: str) -> dict | None:
    """`data` without the part `field` names, or None when it names nothing that can be set aside."""
    item = _ITEM.match(field)
    if item:
        part, index = item[1], int(item[2])
        items = list(data.get(part) or [])
        if index >= len(items):
            return None
        del items[index]
        data = {**data, part: items}
        if part == "locations":  # radius coverage refers to sites by their place
            data["coverage"] = [_shift(p, "location", index) for p in data.get("coverage") or []]
            data["coverage"] = [p for p in data["coverage"] if p is not None]
        if part == "contacts":  # and phones to contacts
            data["phones"] = [_shift(p, "contact", index, keep=True) for p in data.get("phones") or []]
        return data
    key = field.split(".", 1)[0]
    stand_in = _stand_in(key)
    if stand_in is not None and data.get(key) != stand_in:
        return {**data, key: stand_in}
    if key in data and stand_in is None:
        return {k: v for k, v in data.items() if k != key}
    return None


def _shift(item: dict, key: str, removed: int, *, keep: bool = False):
    place = item.get(key) if isinstance(item, dict) else None
    if not isinstance(place, int):
        return item
    if place == removed:
        return {**item, key: None} if keep else None
    return {**item, key: place - 1} if place > removed else item


def _stand_in(key: str) -> str | None:
    if key == "name":
        return "-"
    if key == "kind":
        return sorted(vocabulary.ORGANISATION_KIND_CODES)[0]
    if key == "country_code":
        return db.session.scalar(select(Country.code).order_by(Country.code).limit(1))
    return None


def columns_of(field: str, mapping: dict[str, str]) -> str:
    """The person's headers of the columns mapped to what `field` is about, or the field's label."""
    targets = _targets(field)
    by_target = {target: column for column, target in mapping.items()}
    columns = [by_target[t] for t in targets if t in by_target]
    if not columns and "geometry" in targets:
        return _("the feature's geometry")
    if columns:
        return ", ".join(dict.fromkeys(columns))
    label = FIELDS.get(targets[0]) if targets else None
    return str(label) if label is not None else field


def _targets(field: str) -> list[str]:
    item = _ITEM.match(field)
    if item is None:
        key = field.split(".", 1)[0]
        return [_FIELD_TARGETS.get(key, key)] if key else []
    part, index, detail = item[1], int(item[2]), item[3] or ""
    convenience = _ITEM_COLUMNS.get((part, detail), ())
    if part == "locations" and index > 0:
        convenience = ()  # the convenience columns give the first site only
    return [*convenience, f"{part}_json"]


def named_errors(errors: list[Exception], mapping: dict[str, str]) -> list[RowError]:
    """The errors with the person's column headers."""
    named = []
    for exc in errors:
        field = _field_of(exc)
        named.append(RowError(field, columns_of(field, mapping) if field else "", _message(exc)))
    return named


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return exc.message
    return geo_text(exc) if isinstance(exc, GeometryError) else str(exc)
