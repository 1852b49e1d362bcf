"""Settings, read once from environment variables.

Every setting has a safe default for the embedded set-up (one SQLite file under instance/). A
production deployment sets DATABASE_URL (postgresql+psycopg://...) and SECRET_KEY.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DATA_DIR = PROJECT_ROOT / "data"


def _dev_secret_key(instance_dir: Path) -> str:
    """A random key kept in instance/ so that development sessions survive restarts.

    It is never committed (instance/ is ignored by git)."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def default_database_url(instance_dir: Path = INSTANCE_DIR) -> str:
    instance_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_dir / 'directory.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """The application's settings; `as_flask_config()` turns them into Flask config keys."""

    database_url: str
    secret_key: str
    data_dir: Path = DATA_DIR
    testing: bool = False
    # Raster tiles drawn under the directory's layers when the browser can reach them; empty for
    # none (an intranet): the map then shows its own base layer built from our boundaries.
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("INSTANCE_DIR", INSTANCE_DIR))
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(instance_dir),
            secret_key=env.get("SECRET_KEY") or _dev_secret_key(instance_dir),
            data_dir=Path(env.get("DATA_DIR", DATA_DIR)),
            map_tile_url=env.get("MAP_TILE_URL", cls.map_tile_url),
        )

    def as_flask_config(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "SECRET_KEY": self.secret_key,
            "DATA_DIR": self.data_dir,
            "TESTING": self.testing,
            "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
            "MAP_TILE_URL": self.map_tile_url,
        }
