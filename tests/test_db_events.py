"""The directory's SQLAlchemy hooks act on its own engines and session only (directory_app.db_events)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from directory_app import create_app
from directory_app.extensions import db
from directory_app.organisations.models import Organisation


def test_the_apps_sqlite_engine_gets_its_pragmas(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context(), db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_reads_its_file_through_memory_maps_unless_turned_off(tmp_path):
    """SQLITE_MMAP_BYTES (256 MiB by default) reaches every connection of the app's engine; 0 turns it off."""
    database = f"sqlite:///{tmp_path / 'mapped.sqlite3'}"
    for settings, expected in (({}, 256 * 1024 * 1024), ({"SQLITE_MMAP_BYTES": 0}, 0)):
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database,
                "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
                "SECRET_KEY": "test-secret-key-not-for-production",
                **settings,
            }
        )
        with app.app_context():
            for _ in range(2):  # a new connection each time (NullPool)
                with db.engine.connect() as connection:
                    assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == expected
            db.engine.dispose()


def test_another_engine_in_the_process_is_left_alone(app, tmp_path):
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}", poolclass=NullPool)
    with other.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == 0
    other.dispose()


def test_another_session_in_the_process_runs_no_directory_hook(app, tmp_path):
    """A plain ORM session on another database may write an Organisation row shape without the
    search-text hook touching it (the hook belongs to the directory's session)."""
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}", poolclass=NullPool)
    db.metadata.create_all(other)
    with Session(other) as session:
        organisation = Organisation(name="Casa Quimbaró", country_code="MX", kind="ngo", search_text="untouched")
        session.add(organisation)
        session.flush()
        assert organisation.search_text == "untouched"
        session.rollback()
    other.dispose()


def test_the_directory_session_keeps_the_search_text(fresh_app):
    with fresh_app.app_context():
        organisation = db.session.scalars(sa.select(Organisation).limit(1)).one()
        organisation.name = "Albergue Velmoria del Paso"
        db.session.flush()
        assert "velmoria del paso" in organisation.search_text
        db.session.rollback()
