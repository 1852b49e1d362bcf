"""Structured request logs: one JSON line per request with the request id, also sent back in X-Request-ID."""

from __future__ import annotations

import io
import json
import logging

import pytest

from directory_app.ops.logging import JsonFormatter, logger
from tests.conftest import make_app


@pytest.fixture
def log_lines():
    """The request log's JSON lines, as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def logged_app(world_url):
    return make_app(world_url, REQUEST_LOG=True)


def test_each_request_is_one_json_line_with_its_id(logged_app, log_lines):
    response = logged_app.test_client().get("/organisations?q=casa+refugio&country=MX")
    assert response.status_code == 200
    rid = response.headers["X-Request-ID"]
    assert len(rid) == 32
    (entry,) = [e for e in log_lines() if e.get("request_id") == rid]
    assert entry["method"] == "GET" and entry["path"] == "/organisations" and entry["status"] == 200
    assert entry["route"] == "/organisations" and entry["duration_ms"] >= 0 and entry["level"] == "info"
    assert "casa" not in json.dumps(entry)  # no query strings in the log


def test_an_incoming_request_id_is_kept_and_a_bad_one_replaced(logged_app, log_lines):
    client = logged_app.test_client()
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:9"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.42:9"
    bad = '", "status": 200, "x": "' + "a" * 80
    replaced = client.get("/healthz", headers={"X-Request-ID": bad})
    assert replaced.headers["X-Request-ID"] != bad
    assert len(replaced.headers["X-Request-ID"]) == 32
    ids = [e["request_id"] for e in log_lines()]
    assert ids == ["lb-7f3a.42:9", replaced.headers["X-Request-ID"]]


def test_pages_from_the_page_cache_and_errors_are_logged_too(logged_app, log_lines):
    client = logged_app.test_client()
    client.get("/")
    client.get("/")  # the second comes from memory
    client.get("/organisations/no-such-entry")
    statuses = [(e["path"], e["status"]) for e in log_lines()]
    assert statuses[:2] == [("/", 200), ("/", 200)]
    assert statuses[2][1] == 404


def test_secret_tokens_in_paths_are_not_logged(logged_app, log_lines):
    logged_app.test_client().get("/password/reset/s3cr3t-t0ken-value")
    (entry,) = log_lines()
    assert "s3cr3t" not in json.dumps(entry)
    assert entry["path"] == "/password/reset/<token>"


def test_signed_in_requests_carry_the_user_id(logged_app, log_lines, login_as):
    client = login_as(logged_app.test_client(), "ts_admin")
    client.get("/organisations")
    entry = log_lines()[-1]
    assert isinstance(entry["user_id"], int)


def test_the_log_is_off_by_default_outside_production(world_url, log_lines):
    app = make_app(world_url)
    response = app.test_client().get("/healthz")
    assert response.headers["X-Request-ID"]  # ids always
    assert log_lines() == []
