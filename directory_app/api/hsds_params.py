"""The query parameters of the HSDS API, read as Open Referral's schema/openapi.json defines them for
each endpoint, with our profile's readings (docs/hsds-profile.md):

- a parameter the endpoint does not take is refused (400 naming it): a client must never believe it
  filtered when nothing was filtered; `lang` (the language of messages) is taken everywhere;
- `format`: `json` (the paged envelope, the default) or `ndjson` (every result, one JSON document a
  line, no paging: `page` and `per_page` are then refused);
- `minimal` (/services): only `id` and `modified_date` of each service, up to MAX_MINIMAL a page;
- `postcode` (/service_at_locations): sites whose address has this postal code (spaces, hyphens and
  case ignored; a hidden site's postal code is not published, so it matches only for readers who may
  see the site exactly);
- `proximity` (/service_at_locations): `latitude,longitude,metres`: sites within that many metres
  (along the WGS 84 ellipsoid) of the point as the reader sees them, nearest first. The openapi.json
  measures from the centroid of `postcode`; this directory has no postcode gazetteer, so a bare
  number of metres is refused with a message saying how to give the point.

Every bad value is an ApiProblem (a JSON 400 naming the parameter). No Flask beyond gettext."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from directory_app.api.params import ApiProblem, bool_param, int_param, text_param
from directory_app.i18n import format_number

EVERYWHERE = frozenset({"lang"})
_LIST = frozenset({"search", "page", "per_page", "format"})
_FILTERS = frozenset({"taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after"})
ACCEPTED: dict[str, frozenset[str]] = {
    "services": _LIST | _FILTERS | {"full", "minimal"},
    "organizations": _LIST | _FILTERS | {"full", "full_service"},
    "service_at_locations": _LIST | _FILTERS | {"full", "postcode", "proximity"},
    "taxonomies": _LIST,
    "taxonomy_terms": _LIST | {"taxonomy_id", "top_only", "parent_id"},
    "organization": frozenset({"full_service"}),
}
FORMATS = ("json", "ndjson")
MAX_PER_PAGE = 100
MAX_MINIMAL = 10_000  # minimal lists: "aim to return all services within one page"
MAX_PROXIMITY_M = 20_000_000  # about half the Earth's circumference
_POSTCODE_IGNORED = re.compile(r"[\s-]+")


def refuse_unknown(endpoint: str, args: Mapping[str, str]) -> None:
    """A 400 naming the first parameter the endpoint (a view name of the hsds blueprint) does not take."""
    allowed = EVERYWHERE | ACCEPTED.get(endpoint, frozenset())
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


def output_format(args: Mapping[str, str]) -> str:
    """'json' or 'ndjson'; with ndjson (every result, no pages) `page` and `per_page` are refused."""
    fmt = text_param(args, "format", 20).lower() or "json"
    if fmt not in FORMATS:
        raise ApiProblem(_("'%(name)s' must be json or ndjson.", name="format"), parameter="format")
    if fmt == "ndjson":
        for name in ("page", "per_page"):
            if name in args:
                raise ApiProblem(
                    _("'%(name)s' does not apply with format=ndjson, which returns every result.", name=name),
                    parameter=name,
                )
    return fmt


def page_params(args: Mapping[str, str], maximum: int = MAX_PER_PAGE, default: int = 25) -> tuple[int, int]:
    """(page, per_page)."""
    return int_param(args, "page", 1, 1, 100_000), int_param(args, "per_page", min(default, maximum), 1, maximum)


def minimal_param(args: Mapping[str, str]) -> bool:
    """`minimal` (/services), which cannot be combined with `full`."""
    minimal = bool_param(args, "minimal")
    if minimal and bool_param(args, "full"):
        raise ApiProblem(_("Give either 'minimal' or 'full', not both."), parameter="minimal")
    return minimal


def normalised_postcode(value: str) -> str:
    """A postal code for comparison: without spaces and hyphens, upper case."""
    return _POSTCODE_IGNORED.sub("", value).upper()


def postcode_param(args: Mapping[str, str]) -> str | None:
    raw = text_param(args, "postcode", 20)
    if not raw:
        return None
    value = normalised_postcode(raw)
    if not value.isalnum():
        raise ApiProblem(
            _("'%(name)s' must be a postal code: letters and digits, spaces and hyphens.", name="postcode"),
            parameter="postcode",
        )
    return value


@dataclass(frozen=True)
class Proximity:
    lat: float
    lon: float
    metres: float


def proximity_param(args: Mapping[str, str]) -> Proximity | None:
    """`proximity` as latitude,longitude,metres (see the module docstring)."""
    raw = text_param(args, "proximity", 80)
    if not raw:
        return None
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) == 1:
        raise ApiProblem(
            _(
                "This directory cannot place a postcode: give 'proximity' as latitude,longitude,metres "
                "(e.g. 14.6349,-90.5069,5000)."
            ),
            parameter="proximity",
        )
    try:
        lat, lon, metres = (float(part) for part in parts)
    except ValueError:
        lat = lon = metres = math.nan
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < metres <= MAX_PROXIMITY_M):  # NaN fails too
        raise ApiProblem(
            _(
                "'%(name)s' must be latitude,longitude,metres: a latitude from -90 to 90, a longitude from "
                "-180 to 180 and at most %(max)s metres.",
                name="proximity",
                max=format_number(MAX_PROXIMITY_M),
            ),
            parameter="proximity",
        )
    return Proximity(lat, lon, metres)
