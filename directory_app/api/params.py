"""Query-string parsing shared by the APIs: every bad value becomes an ApiProblem (a JSON 400 with a
message that names the parameter), never a 500."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import Response, jsonify
from flask_babel import gettext as _

from directory_app.i18n import format_number
from directory_app.request_params import BadParameter, aware_datetime, bounding_box, whole_number

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_TEXT = 200


class ApiProblem(Exception):
    """A request the API refuses, with the HTTP status and a message for the caller."""

    def __init__(self, message: str, status: int = 400, *, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.parameter = parameter


def problem_response(problem: ApiProblem) -> tuple[Response, int]:
    """The JSON body of a refused request: {"error", "status"[, "parameter"]}."""
    body: dict = {"error": problem.message, "status": problem.status}
    if problem.parameter:
        body["parameter"] = problem.parameter
    return jsonify(body), problem.status


def text_param(args: Mapping[str, str], name: str, max_length: int = MAX_TEXT) -> str:
    """A trimmed text value ('' when absent); control characters and overlong values refused."""
    raw = str(args.get(name) or "").strip()
    if _CONTROL.search(raw):
        raise ApiProblem(
            _("The parameter '%(name)s' contains characters that are not allowed.", name=name), parameter=name
        )
    if len(raw) > max_length:
        raise ApiProblem(
            _(
                "The parameter '%(name)s' is too long (at most %(n)s characters).",
                name=name,
                n=format_number(max_length),
            ),
            parameter=name,
        )
    return raw


def int_param(args: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    """An integer between minimum and maximum (inclusive), or the default when absent."""
    raw = text_param(args, name, 20)
    if not raw:
        return default
    value = whole_number(raw, minimum, maximum)
    if value is None:
        raise ApiProblem(
            _(
                "'%(name)s' must be a whole number from %(low)s to %(high)s.",
                name=name,
                low=format_number(minimum),
                high=format_number(maximum),
            ),
            parameter=name,
        )
    return value


def float_param(args: Mapping[str, str], name: str, minimum: float, maximum: float) -> float:
    """A required finite number between minimum and maximum."""
    raw = text_param(args, name, 40)
    if not raw:
        raise ApiProblem(_("The parameter '%(name)s' is required.", name=name), parameter=name)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise ApiProblem(
            _("'%(name)s' must be a number from %(low)s to %(high)s.", name=name, low=minimum, high=maximum),
            parameter=name,
        )
    return value


def bool_param(args: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = text_param(args, name, 10).lower()
    if not raw:
        return default
    if raw not in ("true", "false", "1", "0"):
        raise ApiProblem(_("'%(name)s' must be true or false.", name=name), parameter=name)
    return raw in ("true", "1")


def uuid_param(args: Mapping[str, str], name: str) -> str | None:
    """A UUID in canonical form, or None when absent."""
    raw = text_param(args, name, 60)
    if not raw:
        return None
    return canonical_uuid(raw, name)


def path_text(value: str, max_length: int = 100) -> str:
    """A path segment used as a code: control characters (PostgreSQL refuses NUL) or an overlong
    value name nothing that exists, so they get a 404."""
    if _CONTROL.search(value) or len(value) > max_length:
        raise ApiProblem(_("There is nothing with this id."), 404)
    return value


def canonical_uuid(raw: str, name: str = "id") -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ApiProblem(_("'%(name)s' must be a UUID.", name=name), parameter=name) from None


def datetime_param(args: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive values are taken as UTC)."""
    raw = text_param(args, name, 40)
    if not raw:
        return None
    value = aware_datetime(raw)
    if value is None:
        raise ApiProblem(
            _("'%(name)s' must be an ISO 8601 date or date-time, e.g. 2026-01-31T12:00:00Z.", name=name),
            parameter=name,
        )
    return value


def bbox_param(args: Mapping[str, str], name: str = "bbox") -> tuple[float, float, float, float] | None:
    """minLon,minLat,maxLon,maxLat in WGS 84 (request_params.bounding_box, which the map layers read too);
    a box crossing the antimeridian (minLon > maxLon) is refused with a message, as are values out of
    range."""
    text_param(args, name, 200)
    try:
        return bounding_box(args, name)
    except BadParameter as refused:
        raise ApiProblem(str(refused.description), parameter=name) from None


def iso_datetime(value: datetime | None) -> str | None:
    """RFC 3339 text of a stored timestamp (naive values, from SQLite, are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
