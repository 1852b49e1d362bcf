"""SAVEPOINTs on SQLite, through the application's own engine (the one Flask-SQLAlchemy builds from
the app's configuration, with its connect hooks).

The review workflow runs parts of a request in `db.session.begin_nested()`. With pysqlite's legacy
transaction handling the driver sends BEGIN only before INSERT/UPDATE/DELETE, so a SAVEPOINT that
comes first opens the transaction itself, and releasing it commits everything: a later rollback of
the outer transaction then undoes nothing. These tests hold the app to the documented semantics:
a failed nested block undoes only its own work, a released one stays part of the outer
transaction, and the outer rollback undoes everything. (The fix: directory_app/extensions.py
begins the transaction before the first SAVEPOINT.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from directory_app.extensions import db
from tests.conftest import make_app


@pytest.fixture(params=["NullPool", "default pool"])
def sqlite_app(request, tmp_path):
    """The app on an empty SQLite file, with the test engine options (NullPool) and with the
    production ones (the default pool, pre-ping)."""
    options = {"poolclass": NullPool} if request.param == "NullPool" else {"pool_pre_ping": True}
    app = make_app(f"sqlite:///{tmp_path / 'savepoints.sqlite3'}", SQLALCHEMY_ENGINE_OPTIONS=options)
    with app.app_context():
        assert db.engine.dialect.name == "sqlite"
        db.session.execute(text("CREATE TABLE note (label TEXT NOT NULL UNIQUE)"))
        db.session.commit()
        yield app
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def _add(label: str) -> None:
    db.session.execute(text("INSERT INTO note (label) VALUES (:label)"), {"label": label})


def _labels() -> set[str]:
    """What a new connection sees (committed rows only)."""
    with db.engine.connect() as conn:
        return set(conn.scalars(text("SELECT label FROM note")))


class Boom(Exception):
    pass


def test_a_failed_nested_block_undoes_only_its_own_work(sqlite_app):
    _add("outer-before")
    with pytest.raises(Boom):
        with db.session.begin_nested():
            _add("inner")
            raise Boom
    _add("outer-after")
    db.session.commit()
    assert _labels() == {"outer-before", "outer-after"}


def test_a_failed_nested_block_first_in_the_transaction_undoes_only_its_own_work(sqlite_app):
    db.session.scalar(text("SELECT count(*) FROM note"))  # reads do not begin a transaction in pysqlite
    with pytest.raises(Boom):
        with db.session.begin_nested():
            _add("inner")
            raise Boom
    _add("outer-after")
    db.session.commit()
    assert _labels() == {"outer-after"}


def test_a_database_error_in_a_nested_block_keeps_the_outer_work(sqlite_app):
    _add("taken")
    db.session.commit()
    _add("outer")
    with pytest.raises(Exception, match="UNIQUE"):
        with db.session.begin_nested():
            _add("taken")
    db.session.commit()
    assert _labels() == {"taken", "outer"}


def test_the_outer_rollback_undoes_a_released_nested_block(sqlite_app):
    _add("outer-before")
    with db.session.begin_nested():
        _add("inner")
    db.session.rollback()
    assert _labels() == set()


def test_the_outer_rollback_undoes_a_released_nested_block_that_came_first(sqlite_app):
    """The broken case of legacy pysqlite: the SAVEPOINT opens the transaction, its RELEASE commits."""
    db.session.scalar(text("SELECT count(*) FROM note"))
    with db.session.begin_nested():
        _add("inner")
    assert _labels() == set(), "releasing the savepoint committed the outer transaction"
    _add("outer-after")
    db.session.rollback()
    assert _labels() == set()


def test_the_outer_rollback_after_a_failed_nested_block_undoes_everything(sqlite_app):
    with pytest.raises(Boom):
        with db.session.begin_nested():
            _add("inner-1")
            raise Boom
    with db.session.begin_nested():
        _add("inner-2")
    _add("outer")
    db.session.rollback()
    assert _labels() == set()


def test_the_review_validation_savepoint_leaves_the_outer_transaction_whole(sqlite_app):
    """The review workflow's pattern (services.validate_snapshot): a savepoint always rolled back,
    then the real write, then an error in the request: nothing may be left behind."""
    savepoint = db.session.begin_nested()
    _add("validated")
    savepoint.rollback()
    _add("proposal")
    db.session.rollback()
    assert _labels() == set()
