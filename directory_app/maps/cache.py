"""Responses for the GeoJSON layers: built once per data version, compressed, revalidated by ETag.

The version of a layer is read from the database on every request (one cheap aggregate query),
so every worker and every host answers the same thing after an edit. The body for a version is
kept in a small per-process LRU: it is derived from the database and never shared state.
A browser that already has the version gets 304 Not Modified without the body being built.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, request

MAX_ENTRIES = 128
_entries: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
_lock = threading.Lock()


def layer_response(
    key: str, version: str, build: Callable[[], str], *, private: bool = False, keep: bool = True
) -> Response:
    """A JSON/GeoJSON response for `key` at `version`; `build` makes the text when not cached.

    `private` marks layers that depend on who is signed in (exact positions): they are never
    stored by shared caches. `keep=False` answers without storing the body in the LRU (a layer cut
    to a bbox: cheap to build, and its keys are as many as the boxes asked for, which would push the
    whole layers out); its ETag and 304 work as for any other."""
    etag = hashlib.sha256(f"{key}\x00{version}".encode()).hexdigest()[:32]
    cache_control = "private, no-cache" if private else "public, no-cache"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        raw, compressed = _body(etag, build, keep)
        wants_gzip = "gzip" in request.accept_encodings
        response = Response(compressed if wants_gzip else raw, mimetype=_mimetype(key))
        if wants_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding, Cookie" if private else "Accept-Encoding"
    return response


def _body(etag: str, build: Callable[[], str], keep: bool = True) -> tuple[bytes, bytes]:
    with _lock:
        if etag in _entries:
            _entries.move_to_end(etag)
            return _entries[etag]
    raw = build().encode()
    entry = (raw, gzip.compress(raw, compresslevel=6))
    if not keep:
        return entry
    with _lock:
        _entries[etag] = entry
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return entry


def _mimetype(key: str) -> str:
    return "application/geo+json" if key.split("?")[0].endswith(".geojson") else "application/json"
