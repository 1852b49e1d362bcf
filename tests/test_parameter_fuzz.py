"""No parameter gives a 500: every GET route of the URL map, with its path variables filled from the
demo world and with junk, is sent bad values (dates out of range, huge or odd numbers, NUL and other
control characters, unassigned code points and noncharacters, bytes that are not UTF-8 or encode a lone
surrogate, wrong types, repeated keys) in every query parameter it reads. Characters no parameter has and
repeated keys get a 400 on every route; API routes (/api/v1, /hsds, /ogc) answer a 400 in JSON.

As the public and as a signed-in TS user (who may see more, through other queries), on every route;
characters and repeated keys, refused before any view whoever asks, go to a TS user only on the routes
the public cannot use. Which parameters a route reads is found by asking it: a request class whose
argument dictionary records every name looked up (get, [], in), so a parameter added to a view tomorrow
is fuzzed too. Deterministic (fixed values, no random seeds). The whole matrix runs on SQLite (about
2,100 requests as the public, half a minute); PostgreSQL gets the public pass with the values that
reach the database (NUL, huge numbers, a date past 9999, long text)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from tests.conftest import login_as, make_app

READ: set[str] = set()
# Read by every route (language choice, embeddable public map): fuzzed once per route, not per route x value.
EVERYWHERE = ("lang", "embed")
API_PREFIXES = ("/api/", "/hsds", "/ogc")


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that remember the names a view looks up."""

    def get(self, key, default=None, type=None):  # noqa: A002 - the signature of MultiDict.get
        READ.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):  # noqa: A002
        READ.add(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


# Characters refused wherever they appear (any parameter, any route: 400): sent in every parameter at
# once and in a parameter name. Already percent-encoded.
CHARACTERS = {
    "nul": "a%00b",
    "control": "%1B%5B31m",
    "c1 control": "%C2%85",
    "unassigned": "%CD%B8",  # U+0378
    "noncharacter": "%EF%B7%90",  # U+FDD0
    "replacement character": "%EF%BF%BD",  # U+FFFD
}
# Bytes that are not UTF-8, such as a lone surrogate in UTF-8 form: werkzeug keeps them percent-encoded
# (the view reads the text "%ED%A0%80"), so they cannot reach a view as a surrogate. Any answer but a 500.
UNDECODABLE = {
    "lone surrogate": "%ED%A0%80",  # U+D800
    "not utf-8": "%FF%FE",
}
# Values that are well-formed text but wrong for a parameter: each sent in each parameter a route reads.
VALUES = {
    "date past 9999": "9999-12-31T23:59:59-05:00",
    "date before 1": "0001-01-01T00:00:00+05:00",
    "huge integer": "9" * 5000,
    "huge negative": "-" + "9" * 30,
    "superscript digit": "%C2%B2",  # "²": str.isdigit() says yes, int() says no
    "float overflow": "1e400",
    "not a number": "nan",
    "wrong type": "%5B%5D",  # "[]"
    "long text": "x" * 3000,
}
POSTGRES_VALUES = ("date past 9999", "huge integer", "long text")
JUNK_PATHS = {
    "nul": "%00",
    "huge integer": "9" * 40,
    "negative": "-1",
    "unassigned": "%CD%B8",
    "lone surrogate": "%ED%A0%80",
    "long": "x" * 3000,
    "dots": "..%2F..%2Fetc",
}


def _real_values(client) -> dict[str, str]:
    """A real value of each kind of path variable, from the world."""

    def first(url: str, *keys):
        data = client.get(url).get_json()
        for key in keys:
            data = data[key]
        return str(data)

    organisation = first("/api/v1/organisations?per_page=1", "organisations", 0, "id")
    return {
        "organisation_uuid": organisation,
        "organisation_id": organisation,
        "organization_id": organisation,
        "code": first("/api/v1/districts", "districts", 0, "code"),
        "service_id": first("/hsds/services?per_page=1", "contents", 0, "id"),
        "taxonomy_id": first("/hsds/taxonomies", "contents", 0, "id"),
        "term_id": first("/hsds/taxonomy_terms", "contents", 0, "id"),
        "collection_id": "organisations",
        "feature_id": first("/ogc/collections/organisations/items?f=json&limit=1", "features", 0, "id"),
        "filename": "css/app.css",
        "token": "not-a-token",
    }


def _routes(app, real: dict[str, str], junk_paths: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    """(endpoint, URL with real path values, [URLs with junk in a path variable]) of every GET route."""
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        values = {name: real.get(name, "1") for name in rule.arguments}
        good = _build(rule.rule, values)
        junk = [_build(rule.rule, values | {name: bad}) for name in rule.arguments for bad in junk_paths.values()]
        routes.append((rule.endpoint, good, junk))
    return routes


def _build(rule: str, values: dict[str, str]) -> str:
    url = rule
    for name, value in values.items():
        encoded = value if "%" in value else quote(value, safe="/" if name == "filename" else "")
        url = url.replace(f"<{name}>", encoded)
        for converter in ("int", "path", "string"):
            url = url.replace(f"<{converter}:{name}>", encoded)
    return url


def _parameters_read(client, url: str) -> list[str]:
    READ.clear()
    client.get(url)
    READ.clear()
    # a second look with a point given: the nearest search reads a label only with one
    client.get(f"{url}{'&' if '?' in url else '?'}lat=14.6&lon=-90.5")
    names = set(READ)
    READ.clear()
    client.get(url)
    return sorted((names | set(READ)) - set(EVERYWHERE))


class Sender:
    """Sends the requests and keeps every answer that is a 500 (or another 5xx than the route gives
    without parameters, e.g. /readyz), an API refusal that is not JSON, or not the status expected."""

    def __init__(self):
        self.failures: list[str] = []
        self.count = 0

    def get(self, client, who: str, url: str, baseline: int = 200, expect: int | None = None) -> int:
        self.count += 1
        response = client.get(url)
        status = response.status_code
        path = url.split("?", 1)[0]
        if status >= 500 and (status == 500 or status != baseline):
            self.failures.append(f"{who} GET {url[:160]} -> {status}")
        elif expect is not None and status != expect:
            self.failures.append(f"{who} GET {url[:160]} -> {status}, expected {expect}")
        elif status == 400 and path.startswith(API_PREFIXES) and "f=html" not in url:
            if not response.is_json or "error" not in (response.get_json() or {}):
                self.failures.append(f"{who} GET {url[:160]} -> 400 not JSON ({response.mimetype})")
        return status


def _fuzz(app, who: str, values: dict, characters: dict, junk_paths: dict = JUNK_PATHS) -> Sender:
    """Every GET route. Characters and repeated keys are refused before any view, whoever asks: a
    signed-in user sends them only to the routes the public cannot use (sign-in or 403)."""
    app.request_class = RecordingRequest
    public = app.test_client()
    client = login_as(app.test_client(), who) if who != "public" else public
    sender = Sender()
    for _endpoint, url, junk_urls in _routes(app, _real_values(public), junk_paths):
        guard_checked = who != "public" and public.get(url).status_code not in (302, 401, 403)
        baseline = sender.get(client, who, url, baseline=0)
        for junk in junk_urls:
            sender.get(client, who, junk, baseline)
        names = _parameters_read(client, url)
        for value in [] if guard_checked else [*characters.values(), *UNDECODABLE.values()]:
            every = "&".join(f"{name}={value}" for name in [*names, *EVERYWHERE, "zzz", value])
            sender.get(client, who, f"{url}?{every}", baseline, expect=400 if value in characters.values() else None)
        for name in names:
            for value in values.values():
                sender.get(client, who, f"{url}?{quote(name)}={value}", baseline)
        if not guard_checked:
            repeated = "&".join(f"{name}=1&{name}=2" for name in names or ["page"])
            sender.get(client, who, f"{url}?{repeated}", baseline, expect=400)
    if who == "public":
        for name in EVERYWHERE:
            for value in values.values():
                sender.get(client, who, f"/organisations?{name}={value}")
    return sender


@pytest.mark.parametrize("who", ["public", "ts_admin"])
def test_no_parameter_gives_a_500_on_sqlite(worlds, who):
    sender = _fuzz(_app(worlds("sqlite")), who, VALUES, CHARACTERS)
    assert sender.count > 1000
    assert sender.failures == [], _report(sender)


def test_no_parameter_gives_a_500_on_postgresql(worlds):
    values = {name: VALUES[name] for name in POSTGRES_VALUES}
    junk_paths = {name: JUNK_PATHS[name] for name in ("nul", "huge integer")}
    sender = _fuzz(_app(worlds("postgresql")), "public", values, {"nul": CHARACTERS["nul"]}, junk_paths)
    assert sender.count > 300
    assert sender.failures == [], _report(sender)


def _app(database_url: str):
    """The app on the world; an exception becomes the 500 a reader would get (not raised in the test)."""
    return make_app(database_url, PROPAGATE_EXCEPTIONS=False)


def _report(sender: Sender) -> str:
    return f"{len(sender.failures)} of {sender.count} requests failed:\n" + "\n".join(sender.failures[:80])
