"""Fixtures: a real directory ("world") per database backend, built once per test session with
the real boundaries, consulates, default districts and a small demo data set, and cheap
per-test copies of it for tests that write.

PostgreSQL tests run against TEST_POSTGRES_URL (default: the local server as user postgres).
When that server cannot be reached they are skipped on a developer's machine, and fail under
CI=true, where PostgreSQL is part of the test set-up.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from directory_app import create_app
from directory_app.extensions import db

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DEMO_COUNT = 150
BACKENDS = ["sqlite", "postgresql"]


def make_app(database_url: str, **extra):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": True,
    }
    config.update(extra)
    return create_app(config)


class Postgres:
    """Creates and drops throw-away PostgreSQL databases."""

    def __init__(self, admin_url: str):
        self.admin_url = sa.make_url(admin_url)
        self.engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def reachable(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("select 1"))
            return None
        except sa.exc.OperationalError as exc:
            return str(exc).splitlines()[0]

    def create(self, template: str | None = None) -> str:
        name = f"cammina_test_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = sa.make_url(url).database
        with self.engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres():
    server = Postgres(PG_ADMIN_URL)
    problem = server.reachable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but cannot be reached: {problem}")
        pytest.skip(f"PostgreSQL not reachable ({problem})")
    return server


def _empty_database(backend: str, request, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'directory.sqlite3'}"
    server = request.getfixturevalue("postgres")
    url = server.create()
    request.addfinalizer(lambda: server.drop(url))
    return url


@pytest.fixture
def empty_database(request, tmp_path_factory):
    """A database URL with nothing in it; parametrize with `backend` to choose."""
    return _empty_database(getattr(request, "param", "sqlite"), request, tmp_path_factory)


@pytest.fixture(scope="session")
def worlds(request, tmp_path_factory):
    """Builds, once per session and backend, a complete directory with the real CLI (setup,
    then demo data); returns a function backend -> database URL."""
    built: dict[str, str] = {}

    def world(backend: str) -> str:
        if backend not in built:
            url = _empty_database(backend, request, tmp_path_factory)
            app = make_app(url)
            # Push this app's context: `flask` commands run in the current app context when
            # there is one, and a test may be inside another app's.
            with app.app_context():
                for args in (["setup"], ["demo", "--count", str(DEMO_COUNT)]):
                    result = app.test_cli_runner().invoke(args=args, catch_exceptions=False)
                    assert result.exit_code == 0, result.output
            built[backend] = url
        return built[backend]

    return world


@pytest.fixture(scope="session", params=BACKENDS)
def world_url(request, worlds) -> str:
    """The world on each backend in turn."""
    return worlds(request.param)


@pytest.fixture(scope="session")
def backend(world_url) -> str:
    return sa.make_url(world_url).get_backend_name()


@pytest.fixture
def app(world_url):
    """The application on the shared world. Tests using it must not write."""
    return make_app(world_url)


@pytest.fixture
def fresh_app(world_url, request, tmp_path):
    """The application on a private copy of the world, for tests that write."""
    if world_url.startswith("sqlite"):
        source = sa.make_url(world_url).database
        target = tmp_path / "copy.sqlite3"
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return make_app(f"sqlite:///{target}")
    server = request.getfixturevalue("postgres")
    url = server.create(template=sa.make_url(world_url).database)
    request.addfinalizer(lambda: server.drop(url))
    return make_app(url)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def fresh_ctx(fresh_app):
    with fresh_app.app_context():
        yield fresh_app
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data"


def copy_data_dir(target: Path) -> Path:
    """A copy of data/ that a test may change."""
    source = Path(__file__).resolve().parent.parent / "data"
    shutil.copytree(source, target)
    return target
