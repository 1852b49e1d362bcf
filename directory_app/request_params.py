"""Request parameters on every route: the request-wide guard, and the small parsers that features share.

The guard runs before anything else of a request (after the Host check of public_links) and answers
400, in the route's format (JSON on /api/v1, /hsds, /ogc; the error page elsewhere, see
errors.wants_json), to:
- a query parameter whose name or value holds a character no parameter has: control characters (C0,
  DEL, C1; PostgreSQL refuses NUL in text), surrogates, unassigned code points and noncharacters, and
  U+FFFD, which is what bytes that are not UTF-8 were decoded to. (Unassigned means unassigned in
  Python's Unicode database: a character newer than it is refused in a query string too.)
- a query parameter given more than once, except those in REPEATABLE: `service` (several service
  categories; every route of the app that reads it reads all its values, organisations.service_choice),
  but not on the standard APIs (SINGLE_VALUE_BLUEPRINTS: OGC API - Features and HSDS take one value per
  parameter, and their `service` filter is one category). Any other parameter given twice: which value was
  meant? A repeatable one given more than MAX_REPEATS times.
- a form field (POST) holding NUL, another control character than tab, line feed and carriage return,
  or a surrogate: nothing stores them (PostgreSQL, spreadsheets, XML).
A path variable holding such characters names nothing: 404. An `<int:...>` path variable beyond what
the database stores (2^31 - 1) matches no route: 404.

Each parser then checks its own values and never lets Python's own limits through as a 500:
`whole_number` (digits only, ASCII, bounded length: "²" passes str.isdigit() but not int(), and int()
refuses more than 4,300 digits), `aware_datetime` (ISO 8601, within years 1-9999 once in UTC) and
`bounding_box` (west,south,east,north in WGS 84, for /api/v1 and the map layers; /ogc has its own,
with bbox-crs and six numbers).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL's integer; ids never get larger
REPEATABLE = frozenset({"service"})  # query parameters that may be given more than once
SINGLE_VALUE_BLUEPRINTS = frozenset({"ogc", "hsds"})  # routes where no parameter repeats
MAX_REPEATS = 50  # values of one repeatable parameter (there are 15 service categories)
_FORM_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")


class BadParameter(BadRequest):
    """A 400 that names the parameter at fault; errors.py shows its message (JSON or the error page)."""

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(description=message)
        self.parameter = parameter


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: a non-negative id up to MAX_ID, else no match (404). Werkzeug's own
    converter hands any number of digits to int(), and the database refuses what does not fit."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str):
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def refused_character(text: str) -> bool:
    """True when `text` holds a character no query parameter has (see the module docstring)."""
    if text.isascii():
        return any(ch < " " or ch == "\x7f" for ch in text)
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Cn") or ch == "\ufffd" for ch in text)


def _shown(name: str) -> str:
    """A parameter name fit for a message: refused characters shown as '?', at most 40 characters."""
    return "".join("?" if refused_character(ch) else ch for ch in name[:40])


def _check_request() -> None:
    for name, values in request.args.lists():
        if refused_character(name) or any(refused_character(value) for value in values):
            shown = _shown(name)
            raise BadParameter(
                _("The parameter '%(name)s' contains characters that are not allowed.", name=shown), shown
            )
        if len(values) > 1 and (name not in REPEATABLE or request.blueprint in SINGLE_VALUE_BLUEPRINTS):
            raise BadParameter(_("The parameter '%(name)s' is given more than once.", name=_shown(name)), name)
        if len(values) > MAX_REPEATS:
            raise BadParameter(_("The parameter '%(name)s' is given too many times.", name=_shown(name)), name)
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and refused_character(value):
            raise NotFound()
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.form.lists():
            if _FORM_CONTROLS.search(name) or any(_FORM_CONTROLS.search(value) for value in values):
                shown = _shown(name)
                raise BadParameter(
                    _("The field '%(name)s' contains characters that are not allowed.", name=shown), shown
                )


def whole_number(raw: str, minimum: int, maximum: int) -> int | None:
    """The integer written in `raw` (ASCII digits, optional sign) when it lies in [minimum, maximum];
    None otherwise. Never raises."""
    text = raw.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def aware_datetime(raw: str) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive values are taken as UTC); None when
    `raw` is not one, or falls outside years 1-9999 once moved to UTC. Never raises."""
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace(" ", "+"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def bounding_box(args: Mapping[str, str], name: str = "bbox") -> tuple[float, float, float, float] | None:
    """`name` as (west, south, east, north) in WGS 84, None when absent or empty. Four finite numbers
    within the globe, south not above north; a box across the antimeridian (west east of east) is
    refused with its own message. Every refusal is a BadParameter naming the parameter."""
    raw = str(args.get(name) or "").strip()
    if not raw:
        return None
    problem = BadParameter(
        _("'%(name)s' must be four numbers: min longitude, min latitude, max longitude, max latitude.", name=name),
        name,
    )
    parts = raw.split(",")
    if len(parts) != 4 or len(raw) > 200:
        raise problem
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise problem from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise problem
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise problem
    if west > east:
        raise BadParameter(_("Boxes across the antimeridian are not supported: split the box in two."), name)
    return west, south, east, north


def init_request_params(app: Flask) -> None:
    """Bounded `<int:...>` routes (before any blueprint is registered) and the guard, first of the
    before-request functions registered so far (create_app calls this before registering others)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _check_request)
