"""Generic error pages: no stack trace, no exception text; an unreachable database gives 503, not 500."""

from __future__ import annotations

import socket

from sqlalchemy import text

from directory_app.extensions import db
from tests.conftest import make_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unexpected_error_shows_a_generic_page(fresh_app):
    fresh_app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @fresh_app.get("/ops-test/boom")
    def boom():
        raise RuntimeError("secret-internal-detail /srv/cammina/app.py line 42")

    response = fresh_app.test_client().get("/ops-test/boom?lang=en")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret-internal-detail" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "Something went wrong on our side" in body
    assert response.headers["X-Request-ID"]


def test_a_stopped_database_gives_a_503_page_not_a_500():
    app = make_app(f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{_closed_port()}/gone")
    client = app.test_client()
    for path in ("/?lang=en", "/organisations?lang=en", "/districts?lang=en"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        assert "briefly unavailable" in body
        assert "hunter2" not in body and "psycopg" not in body and "Traceback" not in body
    api = client.get("/api/v1/organisations", headers={"Accept": "application/json"})
    assert api.status_code == 503 and api.json["status"] == 503


def test_other_database_errors_keep_their_usual_handling(fresh_app):
    fresh_app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @fresh_app.get("/ops-test/bad-sql")
    def bad_sql():
        db.session.execute(text("SELECT * FROM no_such_table_here"))
        return "unreachable"

    response = fresh_app.test_client().get("/ops-test/bad-sql")
    assert response.status_code == 500
    assert "no_such_table_here" not in response.get_data(as_text=True)
