"""Surviving a database that goes away between the response and the end of the request.

When the server is stopped (or the connection cut) after a page was rendered, Flask-SQLAlchemy's
teardown rolls the session back on a dead connection and the error escapes the request: the reader gets
a 500 for a page that was ready. This teardown runs first (teardowns run in reverse order of
registration, and this one is registered last): it closes the session, and when that fails it drops
the connection instead (invalidate: nothing to roll back on a dead server; the pool replaces it).

On PostgreSQL, a request that only read ends its transaction with a COMMIT rather than that ROLLBACK, so
that its connection keeps its prepared statements (end_reading_transaction).
"""

from __future__ import annotations

from flask import Flask, current_app
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine

from directory_app.extensions import db


def release_session(_error: BaseException | None = None) -> None:
    """Close this request's session; a dead connection is invalidated, never raised."""
    try:
        if _error is None:
            end_reading_transaction()
        db.session.remove()
    except Exception as exc:  # noqa: BLE001 - any failure here is a lost connection; log it and drop it
        current_app.logger.warning("closing the session failed: %s", str(exc).splitlines()[0][:300])
        try:
            db.session.invalidate()
        except Exception:  # noqa: BLE001, S110 - the connection is gone either way
            pass  # nosec B110
        db.session.registry.clear()


def end_reading_transaction() -> None:
    """On PostgreSQL, commit the request's transaction when it wrote nothing, before session.remove()
    rolls it back.

    psycopg prepares a statement on the server once it has run prepare_threshold (5) times on a
    connection, and PostgreSQL then stops planning it at each run; but psycopg forgets every prepared
    statement at each ROLLBACK (a rollback may undo a PREPARE). Every request ended with one, so the same
    statements were planned again at every request: at 10,000 organisations, 3-4 ms of the 11-13 ms that a
    district page's queries took (docs/benchmarks.md). A transaction that wrote nothing ends the same way
    with either; the ROLLBACK that follows then finds none open and is not sent.

    Left to the ROLLBACK as before: a session holding unflushed changes, a nested transaction, a session
    bound to a connection it did not open, and any transaction the server gave a transaction id (it
    wrote, or locked rows: pg_current_xact_id_if_assigned, asked through the driver so that it is not one
    of the request's statements). The caller skips a request that failed."""
    if not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if session.bind is not None and not isinstance(session.bind, Engine):
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or connection.in_nested_transaction():
        return
    driver = connection.connection.dbapi_connection
    if driver.info.transaction_status != TransactionStatus.INTRANS:
        return
    if driver.execute("SELECT pg_current_xact_id_if_assigned()").fetchone()[0] is None:
        driver.commit()


def init_resilience(app: Flask) -> None:
    app.teardown_appcontext(release_session)
