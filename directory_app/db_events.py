"""The directory's SQLAlchemy event hooks, registered in one place by the app factory.

Every hook is bound to the directory's own engines (each app's, from Flask-SQLAlchemy) and to its own
session factory (`db.session`), never to SQLAlchemy's global `Session` or `Engine` classes: those would
act on every session and engine in the process, a test's own engine or another application's included.

- engines: SQLite pragmas at connect (memory-mapped reads: SQLITE_MMAP_BYTES); a real transaction before a
  SQLite SAVEPOINT;
- session: the page cache notes each commit (pagecache.note_commit); district coverage follows an
  organisation's status (organisations.coverage.copy_status_changes), and so do its sites
  (organisations.sites: copy_status_to_new_sites, copy_status_changes_to_sites); the search text follows whatever
  the ORM writes (organisations.searchtext.keep_search_text_current).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from directory_app.extensions import db
from directory_app.main.pagecache import note_commit
from directory_app.organisations.coverage import copy_status_changes
from directory_app.organisations.searchtext import keep_search_text_current
from directory_app.organisations.sites import copy_status_changes_to_sites, copy_status_to_new_sites

SESSION_HOOKS = (
    ("after_commit", note_commit),
    ("after_flush", copy_status_changes),
    ("after_flush", copy_status_changes_to_sites),
    ("before_flush", copy_status_to_new_sites),
    ("before_flush", keep_search_text_current),
)


def init_db_events(app: Flask) -> None:
    """Bind the hooks to this app's engines and to the directory's session factory (once)."""
    with app.app_context():
        engines = list(db.engines.values())
    pragmas = sqlite_pragmas(app.config.get("SQLITE_MMAP_BYTES", 0))
    for engine in engines:
        _listen(engine, "connect", pragmas)
        _listen(engine, "savepoint", sqlite_begin_before_savepoint)
    for name, hook in SESSION_HOOKS:
        _listen(db.session, name, hook)


def _listen(target, name: str, hook) -> None:
    if not event.contains(target, name, hook):
        event.listen(target, name, hook)


def sqlite_pragmas(mmap_bytes: int):
    """The connect hook of an app's engines: for SQLite, foreign keys on, WAL journal, a busy timeout, and
    the first `mmap_bytes` of the file read through memory-mapped I/O; nothing for other databases.

    Memory-mapped reads: a connection reads the pages it needs in place from the operating system's page
    cache instead of copying them into its own page cache first. Every gunicorn worker and thread has its
    own connection, and each copied again the pages of a district page's indexes (with 4 workers, a district
    page's first view is 1-2 ms faster: docs/benchmarks.md). SQLite's caveat: an I/O error while reading a
    mapped page stops the process instead of failing the query; SQLITE_MMAP_BYTES=0 turns it off (also for
    a database on a network file system)."""
    mmap_bytes = int(mmap_bytes)

    def pragmas(dbapi_connection, _record) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute(f"PRAGMA mmap_size={mmap_bytes}")
            cursor.close()

    return pragmas


def sqlite_begin_before_savepoint(conn, _name) -> None:
    """SQLite SAVEPOINTs inside a real transaction.

    pysqlite's (legacy) transaction handling sends BEGIN only before INSERT/UPDATE/DELETE. A
    SAVEPOINT sent before any of them opens the transaction itself, and releasing that savepoint
    then commits: `with db.session.begin_nested(): ...` would commit the whole transaction, and a
    later rollback would undo nothing (tests/test_sqlite_savepoint.py). So the transaction is begun
    here first. BEGIN IMMEDIATE takes the write lock at once, waiting for it under the busy
    timeout: a savepoint is only ever taken to write, and a deferred transaction that read first
    would get "database is locked" without waiting when another writer committed meanwhile.

    Only savepoints are concerned: every other transaction still begins at its first write, as
    before (reads take no lock, so concurrent requests keep waiting for each other's writes)."""
    if conn.dialect.name != "sqlite":
        return
    driver_connection = conn.connection.driver_connection
    if getattr(driver_connection, "in_transaction", True) or getattr(driver_connection, "isolation_level", "") is None:
        return  # already in a transaction, or autocommit mode (isolation_level None): BEGIN is its owner's
    driver_connection.execute("BEGIN IMMEDIATE")
