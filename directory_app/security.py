"""Security headers on every response, and the per-request nonce that inline scripts carry.

Content-Security-Policy: scripts only from the app itself or inline with this request's nonce (the
map script folium writes gets it in embedded_maps), no plugins, no <base>, no framing (except the
public map's embed mode, `?embed=1`, which any site may frame), images from the app, data: URIs
(Leaflet's control icons) and the configured tile server, connections to the app only.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

EMBEDDABLE_ENDPOINTS = frozenset({"maps.public_map"})


def csp_nonce() -> str:
    """This request's nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, tile_origin: str | None, embeddable: bool) -> str:
    images = "'self' data:" + (f" {tile_origin}" if tile_origin else "")
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",  # Leaflet and folium set style attributes; scripts stay strict
        f"img-src {images}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {'*' if embeddable else chr(39) + 'none' + chr(39)}",
    ]
    return "; ".join(directives)


def _tile_origin() -> str | None:
    url = current_app.config.get("MAP_TILE_URL") or ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _set_headers(response: Response) -> Response:
    embeddable = request.endpoint in EMBEDDABLE_ENDPOINTS and request.args.get("embed") == "1"
    response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), _tile_origin(), embeddable)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if not embeddable:
        response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def _make_nonce() -> None:
    csp_nonce()  # a before_request function must return None, or its value becomes the response


def init_security(app: Flask) -> None:
    app.before_request(_make_nonce)
    app.after_request(_set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
