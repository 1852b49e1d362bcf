"""Absolute links from the configured public address, never from the request's Host header.

Every absolute link the directory hands out (password-reset and invitation emails, the `url` and `uri`
fields of the JSON and HSDS APIs, HSDS exports, the OGC API's links and OpenAPI servers) is built by
`public_url(endpoint, **values)` on `PUBLIC_BASE_URL` (scheme, host and an optional path prefix, e.g.
`https://directory.example.org` or `https://example.org/directorio`). A Host header is chosen by whoever
sends the request: a link built from it lets an attacker ask for a password reset with `Host:
evil.example` and receive the victim's valid token when the victim clicks the emailed link.

In production PUBLIC_BASE_URL is required (config.production_problems) and Flask's TRUSTED_HOSTS (its
host plus the optional TRUSTED_HOSTS setting) answers 400 to any other Host, before anything else runs.

Without PUBLIC_BASE_URL (development and tests only) the rule is: the request's own address when its
host is a loopback address (localhost, 127.0.0.1, ::1), else `http://127.0.0.1:5000`. A forged Host can
then only point a link at the reader's own machine, never at someone else's server; a developer on any
local port, and the test servers on free ports, still get links that work.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, has_request_context, request
from werkzeug.exceptions import SecurityError

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def _is_loopback(host: str) -> bool:
    try:
        hostname = urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return False
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def public_base_url() -> str:
    """The directory's public address without a trailing slash (see the module docstring)."""
    configured = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if configured:
        return configured
    if has_request_context() and request.routing_exception is None and _is_loopback(request.host):
        return request.url_root.rstrip("/")
    return DEVELOPMENT_BASE_URL


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` (a full name, "blueprint.view") on the public address;
    values that are not part of the route become query parameters, as with url_for."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def _refuse_untrusted_host() -> Response | None:
    """A Host outside TRUSTED_HOSTS: Flask keeps the refusal as the routing exception and would raise it
    only after every other before_request function (page cache, sign-in, ...) ran; answer at once, in
    plain text (no page template: nothing can build URLs for an untrusted host)."""
    if isinstance(request.routing_exception, SecurityError):
        return Response("400 Bad Request: unknown host.\n", status=400, mimetype="text/plain")
    return None


def init_public_links(app: Flask) -> None:
    """Refuse untrusted hosts first of all; `public_url` in templates."""
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)
    app.jinja_env.globals["public_url"] = public_url
