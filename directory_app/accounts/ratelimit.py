"""Rate limits (Flask-Limiter) of password-reset requests and of costly public downloads (referral-sheet
PDFs, PDF_RATE_LIMIT per client IP). Sign-in attempts have their own limits,
which never lock an account's owner out: accounts.signin_limits.

One Limiter per application (kept in app.extensions["login_limiter"]), so that several apps in one
process (tests) never share counters or settings. Storage: RATELIMIT_STORAGE_URI, "memory://" by
default (counts per worker process); production sets a Redis URI (redis://127.0.0.1:6379) so that
every worker and host counts together. Every request counts, LOGIN_RATE_LIMIT ("10/minute") per
client IP and, separately, per email asked about (so nobody's mailbox is flooded with links). Behind
a proxy, TRUSTED_PROXIES makes the client IP right.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

LIMITED_VIEWS = ("accounts.forgot_password",)
# Public downloads that cost real CPU (WeasyPrint lays a referral sheet out in a second or more): per IP.
COSTLY_VIEWS = {
    "referrals.district_sheet_pdf": "PDF_RATE_LIMIT",
    "crisis.saved_pdf": "PDF_RATE_LIMIT",  # a crisis report's sheet (crisis.views)
    "crisis.report_pdf": "PDF_RATE_LIMIT",
}


def _limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "10/minute")


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"account:{email}"


def init_rate_limits(app: Flask) -> None:
    """Create this app's limiter and wrap the limited views (call after the views are registered)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = Limiter(get_remote_address, app=app, default_limits=[], strategy="moving-window")
    app.extensions["login_limiter"] = limiter
    for endpoint in LIMITED_VIEWS:
        view = app.view_functions[endpoint]
        per_ip = limiter.limit(_limit, key_func=get_remote_address, methods=["POST"])
        per_account = limiter.limit(_limit, key_func=_account_key, methods=["POST"], scope=f"{endpoint}:account")
        app.view_functions[endpoint] = per_account(per_ip(view))
    for endpoint, setting in COSTLY_VIEWS.items():
        if endpoint in app.view_functions:
            limit = limiter.limit(lambda setting=setting: current_app.config[setting], key_func=get_remote_address)
            app.view_functions[endpoint] = limit(app.view_functions[endpoint])
