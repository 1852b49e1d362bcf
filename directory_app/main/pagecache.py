"""Public pages served from a cache while the directory has not changed.

Most readers are not signed in, and the directory changes a few times a day: the rendered HTML of
a public page for an anonymous reader is kept, keyed by the URL, the language and the directory's
version. Signed-in readers, pages with flashed messages, responses that set a cookie and anything but
a 200 are never cached.

The version (one aggregate query) is read at most once every PAGE_CACHE_VERSION_TTL seconds per
process (default 1), and at once after this process commits a change: a reader of another worker or
host sees an edit at most that long after it was saved; the editor's own process sees it at once.
An organisation page is keyed by that organisation's own version instead of the organisations' part of
the directory version (one indexed query per request), and a district page by the organisations serving
that district (count and newest change, read like the directory version), so an edit of one entry does
not empty the cache of every other organisation page, nor of the districts it does not serve.

Compression: a page served through the cache (a hit, or a miss that was stored) is gzip-compressed for a
browser that accepts it (Houston's district page at 10,000 organisations: 210 KB, 22 KB compressed). Such
a page holds no secret that compression could leak to a BREACH attacker: it is anonymous and set no
cookie, so it carries no CSRF token, and its CSP nonce is new for every response. Pages of signed-in
readers and pages with forms that set a session are never compressed by the app.

Where pages live:
- PAGE_CACHE_URL empty (default): in each process's memory, at most PAGE_CACHE_SIZE pages (default 512;
  0 disables the cache) and PAGE_CACHE_MEMORY_BYTES of HTML (default 64 MiB);
- PAGE_CACHE_URL=redis://host:6379/1: in Redis, shared by every worker and host, with the same memory
  of each process in front of it (PAGE_CACHE_SIZE 0: Redis only), each entry kept
  PAGE_CACHE_SECONDS (default 86400; an edit makes old entries unreachable at once, the expiry only
  frees the memory; keys start with PAGE_CACHE_PREFIX, default "cammina:page:"). When Redis cannot be
  reached the page is rendered as if not cached.

Fragments: a part of a page that depends on no entry, only on its key (a district page's QR code of its own
address, referrals.sheet_links), can be kept in the same Redis under PAGE_CACHE_PREFIX + "fragment:" with
no directory version in its key (PageCache.fragment): an edit leaves it, so the first view of a page after
an edit does not draw it again, in any worker. Without Redis the caller keeps it in its process.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import threading
import time
from collections import OrderedDict
from datetime import date
from uuid import UUID

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import bindparam, case, exists, func, select

from directory_app.extensions import db
from directory_app.security import csp_nonce

CACHED_ENDPOINTS = frozenset(
    {
        "main.home",
        "main.statistics",
        "organisations.directory",
        "organisations.organisation_page",
        "referrals.district_list",
        "referrals.district_page",
        "referrals.coverage_overview",
        "maps.public_map",
    }
)

NONCE_SLOT = b"\x00csp-nonce\x00"
SKIPPED_HEADERS = ("content-length", "set-cookie", "content-security-policy")
GZIP_LEVEL = 4  # about 2 ms for a 200 KB page; higher levels gain little on HTML

_now = time.monotonic  # tests move the clock
_committed_at = 0.0  # last commit of any session in this process


def read_directory_version() -> tuple:
    """Changes whenever an organisation (its additional information included), a district, a consulate (its
    service windows and networks included) or an additional field is added, changed or removed (one query,
    on indexes)."""
    from directory_app.extra_fields.models import ExtraField
    from directory_app.geography.models import ConsularDistrict, Consulate
    from directory_app.geography.network_models import ConsularNetwork, ConsularWindow
    from directory_app.organisations.models import Organisation

    values = db.session.execute(
        select(
            select(func.count(Organisation.id)).scalar_subquery(),
            select(func.max(Organisation.updated_at)).scalar_subquery(),
            select(func.count(ConsularDistrict.id)).scalar_subquery(),
            select(func.max(ConsularDistrict.updated_at)).scalar_subquery(),
            select(func.max(Consulate.updated_at)).scalar_subquery(),
            select(func.max(ExtraField.updated_at)).scalar_subquery(),  # labels shown on organisation pages
            # a consulate's windows and networks (replaced by each `flask setup`), shown on district pages
            select(func.max(ConsularWindow.updated_at)).scalar_subquery(),
            select(func.max(ConsularNetwork.updated_at)).scalar_subquery(),
        )
    ).one()
    return tuple(map(str, values))


# From this many organisations serving a district, its newest change is found by walking the
# organisations newest first (the updated_at index) until one serves it: about (all organisations /
# those serving) rows, where adding up the district's own rows cost 60 ms for the 35,000 of the largest
# district at 100,000 organisations on PostgreSQL. Below it the district's rows are fewer than that
# walk would be. (The walk is longer when the district's organisations are the least recently edited.)
NEWEST_FIRST_FROM = 1_000


def district_version(code: str) -> str:
    """What a district page shows of the organisations serving the district: how many there are
    (district_count) and the newest change among them. One query, and a second one only for a district
    served by NEWEST_FIRST_FROM organisations or more: the newest change is added up from the district's
    own rows in the same statement when they are fewer (its CASE reads them only then)."""
    from directory_app.organisations.models import DistrictCoverage, Organisation

    # On the session's connection: Core rows, without the ORM's execution layer (its columns need none).
    found = (
        db.session.connection()
        .execute(_district_version_statement(), {"code": code, "threshold": NEWEST_FIRST_FROM})
        .first()
    )
    if found is None or not found[1]:
        return "0@None"
    district_id, count, newest = found
    if count >= NEWEST_FIRST_FROM:
        serves = (DistrictCoverage.organisation_id == Organisation.id) & (DistrictCoverage.district_id == district_id)
        walk = select(Organisation.updated_at).where(exists().where(serves))
        newest = db.session.scalar(walk.order_by(Organisation.updated_at.desc()).limit(1))
    return f"{count}@{newest}"


@functools.cache  # built once, at the first request (the models import this module)
def _district_version_statement():
    from directory_app.geography.models import ConsularDistrict
    from directory_app.organisations.models import DistrictCount, DistrictCoverage, Organisation

    serving = (
        select(func.coalesce(func.sum(DistrictCount.n), 0))
        .where(DistrictCount.district_id == ConsularDistrict.id)
        .scalar_subquery()
    )
    newest = (
        select(func.max(Organisation.updated_at))
        .join(DistrictCoverage, DistrictCoverage.organisation_id == Organisation.id)
        .where(DistrictCoverage.district_id == ConsularDistrict.id)
        .scalar_subquery()
    )
    small = case((serving < bindparam("threshold"), newest), else_=None)
    return select(ConsularDistrict.id, serving, small).where(ConsularDistrict.code == bindparam("code"))


def organisation_version(organisation_uuid: str) -> str:
    """What an organisation page shows of the organisation itself changes its version (one indexed query)."""
    from directory_app.organisations.models import Organisation

    row = db.session.execute(
        select(Organisation.version, Organisation.updated_at).where(Organisation.uuid == organisation_uuid)
    ).first()
    return "none" if row is None else f"{row[0]}@{row[1]}"


def note_commit(_session) -> None:
    """After every commit of the directory's session (registered by directory_app.db_events)."""
    global _committed_at
    _committed_at = _now()


class MemoryStore:
    """The most recently used pages of this process: at most `size` pages and `max_bytes` of HTML."""

    def __init__(self, size: int, max_bytes: int = 64 * 1024 * 1024):
        self.size, self.max_bytes, self.bytes = size, max_bytes, 0
        self._pages: OrderedDict[str, tuple[bytes, int, list]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None:
                self._pages.move_to_end(key)
            return hit

    def put(self, key: str, entry: tuple[bytes, int, list]) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            self.bytes += len(entry[0]) - (len(old[0]) if old else 0)
            self._pages[key] = entry
            while self._pages and (len(self._pages) > self.size or self.bytes > self.max_bytes):
                _key, (body, _status, _headers) = self._pages.popitem(last=False)
                self.bytes -= len(body)


class TieredStore:
    """This process's memory in front of a shared store: a page read once from Redis is served from
    memory next time (the key holds the directory version, so both tiers always agree)."""

    def __init__(self, near: MemoryStore, far):
        self.near, self.far = near, far

    def get(self, key: str):
        hit = self.near.get(key)
        if hit is None:
            hit = self.far.get(key)
            if hit is not None:
                self.near.put(key, hit)
        return hit

    def put(self, key: str, entry: tuple[bytes, int, list]) -> None:
        self.near.put(key, entry)
        self.far.put(key, entry)


class RedisStore:
    """Pages shared by every worker and host; a Redis failure is a miss, never an error page."""

    def __init__(self, url: str, seconds: int, logger, prefix: str = "cammina:page:"):
        import redis

        self.prefix = prefix
        self._errors = (redis.RedisError, OSError)
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.seconds = seconds
        self.logger = logger

    def get(self, key: str):
        try:
            raw = self._redis.get(self.prefix + key)
        except self._errors as exc:
            self.logger.warning("page cache: Redis unreachable (%s); rendering", exc)
            return None
        if raw is None:
            return None
        head, _, body = raw.partition(b"\n")
        status, headers = json.loads(head)
        return body, status, [tuple(pair) for pair in headers]

    def put(self, key: str, entry: tuple[bytes, int, list]) -> None:
        body, status, headers = entry
        raw = json.dumps([status, headers]).encode() + b"\n" + body
        try:
            self._redis.set(self.prefix + key, raw, ex=self.seconds)
        except self._errors as exc:
            self.logger.warning("page cache: Redis unreachable (%s); page not stored", exc)

    def get_fragment(self, key: str) -> str | None:
        try:
            raw = self._redis.get(self.prefix + "fragment:" + key)
        except self._errors as exc:
            self.logger.warning("page cache: Redis unreachable (%s); fragment made again", exc)
            return None
        return None if raw is None else raw.decode()

    def put_fragment(self, key: str, text: str) -> None:
        try:
            self._redis.set(self.prefix + "fragment:" + key, text.encode(), ex=self.seconds)
        except self._errors as exc:
            self.logger.warning("page cache: Redis unreachable (%s); fragment not stored", exc)


class PageCache:
    """One per application: the store and this process's memory of the directory version."""

    def __init__(self, app: Flask):
        url = app.config.get("PAGE_CACHE_URL", "")
        size = int(app.config.get("PAGE_CACHE_SIZE", 512))
        memory = MemoryStore(size, int(app.config.get("PAGE_CACHE_MEMORY_BYTES", 64 * 1024 * 1024)))
        if url:
            seconds = int(app.config.get("PAGE_CACHE_SECONDS", 86400))
            prefix = app.config.get("PAGE_CACHE_PREFIX", "cammina:page:")
            shared = RedisStore(url, seconds, app.logger, prefix)
            self.store = TieredStore(memory, shared) if size > 0 else shared
            self.shared: RedisStore | None = shared
        else:
            self.store = memory
            self.shared = None
        self.enabled = bool(url) or size > 0
        self.ttl = float(app.config.get("PAGE_CACHE_VERSION_TTL", 1.0))
        self._version = ""
        self._read_at = float("-inf")
        self._districts: dict[str, tuple[str, float]] = {}  # code -> (version, read at)
        self._lock = threading.Lock()

    def fragment(self, key: str, make) -> str:
        """The text kept under `key` in the shared store (see Fragments above), else `make()`, stored there.
        Only for texts that depend on nothing but `key` (nor on the reader, nor on any entry): an edit
        never replaces them. Without a shared store: `make()` (the caller keeps it in its process)."""
        if self.shared is None:
            return make()
        text = self.shared.get_fragment(key)
        if text is None:
            text = make()
            self.shared.put_fragment(key, text)
        return text

    def version(self) -> tuple:
        """The directory version, read again when older than the TTL or than this process's last commit."""
        now = _now()
        with self._lock:
            fresh = now - self._read_at < self.ttl and self._read_at > _committed_at
            if fresh:
                return self._version
        version = read_directory_version()
        with self._lock:
            self._version, self._read_at = version, now
        return version

    def district(self, code: str) -> str:
        """A district's version, read again as the directory version is (TTL, or after a local commit)."""
        now = _now()
        with self._lock:
            version, read_at = self._districts.get(code, ("", float("-inf")))
            if now - read_at < self.ttl and read_at > _committed_at:
                return version
        version = district_version(code)
        with self._lock:
            if len(self._districts) > 10_000:  # codes come from URLs: bounded
                self._districts.clear()
            self._districts[code] = (version, now)
        return version

    def key(self) -> str:
        """An organisation page depends on that organisation and on districts, consulates and additional
        fields, not on the other organisations: editing one entry leaves the others' pages cached. A
        district page depends on the organisations serving that district and on the day (its print
        date). Every other page depends on
        the whole directory version."""
        version = self.version()
        if request.endpoint == "referrals.district_page":
            code = str((request.view_args or {}).get("code", ""))[:64]
            # ... and on the day: its printed sheet says when it was printed (referrals.sheet_links)
            version = (*version[2:], self.district(code), date.today().isoformat())
        elif request.endpoint == "organisations.organisation_page":
            try:  # as the view reads it: any spelling of the same UUID is the same organisation
                uuid = str(UUID(str((request.view_args or {}).get("organisation_uuid", ""))))
            except ValueError:
                uuid = ""
            version = (*version[2:], organisation_version(uuid))
        parts = (request.full_path, str(get_locale()), *version)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _cache() -> PageCache:
    return current_app.extensions["page_cache"]


def _eligible(cache: PageCache) -> bool:
    return (
        cache.enabled
        and request.method == "GET"
        and request.endpoint in CACHED_ENDPOINTS
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def _serve_from_cache():
    cache = _cache()
    if not _eligible(cache):
        return None
    key = cache.key()
    hit = cache.store.get(key)
    if hit is None:
        g.page_cache_key = key  # store what the view renders
        return None
    body, status, headers = hit
    body = body.replace(NONCE_SLOT, csp_nonce().encode())
    response = Response(body, status=status, headers=headers)
    response.headers["X-Page-Cache"] = "hit"
    return _compressed(response)


def _compressed(response: Response) -> Response:
    """The response gzip-compressed when the browser accepts it (only pages of this cache: see above)."""
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings and "Content-Encoding" not in response.headers:
        response.set_data(gzip.compress(response.get_data(), compresslevel=GZIP_LEVEL))
        response.headers["Content-Encoding"] = "gzip"
    return response


def _store(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is None or response.status_code != 200 or response.direct_passthrough or session.modified:
        return response
    if "Set-Cookie" in response.headers:
        return response
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS]
    body = response.get_data().replace(csp_nonce().encode(), NONCE_SLOT)  # each reader gets a new nonce
    _cache().store.put(key, (body, response.status_code, headers))
    response.headers["X-Page-Cache"] = "miss"
    return _compressed(response)


def init_page_cache(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(app)
    app.before_request(_serve_from_cache)
    app.after_request(_store)
