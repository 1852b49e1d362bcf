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
    # "production" refuses demo accounts; anything else is a development or test set-up.
    app_env: str = "development"
    # Sign-in attempts: Flask-Limiter storage ("memory://" counts per worker; use redis://host:6379 in
    # production so that every worker and host shares the counts) and the limit per IP and per account.
    ratelimit_storage_uri: str = "memory://"
    login_rate_limit: str = "10/minute"
    # Outgoing email (password reset, invitations). No SMTP_HOST: the message is written to the log.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_sender: str = "no-reply@cammina.invalid"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("INSTANCE_DIR", INSTANCE_DIR))
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(instance_dir),
            secret_key=env.get("SECRET_KEY") or _dev_secret_key(instance_dir),
            data_dir=Path(env.get("DATA_DIR", DATA_DIR)),
            map_tile_url=env.get("MAP_TILE_URL", cls.map_tile_url),
            app_env=env.get("APP_ENV", cls.app_env).strip().lower(),
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or cls.ratelimit_storage_uri,
            login_rate_limit=env.get("LOGIN_RATE_LIMIT") or cls.login_rate_limit,
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT") or cls.smtp_port),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=env.get("SMTP_STARTTLS", "1").strip().lower() not in ("0", "false", "no", "off"),
            mail_sender=env.get("MAIL_SENDER") or cls.mail_sender,
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
            "APP_ENV": self.app_env,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USERNAME": self.smtp_username,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_STARTTLS": self.smtp_starttls,
            "MAIL_SENDER": self.mail_sender,
        }
