"""Fixtures: a real directory ("world") per database backend, built once per test session with
the real boundaries, consulates, default districts and a small demo data set, and cheap
per-test copies of it for tests that write.

PostgreSQL tests run against TEST_POSTGRES_URL (default: the local server as user postgres).
When that server cannot be reached they are skipped on a developer's machine, and fail under
CI=true, where PostgreSQL is part of the test set-up.

Acting as each role. Every world (so `app`, `fresh_app` and their copies too) holds one user per
role, created with the real `create-user` command, all with the password TEST_PASSWORD:

    ts_admin              ts-admin@example.org      Technical Secretariat
    consular              consular@example.org      consular user
    country_contact       contact-mx@example.org    country contact for Mexico (the default country)
    country_contact, GT   contact-gt@example.org    country contact for Guatemala ("another country")

- `login_as(client, role, country=None)` signs a test client in through the real /login form (it reads
  the CSRF token from the form) and returns the client; role "public" leaves it signed out. It is a
  fixture and a plain function (`from tests.conftest import login_as`).
- `client_as(role, country=None)` (fixture) gives a new client of `app` signed in as that role:
  `client_as("country_contact", "GT").get(...)`. Signing in writes only an audit-log row (as do
  403s), harmless on the read-only `app` (count audit events as deltas); signing OUT bumps the user's
  session version: do that on `fresh_app` only.
- `TEST_USERS[user_key(role, country)]` gives the TestUser (email, role, country, name).

Browser tests (tests/browser/) are marked `browser`; their fixtures are in tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.pool import NullPool

from directory_app import create_app
from directory_app.extensions import db

# The official HSDS 3.0 JSON Schemas, beside the project (../shared), or where HSDS_SCHEMA_DIR says.
HSDS_SCHEMA_DIR = Path(
    os.environ.get("HSDS_SCHEMA_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "standards" / "hsds-3.0" / "schema"
)
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DEMO_COUNT = 150
BACKENDS = ["sqlite", "postgresql"]
ROLES = ("public", "consular", "country_contact", "ts_admin")
TEST_PASSWORD = "quiet-harbour-lantern-58"
DEFAULT_CONTACT_COUNTRY = "MX"


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    email: str
    role: str
    country: str | None
    name: str


TEST_USERS = {
    "ts_admin": TestUser("ts-admin@example.org", "ts_admin", None, "Tessa Admin"),
    "consular": TestUser("consular@example.org", "consular", None, "Consuelo Lara"),
    "country_contact:MX": TestUser("contact-mx@example.org", "country_contact", "MX", "Mateo Contacto"),
    "country_contact:GT": TestUser("contact-gt@example.org", "country_contact", "GT", "Gabriela Contacto"),
}


def user_key(role: str, country: str | None = None) -> str:
    """The TEST_USERS key of a role (country contacts: of `country`, by default Mexico)."""
    if role == "country_contact":
        return f"country_contact:{(country or DEFAULT_CONTACT_COUNTRY).upper()}"
    if role not in TEST_USERS:
        raise KeyError(f"no test user for role {role!r}; roles: {', '.join(ROLES)}")
    return role


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "browser: runs in headless Chromium (tests/browser)")


class ClosingClient(FlaskClient):
    """The test client of every test app: it reads each response whole and closes what the response
    came from, as a WSGI server does (PEP 3333: the server calls the body's close()). Werkzeug's client
    leaves both open until the test closes the response: a file response (static files, downloads) and
    the temporary file holding a multipart request over 500 KB (closed only when redirects are followed)
    would otherwise wait for the garbage collector (ResourceWarning)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        response = super().open(*args, buffered=buffered, **kwargs)
        response.request.input_stream.close()
        return response


def make_app(database_url: str, **extra):
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": True,
        "MAP_TILE_URL": "",  # no tile server: the maps use their own base layer, nothing leaves 127.0.0.1
        # Tests read English unless they ask for a language (the app's default is Spanish).
        "BABEL_DEFAULT_LOCALE": "en",
        # An account under attack is slowed down (accounts.signin_limits): not in tests, except where
        # they test it (with a fake pause, never on the real clock).
        "LOGIN_MAX_DELAY": 0,
    }
    config.update(extra)
    app = create_app(config)
    app.test_client_class = ClosingClient
    return app


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
        """A new database, empty or a copy of `template`. PostgreSQL refuses to copy a database while
        anyone is connected to it, which happens for an instant whenever a test of the other xdist
        worker reads the shared world: the copy is retried for a while before giving up."""
        name = f"cammina_test_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        for attempt in range(30):
            try:
                with self.engine.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"{clause}'))
                break
            except sa.exc.OperationalError as exc:
                if "is being accessed by other users" not in str(exc) or attempt == 29:
                    raise
                self._release_idle_sessions(template)
                time.sleep(0.1 + random.random() * 0.2)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _release_idle_sessions(self, database: str) -> None:
        """End sessions left idle on a template (a pooled connection some test kept): the world is
        read-only, and an engine with pool_pre_ping reconnects when it needs to. Sessions running a
        query are left alone."""
        with self.engine.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name "
                    "AND state = 'idle' AND state_change < now() - interval '2 seconds' AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )

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
                # --no-accounts: the world's users are exactly TEST_USERS (demo accounts are tested apart)
                for args in (["setup"], ["demo", "--count", str(DEMO_COUNT), "--no-accounts"]):
                    result = app.test_cli_runner().invoke(args=args, catch_exceptions=False)
                    assert result.exit_code == 0, result.output
                _create_test_users(app)
            built[backend] = url
        return built[backend]

    return world


def _create_test_users(app) -> None:
    for user in TEST_USERS.values():
        args = ["create-user", user.email, "--role", user.role, "--name", user.name, "--password-stdin"]
        if user.country:
            args += ["--country", user.country]
        result = app.test_cli_runner().invoke(args=args, input=TEST_PASSWORD + "\n", catch_exceptions=False)
        assert result.exit_code == 0, result.output


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


_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = _CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login_as(client, role: str, country: str | None = None, password: str = TEST_PASSWORD):
    """Sign `client` in as the test user of `role` through the real /login form; "public" does nothing."""
    if role == "public":
        return client
    user = TEST_USERS[user_key(role, country)]
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"signing in as {role} failed: {response.status_code}"
    return client


@pytest.fixture(name="login_as")
def login_as_fixture():
    """The login_as function, as a fixture."""
    return login_as


@pytest.fixture
def client_as(app):
    """A factory: client_as(role, country=None) -> a new test client of `app` signed in as that role."""

    def make(role: str, country: str | None = None):
        return login_as(app.test_client(), role, country)

    return make


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data"


def copy_data_dir(target: Path) -> Path:
    """A copy of data/ that a test may change."""
    source = Path(__file__).resolve().parent.parent / "data"
    shutil.copytree(source, target)
    return target


def redis_reachable() -> bool:
    """A Redis server answers at 127.0.0.1:6379 (.ci/run starts one; tests needing it fail under CI=true)."""
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def hsds_validators():
    """A function name -> jsonschema validator for the HSDS 3.0 schemas (compiled/organization.json,
    taxonomy.json, ...), with format checks (uuid, email...). The schemas are read from HSDS_SCHEMA_DIR
    (never copied into the project); when they are missing the tests are skipped on a developer's
    machine and fail under CI=true."""
    if not HSDS_SCHEMA_DIR.is_dir():
        message = f"HSDS 3.0 schemas not found at {HSDS_SCHEMA_DIR}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    resources = [
        (
            path.name,
            Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=_draft()),
        )
        for path in HSDS_SCHEMA_DIR.glob("*.json")
        if path.name != "openapi.json"
    ]
    registry = Registry().with_resources(resources)
    cache: dict[str, Draft202012Validator] = {}

    def validator(name: str) -> Draft202012Validator:
        if name not in cache:
            schema = json.loads((HSDS_SCHEMA_DIR / name).read_text(encoding="utf-8"))
            cache[name] = Draft202012Validator(
                schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return cache[name]

    return validator


@pytest.fixture(scope="session")
def hsds_examples() -> Path:
    """The folder of the official HSDS 3.0 examples (organization_full.json, ..., csv/), beside the
    schemas (HSDS_SCHEMA_DIR/../examples); missing: skipped on a developer's machine, fails under CI=true."""
    folder = HSDS_SCHEMA_DIR.parent / "examples"
    if not (folder / "organization_full.json").is_file():
        message = f"HSDS 3.0 examples not found at {folder}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder


def _draft():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012
