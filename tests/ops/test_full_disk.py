"""A full disk during an import aborts cleanly: a clear message, nothing half-written, a sound file.

The disk is made "full" with SQLite's max_page_count pragma on the importing connection (no privileges
or tmpfs needed, and the same error, SQLITE_FULL "database or disk is full", that a full file system
gives); the same import succeeds once there is room again."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy import event, func, select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from tests.conftest import make_app
from tests.ops.sqlite_copy import sqlite_world_copy

ROWS = 3000


def _csv(path):
    lines = ["external_id,name,kind,country_code,service_categories,description"]
    lines += [f"disk-{i},Disk Test {i},ngo,MX,food;shelter,{'padding ' * 40}" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_on_a_full_disk_aborts_cleanly(worlds, tmp_path):
    url = sqlite_world_copy(worlds, tmp_path)
    file = sa.make_url(url).database
    with sqlite3.connect(file) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    app = make_app(url)
    room = {"pages": pages + 50}  # about 200 KB: less than the import needs

    def limit(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={room['pages']}")

    with app.app_context():
        event.listen(db.engine, "connect", limit)
        before = db.session.scalar(select(func.count(Organisation.id)))
    csv = _csv(tmp_path / "big.csv")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import-organisations", str(csv)])
    assert result.exit_code != 0
    assert "database or disk is full" in result.output and "Nothing was changed" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == before
        assert db.session.scalar(select(func.count()).where(Organisation.external_id.like("disk-%"))) == 0
    with sqlite3.connect(file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    room["pages"] = 10_000_000  # room again: the same file imports completely
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import-organisations", str(csv)])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(func.count()).where(Organisation.external_id.like("disk-%"))) == ROWS
