"""Public pages served from memory while the directory has not changed.

Most readers are not signed in, and the directory changes a few times a day: the rendered HTML of
a public page for an anonymous reader is kept per process, keyed by the URL, the language and the
directory's version (read from the database on every request: one aggregate query), so every
worker and host serves the same thing after an edit. Signed-in readers, pages with flashed
messages, responses that set a cookie and anything but a 200 are never cached.

PAGE_CACHE_SIZE (entries per process, default 512; 0 disables) sets the size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.security import csp_nonce

CACHED_ENDPOINTS = frozenset(
    {
        "main.home",
        "organisations.directory",
        "organisations.organisation_page",
        "geography.district_list",
        "geography.district_page",
        "geography.coverage_overview",
        "maps.public_map",
    }
)

NONCE_SLOT = b"\x00csp-nonce\x00"
_pages: OrderedDict[tuple, tuple[bytes, int, list]] = OrderedDict()
_lock = threading.Lock()


def directory_version() -> str:
    """Changes whenever an organisation, a district or a consulate is added, changed or removed (one query)."""
    from directory_app.geography.models import ConsularDistrict, Consulate
    from directory_app.organisations.models import Organisation

    values = db.session.execute(
        select(
            select(func.count(Organisation.id)).scalar_subquery(),
            select(func.max(Organisation.updated_at)).scalar_subquery(),
            select(func.count(ConsularDistrict.id)).scalar_subquery(),
            select(func.max(ConsularDistrict.updated_at)).scalar_subquery(),
            select(func.max(Consulate.updated_at)).scalar_subquery(),
        )
    ).one()
    return "|".join(map(str, values))


def _eligible() -> bool:
    return (
        request.method == "GET"
        and request.endpoint in CACHED_ENDPOINTS
        and current_app.config.get("PAGE_CACHE_SIZE", 512) > 0
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def _serve_from_cache():
    if not _eligible():
        return None
    key = (request.full_path, str(get_locale()), directory_version())
    with _lock:
        hit = _pages.get(key)
        if hit is not None:
            _pages.move_to_end(key)
    if hit is None:
        g.page_cache_key = key  # store what the view renders
        return None
    body, status, headers = hit
    body = body.replace(NONCE_SLOT, csp_nonce().encode())
    response = Response(body, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is None or response.status_code != 200 or response.direct_passthrough or session.modified:
        return response
    if "Set-Cookie" in response.headers:
        return response
    skip = ("content-length", "set-cookie", "content-security-policy")
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in skip]
    body = response.get_data().replace(csp_nonce().encode(), NONCE_SLOT)  # each reader gets a new nonce
    with _lock:
        _pages[key] = (body, response.status_code, headers)
        while len(_pages) > current_app.config.get("PAGE_CACHE_SIZE", 512):
            _pages.popitem(last=False)
    response.headers["X-Page-Cache"] = "miss"
    return response


def init_page_cache(app: Flask) -> None:
    app.before_request(_serve_from_cache)
    app.after_request(_store)
