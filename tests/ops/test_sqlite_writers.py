"""SQLite under concurrent writers: waiting writers are retried by the busy timeout; a writer that still
cannot get the lock is reported (503 page, clear CLI message), and the file is never corrupted."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import event, select, update

from directory_app.extensions import csrf, db
from directory_app.organisations.models import Organisation
from tests.conftest import make_app
from tests.ops.sqlite_copy import sqlite_world_copy

WRITERS, TRANSACTIONS = 8, 25


@pytest.fixture
def sqlite_url(worlds, tmp_path) -> str:
    return sqlite_world_copy(worlds, tmp_path)


def _integrity(url: str) -> str:
    with sqlite3.connect(sa.make_url(url).database) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return result


def test_concurrent_writers_all_land_and_the_file_stays_sound(sqlite_url):
    app = make_app(sqlite_url)
    with app.app_context():
        ids = db.session.scalars(select(Organisation.id).order_by(Organisation.id).limit(WRITERS)).all()
    failures: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            with app.app_context():
                for j in range(TRANSACTIONS):
                    db.session.execute(update(Organisation).where(Organisation.id == ids[i]).values(name=f"W{i}-{j}"))
                    db.session.execute(
                        update(Organisation).where(Organisation.id == ids[0]).values(description=f"{i}-{j}")
                    )
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - collected and reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    with app.app_context():
        names = dict(
            db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all()
        )
    assert names == {ids[i]: f"W{i}-{TRANSACTIONS - 1}" for i in range(WRITERS)}
    assert _integrity(sqlite_url) == "ok"


def test_a_writer_locked_out_gets_a_503_page_and_nothing_breaks(sqlite_url):
    app = make_app(sqlite_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        event.listen(db.engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=300"))
        org_id = db.session.scalar(select(Organisation.id).order_by(Organisation.id))

    @csrf.exempt
    def rename():
        db.session.execute(update(Organisation).where(Organisation.id == org_id).values(name="RENAMED"))
        db.session.commit()
        return "ok"

    app.add_url_rule("/ops-test/rename", view_func=rename, methods=["POST"])
    client = app.test_client()
    holder = sqlite3.connect(sa.make_url(sqlite_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock longer than the busy timeout
    try:
        locked = client.post("/ops-test/rename?lang=en")
        assert locked.status_code == 503
        assert "briefly unavailable" in locked.get_data(as_text=True)
        assert client.get("/districts").status_code == 200  # readers are not blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/ops-test/rename").status_code == 200
    with app.app_context():
        assert db.session.get(Organisation, org_id).name == "RENAMED"
    assert _integrity(sqlite_url) == "ok"


def test_a_command_locked_out_says_so_and_changes_nothing(sqlite_url, tmp_path):
    app = make_app(sqlite_url)
    with app.app_context():
        event.listen(db.engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=300"))
        before = db.session.scalar(select(sa.func.count(Organisation.id)))
    csv = tmp_path / "few.csv"
    csv.write_text("external_id,name,kind,country_code,service_categories\nlk-1,Locked One,ngo,MX,food\n")
    holder = sqlite3.connect(sa.make_url(sqlite_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["import-organisations", str(csv)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code != 0
    assert "database is locked" in result.output and "Nothing was changed" in result.output
    with app.app_context():
        assert db.session.scalar(select(sa.func.count(Organisation.id))) == before
