"""Domain errors and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l


class ValidationError(ValueError):
    """Bad input, with a message a person understands and where it was found."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row
        self.source = source

    def __str__(self) -> str:
        """Where and why, in the reader's language (the terminal's for a command; English outside an app)."""
        where = []
        if self.source:
            where.append(str(self.source))
        if self.row is not None:
            where.append(gettext("row %(row)s", row=self.row))
        if self.field:
            where.append(gettext("field '%(field)s'", field=self.field))
        return f"{', '.join(where)}: {self.message}" if where else self.message


API_PREFIXES = ("/api/", "/hsds/", "/ogc/")
# The `code` of an OGC API exception (OGC API - Common's exception schema: code, description).
OGC_EXCEPTION_CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "OperationNotSupported"}


def wants_json() -> bool:
    """Errors in JSON: on the APIs (OGC API pages asked for as HTML excepted, as ogc_views does) and
    for clients that prefer JSON; the error page otherwise."""
    if request.path.startswith("/ogc/"):
        asked = request.args.get("f")
        if asked == "html" or (
            asked is None and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
        ):
            return False
    return request.path.startswith(API_PREFIXES) or request.accept_mimetypes.best == "application/json"


def _allow(error) -> dict:
    """A 405 keeps its Allow header (the methods the address accepts), as RFC 9110 requires."""
    methods = getattr(error, "valid_methods", None)
    return {"Allow": ", ".join(methods)} if methods else {}


def register_error_handlers(app: Flask, on_refusal=None) -> None:
    """Error pages (or JSON on the APIs) for the usual codes; `on_refusal(code)` is called for a 403 or a
    429 (the app factory passes audit.record_refusal, which keeps them in the audit log)."""
    messages = {
        400: _l("The request could not be understood."),
        403: _l("You are not allowed to see this page."),
        404: _l("This page does not exist."),
        405: _l("This address does not accept this method."),
        409: _l("Someone else changed this entry in the meantime."),
        413: _l("The file is too large."),
        429: _l("Too many attempts. Please wait a minute and try again."),
        500: _l("Something went wrong on our side. The error has been logged."),
    }

    def handle(error):
        code = getattr(error, "code", 500) or 500
        if code in (403, 429) and on_refusal is not None:
            on_refusal(code)
        message = str(messages.get(code, getattr(error, "description", "Error")))
        if code == 400 and _explained(error):
            message = str(error.description)  # abort(400, "why") or a BadParameter: say why
        parameter = getattr(error, "parameter", None)
        if wants_json():
            extra = {"parameter": parameter} if parameter else {}
            if request.path.startswith("/ogc/"):  # the OGC API's exception format as well
                extra |= {"code": OGC_EXCEPTION_CODES.get(code, "NoApplicableCode"), "description": message}
            return jsonify(error=message, status=code, **extra), code, _allow(error)
        return render_template("error.html", code=code, message=message), code, _allow(error)

    for code in messages:
        app.register_error_handler(code, handle)
    register_database_outage_handlers(app)


def _explained(error) -> bool:
    """The 400 carries a message of ours, not werkzeug's default description of its class."""
    description = getattr(error, "description", None)
    return bool(description) and description != type(error).description


def register_database_outage_handlers(app: Flask) -> None:
    """The database unreachable (stopped, restarting, network cut, pool exhausted, SQLite locked past its
    busy timeout): a 503 page asking to retry in a moment, never a 500 or a stack trace. The page is
    standalone (no base layout, so nothing reads the database while rendering it); the pool's pre-ping
    replaces the dead connections on the next request, so the app recovers by itself."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def unavailable(error):
        if isinstance(error, DBAPIError) and not _is_outage(error, OperationalError):
            raise error  # any other database error keeps its usual handling (500)
        from directory_app.extensions import db

        app.logger.warning("database unavailable: %s", str(error).splitlines()[0][:300])
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the session is reset on removal
            pass  # nosec B110
        message = str(_l("The directory is briefly unavailable. Please try again in a minute."))
        if wants_json():
            response = jsonify(error=message, status=503)
        else:
            response = app.make_response(render_template("ops/unavailable.html", message=message))
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        return response

    app.register_error_handler(DBAPIError, unavailable)
    app.register_error_handler(PoolTimeout, unavailable)


_SQLITE_OUTAGES = ("locked", "busy", "unable to open", "disk", "full")


def _is_outage(error, operational_error: type) -> bool:
    """A lost connection, a server going away, or SQLite locked/full: not a bug in a query. (SQLite
    reports a missing table as an OperationalError too: that stays a 500.)"""
    if error.connection_invalidated:
        return True
    if not isinstance(error, operational_error):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        return any(word in str(error.orig).lower() for word in _SQLITE_OUTAGES)
    return True
