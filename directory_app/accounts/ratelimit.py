"""Rate limits of sign-in and password-reset requests (Flask-Limiter).

One Limiter per application (kept in app.extensions["login_limiter"]), so that several apps in one
process (tests) never share counters or settings. Storage: RATELIMIT_STORAGE_URI, "memory://" by
default (counts per worker process); production sets a Redis URI (redis://127.0.0.1:6379) so that
every worker and host counts together. The limit (LOGIN_RATE_LIMIT, "10/minute" by default) applies
per client IP and, separately, per account email; only failed sign-ins count (a success is a redirect),
so a person who types their password right is never slowed down, and an attacker who rotates IPs still
meets the per-account limit. Behind a proxy, deploy with werkzeug's ProxyFix so the client IP is right.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

LIMITED_VIEWS = {
    # endpoint: count only failed attempts?
    "accounts.login": True,
    "accounts.forgot_password": False,
}


def _limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "10/minute")


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"account:{email}"


def _failed(response) -> bool:
    return response.status_code != 302


def _always(_response) -> bool:
    return True


def init_rate_limits(app: Flask) -> None:
    """Create this app's limiter and wrap the limited views (call after the views are registered)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = Limiter(get_remote_address, app=app, default_limits=[], strategy="moving-window")
    app.extensions["login_limiter"] = limiter
    for endpoint, failures_only in LIMITED_VIEWS.items():
        view = app.view_functions[endpoint]
        deduct = _failed if failures_only else _always
        per_ip = limiter.limit(_limit, key_func=get_remote_address, methods=["POST"], deduct_when=deduct)
        per_account = limiter.limit(
            _limit, key_func=_account_key, methods=["POST"], deduct_when=deduct, scope=f"{endpoint}:account"
        )
        app.view_functions[endpoint] = per_account(per_ip(view))
