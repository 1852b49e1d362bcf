"""The query parameters of the OGC API, read as the standard says: a parameter an endpoint does not
know is refused (Part 1, "Parameters": a client must not believe it filtered); `bbox` of 4 or 6 numbers,
across the antimeridian too, in `bbox-crs` (Part 2); `datetime` (RFC 3339 instant or interval);
`crs`; `sortby` and `properties` against the collection's properties. Every bad value is an
ApiProblem (a JSON 400 naming the parameter). No Flask beyond gettext."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from directory_app.api import ogc_crs
from directory_app.api.params import ApiProblem, text_param

Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (CRS84)

# Read by every page of the site: the language of messages and HTML pages.
EVERYWHERE = frozenset({"f", "lang"})
ITEMS = frozenset(
    {
        "limit",
        "offset",
        "bbox",
        "bbox-crs",
        "datetime",
        "crs",
        "filter",
        "filter-lang",
        "filter-crs",
        "sortby",
        "properties",
        "resulttype",
    }
)
ITEM = frozenset({"crs", "properties"})
RESULT_TYPES = ("results", "hits")
FILTER_LANGUAGES = ("cql2-text", "cql2-json", "cql-text")  # cql-text: the draft name GDAL's OAPIF driver sends


def refuse_unknown(args: Mapping[str, str], known: Iterable[str]) -> None:
    """A 400 naming the first parameter that is not in `known` (nor read everywhere)."""
    allowed = EVERYWHERE | set(known)
    for name in args:
        if name not in allowed:
            raise ApiProblem(
                _(
                    "Unknown parameter '%(name)s'. This request takes: %(known)s.",
                    name=name[:40],
                    known=", ".join(sorted(allowed)),
                ),
                parameter=name[:40],
            )


def hits_param(args: Mapping[str, str]) -> bool:
    """`resulttype`: `results` (the default: the features) or `hits` (only numberMatched)."""
    value = text_param(args, "resulttype", 20).lower() or "results"
    if value not in RESULT_TYPES:
        raise ApiProblem(_("'resulttype' must be results or hits."), parameter="resulttype")
    return value == "hits"


def crs_param(args: Mapping[str, str], name: str) -> ogc_crs.Crs:
    """One of the supported CRS URIs (CRS84 when absent)."""
    raw = text_param(args, name, 100)
    if not raw:
        return ogc_crs.DEFAULT
    crs = ogc_crs.SUPPORTED.get(raw)
    if crs is None:
        raise ApiProblem(
            _("'%(name)s' must be one of %(crs)s.", name=name, crs=", ".join(ogc_crs.SUPPORTED)), parameter=name
        )
    return crs


def _bbox_problem() -> ApiProblem:
    """Made only when a bbox is refused (a translated message: not on every box page)."""
    return ApiProblem(
        _(
            "'bbox' must be four numbers (west, south, east, north) or six (west, south, lowest, east, north, "
            "highest), in the order of the axes of bbox-crs."
        ),
        parameter="bbox",
    )


def bbox_boxes(args: Mapping[str, str], crs: ogc_crs.Crs) -> tuple[Box, ...]:
    """The `bbox` as CRS84 boxes: none when absent, two when it crosses the antimeridian (its west
    edge east of its east edge). Four numbers (x1,y1,x2,y2) or six (x1,y1,z1,x2,y2,z2; the features
    have no height, so the height range only has to be a range), in `bbox-crs` and its axis order."""
    raw = text_param(args, "bbox", 300)
    if not raw:
        return ()
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        raise _bbox_problem() from None
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise _bbox_problem()
    if len(values) == 6:
        if values[2] > values[5]:
            raise _bbox_problem()
        values = [values[0], values[1], values[3], values[4]]
    if crs.lat_first:  # latitude first: x (easting) is the second number of each corner
        values = [values[1], values[0], values[3], values[2]]
    x1, y1, x2, y2 = values
    west, south, east, north = crs.bounds
    if not (west <= x1 <= east and west <= x2 <= east and south <= y1 <= y2 <= north):
        raise _bbox_problem()
    min_lon, min_lat = ogc_crs.east_north_to_crs84(x1, y1, crs)
    max_lon, max_lat = ogc_crs.east_north_to_crs84(x2, y2, crs)
    if x1 > x2:  # across the antimeridian: the part east of the west edge and the part west of the east edge
        return ((min_lon, min_lat, 180.0, max_lat), (-180.0, min_lat, max_lon, max_lat))
    return ((min_lon, min_lat, max_lon, max_lat),)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def datetime_interval(args: Mapping[str, str]) -> tuple[datetime | None, datetime | None] | None:
    """`datetime` as an interval [start, end] of aware UTC datetimes (None for an open end): an RFC 3339
    date-time (an instant), a full date (that whole day, UTC), or two of them separated by '/', either
    of which may be '..' or empty (open). None when absent."""
    raw = text_param(args, "datetime", 100)
    if not raw:
        return None
    problem = ApiProblem(
        _(
            "'datetime' must be an RFC 3339 date-time or date (2026-01-31T12:00:00Z, 2026-01-31) or an "
            "interval of two separated by '/', with '..' for an open end (2026-01-01/.., ../2026-01-31)."
        ),
        parameter="datetime",
    )
    parts = raw.split("/")
    if len(parts) == 1:
        if raw == "..":
            raise problem
        start, end = _instant(raw, problem)
        return start, end
    if len(parts) != 2 or parts[0] in ("", "..") and parts[1] in ("", ".."):
        raise problem
    start = None if parts[0] in ("", "..") else _instant(parts[0], problem)[0]
    end = None if parts[1] in ("", "..") else _instant(parts[1], problem)[1]
    if start is not None and end is not None and start > end:
        raise problem
    return start, end


def _instant(text: str, problem: ApiProblem) -> tuple[datetime, datetime]:
    """(first, last) moment of a date-time (the same) or of a full date (its UTC day)."""
    try:
        if _DATE.fullmatch(text):
            day = date.fromisoformat(text)
            start = datetime.combine(day, time.min, UTC)
            return start, start + timedelta(days=1) - timedelta(microseconds=1)
        if _DATE_TIME.fullmatch(text):
            value = datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
            return value, value
    except (ValueError, OverflowError):
        pass
    raise problem


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool = False


def sortby_param(args: Mapping[str, str], sortable: Iterable[str]) -> tuple[SortKey, ...]:
    """`sortby=+name,-city`: properties with an optional + (ascending, the default) or -."""
    raw = text_param(args, "sortby", 300)
    if not raw:
        return ()
    names = set(sortable)
    keys = []
    for part in raw.split(","):
        item = part.strip()
        descending = item.startswith("-")
        name = item[1:] if item[:1] in "+-" and item else item
        if name not in names:
            raise ApiProblem(
                _(
                    "'sortby' can sort by %(names)s (each with + or - before it), not '%(value)s'.",
                    names=", ".join(sorted(names)),
                    value=item[:60],
                ),
                parameter="sortby",
            )
        keys.append(SortKey(name, descending))
    return tuple(keys)


def properties_param(args: Mapping[str, str], known: Iterable[str]) -> tuple[str, ...] | None:
    """`properties=name,city`: only these properties in each feature (none when the value is empty);
    None (all of them) when absent."""
    if "properties" not in args:
        return None
    raw = text_param(args, "properties", 500)
    names = set(known)
    chosen = [part.strip() for part in raw.split(",") if part.strip()]
    for name in chosen:
        if name not in names:
            raise ApiProblem(
                _(
                    "'properties' can name %(names)s, not '%(value)s'.",
                    names=", ".join(sorted(names)),
                    value=name[:60],
                ),
                parameter="properties",
            )
    return tuple(dict.fromkeys(chosen))
