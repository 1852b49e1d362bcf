"""A private copy of the SQLite test world, made with the backup service."""

from __future__ import annotations

from pathlib import Path

from directory_app.ops.backup import backup_database


def sqlite_world_copy(worlds, folder: Path) -> str:
    target = backup_database(worlds("sqlite"), folder / "directory.sqlite3")
    return f"sqlite:///{target}"
