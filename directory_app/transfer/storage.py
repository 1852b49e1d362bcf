"""Where an upload waits between the steps of the web import (upload, mapping, preview, commit).

Each upload gets a folder named by a random token under the instance folder, with the file (saved
under a name of ours that its reader accepts, uploads.STORED_NAMES) and a small JSON note (owner,
format, the user's file name, the stored file's name, mapping). Only its owner may use it; folders older than a
day are removed when a new upload arrives. (Several app hosts need this folder on shared storage.)
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import current_app

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def upload_root() -> Path:
    configured = current_app.config.get("TRANSFER_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def new_folder() -> tuple[str, Path]:
    """A fresh (token, folder); old folders are swept first."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in root.iterdir():
        if old.is_dir() and now - old.stat().st_mtime > MAX_AGE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir()
    return token, folder


def folder_of(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    folder = upload_root() / token
    return folder if (folder / "note.json").is_file() else None


def read_note(folder: Path) -> dict:
    return json.loads((folder / "note.json").read_text(encoding="utf-8"))


def write_note(folder: Path, note: dict) -> None:
    (folder / "note.json").write_text(json.dumps(note), encoding="utf-8")


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
