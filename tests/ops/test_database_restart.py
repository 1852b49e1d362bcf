"""The database going away under load: PostgreSQL (a private server) is stopped and started again while
readers and writers keep sending requests. Every answer is a page or a 503 page (never a 500, never a
dropped connection), no acknowledged write is lost, no transaction is half-written, and the app recovers
by itself (pool pre-ping replaces the dead connections)."""

from __future__ import annotations

import collections
import http.client
import os
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import select, update
from werkzeug.serving import make_server

from directory_app.extensions import csrf, db
from directory_app.ops.backup import backup_database, restore_database
from directory_app.organisations.models import Organisation
from tests.conftest import make_app
from tests.ops.private_postgres import PrivatePostgres, available

READ_PATHS = ["/", "/organisations?q=casa", "/districts", "/organisations", "/readyz"]


@pytest.fixture(scope="module")
def private_server(worlds, tmp_path_factory):
    problem = available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the database-restart fault test cannot run: {problem}")
        pytest.skip(problem)
    dump = backup_database(worlds("postgresql"), tmp_path_factory.mktemp("dump") / "world.pgdump")
    server = PrivatePostgres().init()
    server.start()
    engine = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE DATABASE cammina"))
    restore_database(server.url("cammina"), dump)
    yield server
    server.destroy()


def _add_pair_writer(app) -> tuple[int, int]:
    """A test route that writes two rows in one transaction: both carry the same counter, or neither."""
    with app.app_context():
        first, second = db.session.scalars(select(Organisation.id).order_by(Organisation.id).limit(2)).all()

    @csrf.exempt
    def write_pair():
        from flask import request

        n = int(request.args["n"])
        for org_id in (first, second):
            db.session.execute(update(Organisation).where(Organisation.id == org_id).values(name=f"FAULT-{n}"))
            db.session.flush()
        db.session.commit()
        return str(n)

    app.add_url_rule("/ops-test/write", view_func=write_pair, methods=["POST"])
    return first, second


class Load:
    """Reader threads and one writer thread against the server; every outcome is recorded."""

    def __init__(self, port: int, readers: int = 6):
        self.port, self.stop, self.lock = port, threading.Event(), threading.Lock()
        self.outcomes: list[tuple[float, str, int | str]] = []
        self.acknowledged, self.attempted = 0, 0
        self.threads = [threading.Thread(target=self._read, args=(i,)) for i in range(readers)]
        self.threads.append(threading.Thread(target=self._write))

    def _request(self, method: str, path: str) -> int | str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError as exc:
            return f"connection error: {exc}"
        finally:
            conn.close()

    def _record(self, path: str, status: int | str) -> None:
        with self.lock:
            self.outcomes.append((time.monotonic(), path, status))

    def _read(self, i: int) -> None:
        k = i
        while not self.stop.is_set():
            path = READ_PATHS[k % len(READ_PATHS)]
            self._record(path, self._request("GET", path))
            k += 1

    def _write(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            self.attempted = n
            status = self._request("POST", f"/ops-test/write?n={n}")
            self._record("write", status)
            if status == 200:
                self.acknowledged = n
            time.sleep(0.05)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)

    def since(self, moment: float) -> list[tuple[float, str, int | str]]:
        with self.lock:
            return [o for o in self.outcomes if o[0] >= moment]


def _wait_until_all_ok(load: Load, since: float, timeout: float) -> float | None:
    """The time from `since` until a run of 20 answers in a row are all 200 (None if never)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recent = load.since(since)
        if len(recent) >= 20 and all(o[2] == 200 for o in recent[-20:]):
            return recent[-20][0] - since
        time.sleep(0.2)
    return None


def _dispose_when_returned(engine, timeout: float = 30) -> None:
    """Dispose of the engine once the server's last request threads have given their connections back:
    one given back after dispose() goes to the old pool, which closes nothing, and is left to the
    garbage collector (a ResourceWarning in whichever test it runs in)."""
    deadline = time.monotonic() + timeout
    while engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    engine.dispose()


def test_database_restart_under_load(private_server):
    app = make_app(
        private_server.url("cammina"),
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 8, "pool_timeout": 10,
                                   "connect_args": {"connect_timeout": 5}},
    )  # fmt: skip
    first, second = _add_pair_writer(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        with Load(server.server_port) as load:
            started = time.monotonic()
            assert _wait_until_all_ok(load, started, 60) is not None, collections.Counter(o[2] for o in load.outcomes)
            stopped_at = time.monotonic()
            private_server.stop()
            time.sleep(3)
            private_server.start()
            restarted_at = time.monotonic()
            recovery = _wait_until_all_ok(load, restarted_at, 60)
        outage = [o for o in load.outcomes if stopped_at <= o[0] <= restarted_at]
    finally:
        server.shutdown()
        server.server_close()
        with app.app_context():
            _dispose_when_returned(db.engine)

    statuses = collections.Counter(o[2] for o in load.outcomes)
    assert set(statuses) <= {200, 503}, (
        statuses,
        [o for o in load.outcomes if o[2] not in (200, 503)],
    )  # never a 500, never a dropped connection
    assert any(o[2] == 503 for o in outage), collections.Counter(o[2] for o in outage)
    assert recovery is not None, f"no recovery after the restart: {load.since(restarted_at)[-20:]}"
    with app.app_context():
        names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.id.in_([first, second]))).all())  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    assert names[first] == names[second], names  # both rows of each transaction, or neither
    stored = int(names[first].removeprefix("FAULT-"))
    assert load.acknowledged <= stored <= load.attempted  # no acknowledged write lost
