"""Probes for the load balancer and the process supervisor.

- `/healthz`: the process is up and answers (no database access): restart the worker if it fails.
- `/readyz`: the database answers and its schema is at the newest migration: send traffic only then.
Both answer JSON, are never cached, and say nothing about the set-up beyond ok / not ok.
"""

from __future__ import annotations

import functools

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from directory_app.extensions import db

bp = Blueprint("ops", __name__)


@functools.cache
def known_revisions(migrations_dir: str) -> tuple[frozenset[str], frozenset[str]]:
    """The newest revision(s) of the migration scripts and every revision they know (read once per process)."""
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    script = ScriptDirectory.from_config(config)
    return frozenset(script.get_heads()), frozenset(rev.revision for rev in script.walk_revisions())


def migration_state(current: frozenset[str], heads: frozenset[str], known: frozenset[str]) -> str:
    """The schema's state: "current" (at the newest), "ahead" (migrated by newer code: reload this host), "pending"."""
    if current == heads:
        return "current"
    return "ahead" if current - known else "pending"


def readiness() -> dict:
    """Check the database: reachable, and its Alembic revision(s) equal the code's heads."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the log keeps the detail
        current_app.logger.warning("readiness: database unreachable: %s", str(exc).splitlines()[0][:300])
        return {"ready": False, "database": "unreachable", "migrations": "unknown"}
    heads, known = known_revisions(current_app.extensions["migrate"].directory)
    migrations = migration_state(current, heads, known)
    return {"ready": migrations == "current", "database": "ok", "migrations": migrations}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    state = readiness()
    ready = state.pop("ready")
    response = _no_store(jsonify(status="ok" if ready else "unavailable", **state))
    response.status_code = 200 if ready else 503
    return response
