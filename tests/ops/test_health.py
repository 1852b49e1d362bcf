"""/healthz (process up) and /readyz (database reachable, migrations current)."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import make_app


def test_healthz_answers_without_the_database(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_directory(app):
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {"status": "ok", "database": "ok", "migrations": "current"}


@pytest.mark.parametrize("empty_database", ["sqlite", "postgresql"], indirect=True)
def test_readyz_refuses_traffic_before_the_migrations(empty_database):
    app = make_app(empty_database)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "migrations": "pending"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_readyz_says_unreachable_without_leaking_the_error():
    app = make_app(f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{_closed_port()}/nowhere")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable", "migrations": "unknown"}
    assert "hunter2" not in response.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 200  # the process itself is fine


def test_migration_states():
    from directory_app.ops.health import migration_state

    heads, known = frozenset({"0003a", "0003b"}), frozenset({"0001", "0002", "0003a", "0003b"})
    assert migration_state(heads, heads, known) == "current"
    assert migration_state(frozenset({"0002"}), heads, known) == "pending"
    assert migration_state(frozenset(), heads, known) == "pending"
    assert migration_state(frozenset({"0004"}), heads, known) == "ahead"
