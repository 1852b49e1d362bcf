"""Surviving a database that goes away between the response and the end of the request.

When the server is stopped (or the connection cut) after a page was rendered, Flask-SQLAlchemy's
teardown rolls the session back on a dead connection and the error escapes the request: the reader gets
a 500 for a page that was ready. This teardown runs first (teardowns run in reverse order of
registration, and this one is registered last): it closes the session, and when that fails it drops
the connection instead (invalidate: nothing to roll back on a dead server; the pool replaces it).
"""

from __future__ import annotations

from flask import Flask, current_app

from directory_app.extensions import db


def release_session(_error: BaseException | None = None) -> None:
    """Close this request's session; a dead connection is invalidated, never raised."""
    try:
        db.session.remove()
    except Exception as exc:  # noqa: BLE001 - any failure here is a lost connection; log it and drop it
        current_app.logger.warning("closing the session failed: %s", str(exc).splitlines()[0][:300])
        try:
            db.session.invalidate()
        except Exception:  # noqa: BLE001, S110 - the connection is gone either way
            pass  # nosec B110
        db.session.registry.clear()


def init_resilience(app: Flask) -> None:
    app.teardown_appcontext(release_session)
