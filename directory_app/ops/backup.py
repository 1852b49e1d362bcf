"""Backups and restores of the whole directory (every table: organisations, geography, accounts,
history, audit log).

- SQLite: the online backup API copies a consistent snapshot while the app keeps serving; the backup
  is itself an SQLite file (checked with PRAGMA integrity_check before a restore).
- PostgreSQL: pg_dump's custom format (compressed, consistent snapshot); restored with pg_restore in a
  single transaction (--clean --if-exists): either the whole backup is in place or nothing changed.
The password of a PostgreSQL URL goes to the tools through PGPASSWORD, never on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be done; nothing was changed by a failed restore."""


def backend_of(database_url: str | URL) -> str:
    """ "sqlite" or "postgresql" (anything else is refused)."""
    backend = make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
    # A fixed argument list (pg_dump or pg_restore and the operator's own paths), never a shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")


def backup_database(database_url: str | URL, target: Path) -> Path:
    """Write a consistent backup of the database to `target` (a new file) and return its path."""
    url = make_url(database_url)
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if backend_of(url) == "sqlite":
        _copy_sqlite(_sqlite_path(url), target)
    else:
        connection, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", connection], env)
    return target


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"No database at {source}.")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def check_sqlite_backup(path: Path) -> None:
    """Refuse a file that is not a sound SQLite backup of a directory."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (integrity check failed).")
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='alembic_version'").fetchone():
                raise BackupError(f"{path} is not a backup of this directory (no alembic_version table).")
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite backup: {exc}") from None


def restore_database(database_url: str | URL, source: Path) -> None:
    """Replace the whole content of the database with the backup `source` (made by backup_database on
    the same backend). All or nothing. Stop writers first; readers may keep running."""
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    if backend_of(url) == "sqlite":
        check_sqlite_backup(source)
        _copy_sqlite(source, _sqlite_path(url))
        return
    connection, env = _libpq(url)
    _run(["pg_restore", "--list", str(source)], env)  # a readable pg_dump archive, before touching anything
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run([*command, f"--dbname={connection}", str(source)], env)
