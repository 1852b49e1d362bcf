"""Structured request logs: one JSON line per request on standard error (gunicorn and systemd keep it),
carrying a request id that also goes back to the client in X-Request-ID.

An incoming X-Request-ID (set by the reverse proxy or load balancer) is kept when it looks like an id
(letters, digits, `.-_:`, at most 64 characters), so one id follows a request through every host;
otherwise a new one is made. Logged: time, request id, method, path, route, status, duration, client
address, user id when signed in. Not logged: query strings, form data, cookies; paths holding a secret
(a password-reset or invitation token) are logged as their route pattern.

REQUEST_LOG (a setting, "1"/"0") turns the log on; it is on by default in production.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_SECRET_ARGS = frozenset({"token", "key", "secret"})
logger = logging.getLogger("cammina.requests")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object; the `fields` extra is merged in, the request id added."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_id() -> str:
    """This request's id (the incoming X-Request-ID when valid, else a new one)."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
    return g.request_id


def _logged_path() -> str:
    view_args = request.view_args or {}
    if request.url_rule is not None and _SECRET_ARGS & set(view_args):
        return request.url_rule.rule
    return request.path


def _signed_in_user_id():
    user = g.get("_login_user")  # only when Flask-Login loaded it already: logging never queries
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _start() -> None:
    request_id()
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    if current_app.extensions.get("request_log") and logger.isEnabledFor(logging.INFO):
        started = g.get("request_started", time.perf_counter())
        fields = {
            "method": request.method,
            "path": _logged_path(),
            "route": request.url_rule.rule if request.url_rule is not None else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "remote_addr": request.remote_addr,
            "user_id": _signed_in_user_id(),
        }
        logger.info("request", extra={"fields": fields})
    return response


def _wanted(app: Flask) -> bool:
    if "REQUEST_LOG" in app.config:  # Settings: REQUEST_LOG, on by default in production
        return bool(app.config["REQUEST_LOG"])
    return app.config.get("APP_ENV") == "production"


def configure_json_logging() -> None:
    """JSON lines on standard error for the request log (once per process)."""
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def init_request_log(app: Flask) -> None:
    """Request ids on every request; the JSON request log when REQUEST_LOG (or production) asks for it."""
    enabled = _wanted(app)
    if enabled:
        configure_json_logging()
        if app.config.get("APP_ENV") == "production":
            for handler in app.logger.handlers:  # errors, with their traceback, as JSON too
                handler.setFormatter(JsonFormatter())

    app.extensions["request_log"] = enabled
    # First of all before-request functions: the page cache may answer before the others run.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
