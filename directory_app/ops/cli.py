"""`flask backup` and `flask restore`: thin commands over ops.backup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from directory_app.extensions import db
from directory_app.ops.backup import BackupError, backend_of, backup_database, restore_database


def _default_name(url: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if backend_of(url) == "sqlite" else "pgdump"
    return Path(f"cammina-backup-{stamp}.{suffix}")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write a backup of the whole directory to PATH (default: cammina-backup-<time>.sqlite3/.pgdump)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        written = backup_database(url, path or _default_name(url))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {written} ({written.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole directory with the backup at PATH (all or nothing)."""
    if not yes:
        click.confirm("This replaces everything in the directory with the backup. Continue?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    try:
        restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as exc:
        raise click.ClickException(f"{exc}\nNothing was changed.") from None
    db.engine.dispose()
    click.echo(f"Restored the directory from {path}. Run `flask db upgrade` if the backup is older than the code.")


commands = [backup_command, restore_command]
