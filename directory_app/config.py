"""Settings, read once from environment variables.

Every setting has a safe default for the embedded set-up (one SQLite file under instance/). A
production deployment sets DATABASE_URL (postgresql+psycopg://...), SECRET_KEY and PUBLIC_BASE_URL.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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
    # Failed sign-ins per client across accounts; the longest wait of an account under attack (seconds).
    login_ip_rate_limit: str = "30/minute"
    login_max_delay: float = 3.0
    # Public pages for anonymous readers (pagecache): "" keeps them in each process's memory;
    # redis://host:6379/1 shares them between every worker and host.
    page_cache_url: str = ""
    # Outgoing email (password reset, invitations). No SMTP_HOST: the message is written to the log.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_sender: str = "no-reply@cammina.invalid"
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none).
    trusted_proxies: int = 0
    # The address readers use (scheme, host, optional path prefix): every absolute link (emails, API
    # url/uri fields, exports, OGC links) is built on it, never on the request's Host (public_links).
    # Required in production; elsewhere empty means "the request's address if it is a loopback one".
    public_base_url: str = ""
    # Host names accepted besides PUBLIC_BASE_URL's (e.g. a health check by IP). In production, or when
    # given, any other Host header gets a 400 (Flask's TRUSTED_HOSTS).
    trusted_hosts: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings; with APP_ENV=production, refuse to start (ConfigurationError) on a missing
        SECRET_KEY, an SQLite database unless ALLOW_SQLITE_IN_PRODUCTION=1, per-process rate limits, or
        a missing PUBLIC_BASE_URL."""
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("INSTANCE_DIR", INSTANCE_DIR))
        if env.get("APP_ENV", cls.app_env).strip().lower() == "production":
            problems = production_problems(env)
            if problems:
                raise ConfigurationError(problems)
        page_cache_url = env.get("PAGE_CACHE_URL", "").strip()
        if page_cache_url and not page_cache_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError(["PAGE_CACHE_URL must be a Redis URL (redis://host:6379/1) or empty."])
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(instance_dir),
            secret_key=env.get("SECRET_KEY") or _dev_secret_key(instance_dir),
            data_dir=Path(env.get("DATA_DIR", DATA_DIR)),
            map_tile_url=env.get("MAP_TILE_URL", cls.map_tile_url),
            app_env=env.get("APP_ENV", cls.app_env).strip().lower(),
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or cls.ratelimit_storage_uri,
            login_rate_limit=env.get("LOGIN_RATE_LIMIT") or cls.login_rate_limit,
            login_ip_rate_limit=env.get("LOGIN_IP_RATE_LIMIT") or cls.login_ip_rate_limit,
            login_max_delay=float(_int_setting(env, "LOGIN_MAX_DELAY", int(cls.login_max_delay))),
            page_cache_url=page_cache_url,
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=_int_setting(env, "SMTP_PORT", cls.smtp_port),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=env.get("SMTP_STARTTLS", "1").strip().lower() not in ("0", "false", "no", "off"),
            mail_sender=env.get("MAIL_SENDER") or cls.mail_sender,
            trusted_proxies=_int_setting(env, "TRUSTED_PROXIES", cls.trusted_proxies),
            public_base_url=_public_base_url(env),
            trusted_hosts=_trusted_hosts(env),
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
            "LOGIN_IP_RATE_LIMIT": self.login_ip_rate_limit,
            "LOGIN_MAX_DELAY": self.login_max_delay,
            "PAGE_CACHE_URL": self.page_cache_url,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USERNAME": self.smtp_username,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_STARTTLS": self.smtp_starttls,
            "MAIL_SENDER": self.mail_sender,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "PUBLIC_BASE_URL": self.public_base_url,
            "TRUSTED_HOSTS": self.trusted_host_list(),
            **self.cookie_config(),
        }

    def trusted_host_list(self) -> list[str] | None:
        """Flask's TRUSTED_HOSTS: PUBLIC_BASE_URL's host plus TRUSTED_HOSTS, in production or when
        TRUSTED_HOSTS is given; None (any Host) otherwise."""
        if self.app_env != "production" and not self.trusted_hosts:
            return None
        public_host = urlsplit(self.public_base_url).hostname if self.public_base_url else None
        return list(dict.fromkeys(([public_host] if public_host else []) + list(self.trusted_hosts)))

    def cookie_config(self) -> dict:
        """Session cookies: never readable by scripts, not sent on cross-site sub-requests; in production
        only over HTTPS and with the `__Host-` prefix (no Domain, Path=/: no sub-domain can set or read it)."""
        production = self.app_env == "production"
        return {
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": production,
            "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
            "SESSION_COOKIE_PATH": "/",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": production,
            "PREFERRED_URL_SCHEME": "https" if production else "http",
        }


class ConfigurationError(RuntimeError):
    """The environment does not describe a safe set-up; the message lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Refusing to start, the configuration is not safe:\n" + "\n".join(f"- {p}" for p in problems))


def _int_setting(env: dict[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError([f"{name} must be a whole number, not {raw!r}."]) from None


def _public_base_url(env: dict[str, str]) -> str:
    """PUBLIC_BASE_URL without a trailing slash ('' when not set); a value that is not an http(s) address
    with a host (and no query, fragment or user name) stops the start."""
    raw = (env.get("PUBLIC_BASE_URL") or "").strip()
    if not raw:
        return ""
    problem = ConfigurationError(
        [f"PUBLIC_BASE_URL must be the address readers use, like https://directory.example.org, not {raw!r}."]
    )
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise problem from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise problem
    if parts.username is not None or parts.password is not None or "#" in raw or "?" in raw:
        raise problem
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


_HOST_NAME = re.compile(r"\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?|\[?[0-9a-f:.]+\]?")


def _trusted_hosts(env: dict[str, str]) -> tuple[str, ...]:
    """TRUSTED_HOSTS: comma-separated host names (no scheme, no port; '.example.org' for every
    sub-domain)."""
    names = [name.strip().lower() for name in (env.get("TRUSTED_HOSTS") or "").split(",") if name.strip()]
    wrong = [name for name in names if not _HOST_NAME.fullmatch(name)]
    if wrong:
        raise ConfigurationError(
            [f"TRUSTED_HOSTS must be host names separated by commas (no scheme or port), not {wrong[0]!r}."]
        )
    return tuple(names)


def _enabled(env: dict[str, str], name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def production_problems(env: dict[str, str]) -> list[str]:
    """What is wrong with a production environment (empty when nothing is)."""
    problems = []
    key = env.get("SECRET_KEY") or ""
    if not key:
        problems.append("SECRET_KEY is missing: set it to a long random value (e.g. openssl rand -hex 32).")
    elif len(key) < 32:
        problems.append("SECRET_KEY is too short: use at least 32 random characters.")
    url = env.get("DATABASE_URL") or ""
    if not url:
        problems.append("DATABASE_URL is missing: set it to postgresql+psycopg://user:password@host/database.")
    elif url.startswith("sqlite") and not _enabled(env, "ALLOW_SQLITE_IN_PRODUCTION"):
        problems.append(
            "DATABASE_URL is an SQLite file: use PostgreSQL, or set ALLOW_SQLITE_IN_PRODUCTION=1 for a single host."
        )
    public = (env.get("PUBLIC_BASE_URL") or "").strip()
    if not public:
        problems.append(
            "PUBLIC_BASE_URL is missing: set it to the address readers use, e.g. https://directory.example.org "
            "(links in emails and the APIs are built on it, never on the request's Host header)."
        )
    elif not public.lower().startswith("https://"):
        problems.append(
            "PUBLIC_BASE_URL must be an https:// address in production, like https://directory.example.org "
            "(session cookies are Secure)."
        )
    storage = env.get("RATELIMIT_STORAGE_URI") or "memory://"
    if storage.startswith("memory"):
        problems.append("RATELIMIT_STORAGE_URI is memory://, which counts per worker: set it to redis://host:6379.")
    return problems
