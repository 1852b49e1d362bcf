"""Paths and absolute links of this package's messages (absolute ones only on PUBLIC_BASE_URL)."""

from __future__ import annotations

from flask import current_app


def site_path(endpoint: str, **values) -> str:
    """The path of `endpoint` within the site, without the public address's own prefix (what
    notifications.outbox.enqueue's `link_path` takes: it puts PUBLIC_BASE_URL in front)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values)
