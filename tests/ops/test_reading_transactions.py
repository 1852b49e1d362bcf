"""How a request's transaction ends on PostgreSQL (ops.resilience.end_reading_transaction): one that only
read is committed, so its connection keeps the statements psycopg prepared (a ROLLBACK makes psycopg
forget them all); one that wrote anything is rolled back as before, whatever it wrote and however."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select, update

from directory_app.extensions import csrf, db
from directory_app.organisations.models import Organisation
from tests.conftest import make_app

# One connection, kept by the pool between requests (the tests' default, NullPool, closes it), and no
# page cache (a cached page runs no statement).
POOLED = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}, "PAGE_CACHE_SIZE": 0}


@pytest.fixture
def pooled_app(worlds):
    app = make_app(worlds("postgresql"), **POOLED)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def pooled_copy(worlds, postgres, request):
    """The app on a private copy of the PostgreSQL world (these tests write), pooled as above."""
    url = postgres.create(template=sa.make_url(worlds("postgresql")).database)
    request.addfinalizer(lambda: postgres.drop(url))
    app = make_app(url, **POOLED)
    yield app
    with app.app_context():
        db.engine.dispose()


def _prepared_statements(app) -> list[str]:
    with app.app_context():
        rows = db.session.connection().exec_driver_sql("SELECT statement FROM pg_prepared_statements").all()
        return [row[0] for row in rows]


def test_reading_requests_keep_the_statements_prepared_on_their_connection(pooled_app):
    client = pooled_app.test_client()
    for _ in range(6):  # psycopg prepares a statement at its 5th run on a connection
        assert client.get("/districts/GT-US-HOUSTON").status_code == 200
    prepared = _prepared_statements(pooled_app)
    assert any("FROM consular_district" in statement for statement in prepared), prepared
    assert any("FROM district_coverage JOIN service" in statement for statement in prepared), prepared


def _writing_routes(app, organisation_id: int) -> None:
    """Views that change an organisation's name without committing, each in its own way."""

    def core_update():
        db.session.execute(update(Organisation).where(Organisation.id == organisation_id).values(name="CORE"))
        return "written, not committed"

    def orm_flush():
        db.session.get(Organisation, organisation_id).name = "FLUSHED"
        db.session.flush()
        return "flushed, not committed"

    def orm_pending():
        db.session.get(Organisation, organisation_id).name = "PENDING"
        return "changed, not flushed"

    def locked():
        db.session.execute(select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())
        return "a row locked"

    def failed_statement():
        try:
            db.session.connection().exec_driver_sql("SELECT * FROM no_such_table")
        except sa.exc.ProgrammingError:
            pass  # the transaction is now aborted: it can only be rolled back
        return "a statement failed"

    for view in (core_update, orm_flush, orm_pending, locked, failed_statement):
        app.add_url_rule(f"/test/{view.__name__}", view.__name__, csrf.exempt(view), methods=["GET", "POST"])


def test_a_request_that_wrote_is_rolled_back_whatever_it_wrote(pooled_copy):
    with pooled_copy.app_context():
        organisation_id, name = db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.id).limit(1)
        ).one()
    _writing_routes(pooled_copy, organisation_id)
    client = pooled_copy.test_client()
    for path in ("core_update", "orm_flush", "orm_pending", "locked", "failed_statement"):
        assert client.post(f"/test/{path}").status_code == 200, path
        with pooled_copy.app_context():
            assert db.session.get(Organisation, organisation_id).name == name, path
    # ... and a reading request after each of them still ends well on the same connection
    assert client.get("/districts/GT-US-HOUSTON").status_code == 200


def test_a_request_that_failed_is_rolled_back(pooled_copy):
    with pooled_copy.app_context():
        organisation_id, name = db.session.execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.id).limit(1)
        ).one()

    def write_then_fail():
        db.session.execute(update(Organisation).where(Organisation.id == organisation_id).values(name="HALF"))
        raise RuntimeError("the view failed after writing")

    pooled_copy.add_url_rule("/test/write_then_fail", "write_then_fail", csrf.exempt(write_then_fail), methods=["POST"])
    pooled_copy.config["PROPAGATE_EXCEPTIONS"] = False
    assert pooled_copy.test_client().post("/test/write_then_fail").status_code == 500
    with pooled_copy.app_context():
        assert db.session.get(Organisation, organisation_id).name == name
