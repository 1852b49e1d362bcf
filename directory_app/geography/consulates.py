"""Loading the consular networks from data/consulates.csv (upsert by code).

Every row names its source (a URL or a document) and the date that source states (YYYY, YYYY-MM or
YYYY-MM-DD, or "undated" when the source states none); `status` (open, announced, suspended; default
open) and `position_source` (how the point was placed) are optional columns. Two rows may not be the
same office: the same sending countries and host country in the same city (mobile consulates aside,
they are dated events)."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext
from shapely.geometry import Point
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.csvfiles import parse_float, read_rows
from directory_app.geography.models import Consulate, ConsulateKind, ConsulateStatus, Country
from directory_app.geography.units import LeafUnits, leaf_units
from geo.validate import GeometryError, check_lon_lat

COLUMNS = [
    "code",
    "kind",
    "sending_countries",
    "host_country",
    "city",
    "region",
    "lat",
    "lon",
    "name_es",
    "name_en",
    "source",
    "source_date",
]
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,59}$")
SOURCE_DATE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$|^undated$")


def load_consulates(path: Path) -> int:
    """Validate every row first, then insert or update; returns the number of consulates."""
    source = str(path)
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    parsed = [_parse_row(number, row, countries, source) for number, row in read_rows(path, COLUMNS)]
    _check_unique(parsed, source)
    existing = {c.code: c for c in db.session.scalars(select(Consulate))}
    units_of = {host: leaf_units([host]) for host in {data["host_country_code"] for _, data in parsed}}
    for _, data in parsed:
        consulate = existing.get(data["code"]) or Consulate(code=data["code"])
        for key in _FIELDS:
            setattr(consulate, key, data[key])
        consulate.sending_countries = [countries[c] for c in data["sending"]]
        consulate.admin_unit_id = _host_unit(units_of[data["host_country_code"]], data["lon"], data["lat"])
        db.session.add(consulate)
    db.session.flush()
    return len(parsed)


_FIELDS = (
    "kind",
    "status",
    "host_country_code",
    "city",
    "lon",
    "lat",
    "name_es",
    "name_en",
    "note",
    "source",
    "source_date",
    "position_source",
)


def same_office_key(data: dict) -> tuple | None:
    """Two rows with this key are one office (mobile consulates are events, not offices)."""
    if data["kind"] == ConsulateKind.MOBILE_CONSULATE:
        return None
    return (tuple(sorted(data["sending"])), data["host_country_code"], data["city"].casefold())


def _check_unique(parsed: list[tuple[int, dict]], source: str) -> None:
    codes: dict[str, int] = {}
    offices: dict[tuple, int] = {}
    for number, data in parsed:
        if data["code"] in codes:
            raise ValidationError(
                gettext(
                    "code %(code)s is used again (first on row %(row)s)", code=data["code"], row=codes[data["code"]]
                ),
                field="code",
                row=number,
                source=source,
            )
        codes[data["code"]] = number
        key = same_office_key(data)
        if key is not None and key in offices:
            raise ValidationError(
                gettext(
                    "this is the office of row %(row)s again (same country, same city): give one row per office",
                    row=offices[key],
                ),
                field="city",
                row=number,
                source=source,
            )
        if key is not None:
            offices[key] = number


def _host_unit(units: LeafUnits, lon: float, lat: float) -> int | None:
    """The host country's unit that contains the point, or the nearest one: a city on a
    border river can fall just outside its country in 1:10m boundaries."""
    if len(units.ids) == 0:
        return None
    hits = units.index.units_at(lon, lat)
    best = int(hits.min()) if hits.size else int(units.index.tree.nearest(Point(lon, lat)))
    return int(units.ids[best])


def _parse_row(number: int, row: dict[str, str], countries: dict, source: str) -> tuple[int, dict]:
    def fail(message: str, field: str):
        raise ValidationError(message, field=field, row=number, source=source)

    code = row["code"].upper()
    if not _CODE.match(code):
        fail(gettext("'%(code)s' is not a valid code (letters, digits and hyphens)", code=row["code"]), "code")
    kind = _choice(ConsulateKind, row["kind"], "kind", fail)
    status = _choice(ConsulateStatus, row.get("status") or "open", "status", fail)
    sending = [c.strip().upper() for c in row["sending_countries"].split(";") if c.strip()]
    if not sending:
        fail(gettext("at least one sending country is needed"), "sending_countries")
    for field, codes in (("sending_countries", sending), ("host_country", [row["host_country"].upper()])):
        for c in codes:
            if c not in countries:
                fail(gettext("'%(code)s' is not a member country (load the boundaries first?)", code=c), field)
    lat = parse_float(row["lat"], "lat", number, source)
    lon = parse_float(row["lon"], "lon", number, source)
    try:
        check_lon_lat(lon, lat)
    except GeometryError as exc:
        fail(geo_text(exc), "lat/lon")
    for field in ("city", "name_es", "name_en", "source", "source_date"):
        if not row[field]:
            fail(gettext("this field is required"), field)
    if not SOURCE_DATE.match(row["source_date"]):
        fail(
            gettext(
                "'%(value)s' is not a date: write the date the source states as YYYY, YYYY-MM or YYYY-MM-DD, "
                "or 'undated'",
                value=row["source_date"],
            ),
            "source_date",
        )
    return number, {
        "code": code,
        "kind": kind,
        "status": status,
        "sending": sending,
        "host_country_code": row["host_country"].upper(),
        "city": row["city"],
        "lon": lon,
        "lat": lat,
        "name_es": row["name_es"],
        "name_en": row["name_en"],
        "note": row.get("note") or None,
        "source": row["source"],
        "source_date": row["source_date"],
        "position_source": row.get("position_source") or "",
    }


def _choice(enum_type, value: str, field: str, fail):
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(k.value for k in enum_type)
        fail(
            gettext("unknown %(field)s '%(value)s'; use one of %(allowed)s", field=field, value=value, allowed=allowed),
            field,
        )
