"""Extensions, created unbound here and bound to the app in create_app()."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from directory_app.models_base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()


@event.listens_for(Engine, "savepoint")
def _sqlite_begin_before_savepoint(conn, _name) -> None:
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
