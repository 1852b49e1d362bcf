"""Links the geography pages print: safe websites, organisation pages, the directory."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import request, url_for
from werkzeug.routing import BuildError

from directory_app.i18n import current_language as reader_language
from directory_app.organisations.display import is_stale

# The query parameters the directory (/organisations) understands.
DIRECTORY_PARAMETERS = (
    "q",
    "service",
    "match",
    "population",
    "language",
    "country",
    "district",
    "network",
    "sort",
    "page",
)


def safe_website(url: str | None) -> str | None:
    """The URL when it is an http(s) link with a host, else None: a website typed into an entry
    never becomes a javascript: or data: link."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\r\n\t "):
        return None
    return url


def organisation_url(organisation) -> str | None:
    """The organisation's page, or None while the organisations blueprint has no such page."""
    try:
        return url_for("organisations.organisation_page", organisation_uuid=organisation.uuid)
    except BuildError:
        return None


def directory_url(**params: str | list[str] | None) -> str:
    """The directory filtered by the given parameters (None values left out; a list: the parameter
    repeated, as `service`)."""
    unknown = set(params) - set(DIRECTORY_PARAMETERS)
    if unknown:
        raise ValueError(f"the directory does not understand {sorted(unknown)}")
    given = {k: v for k, v in params.items() if v is not None}
    try:
        return url_for("organisations.directory", **given)
    except BuildError:
        query = urlencode(given, doseq=True)
        return f"{request.script_root}/organisations" + (f"?{query}" if query else "")


def link_helpers() -> dict:
    """The helpers above, and whether an entry is stale, for templates (a blueprint context processor)."""
    return {
        "safe_website": safe_website,
        "organisation_url": organisation_url,
        "directory_url": directory_url,
        "lang": reader_language(),
        "is_stale": is_stale,
    }
