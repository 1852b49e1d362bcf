"""Settings, read once from environment variables.

Every setting has a safe default for the embedded set-up (one SQLite file under instance/). A
production deployment sets DATABASE_URL (postgresql+psycopg://...), SECRET_KEY and PUBLIC_BASE_URL.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DATA_DIR = PROJECT_ROOT / "data"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


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


def _text(raw: str, _name: str) -> str:
    return raw.strip()


def _whole(raw: str, name: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ConfigurationError([f"{name} must be a whole number, not {raw!r}."]) from None


def _byte_count(raw: str, name: str) -> int:
    value = _whole(raw, name)
    if value < 0:
        raise ConfigurationError([f"{name} must be a number of bytes (0 or more), not {raw!r}."])
    return value


def _seconds(raw: str, name: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses NaN
        raise ConfigurationError([f"{name} must be a number of seconds (0 or more), not {raw!r}."])
    return value


def _switch(raw: str, name: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError([f"{name} must be 1 or 0 (on or off), not {raw!r}."])


def _path(raw: str, _name: str) -> Path:
    return Path(raw.strip())


def _language(raw: str, name: str) -> str:
    value = raw.strip().lower()
    if value not in ("es", "en", "fr"):
        raise ConfigurationError([f"{name} must be es, en or fr, not {raw!r}."])
    return value


def _page_cache_url(raw: str, name: str) -> str:
    value = raw.strip()
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError([f"{name} must be a Redis URL (redis://host:6379/1) or empty."])
    return value


def setting(default, env: str, parse=_text, *, empty_is_default: bool = True):
    """A field of Settings read from the environment variable `env` by `parse(raw, env)`. An empty
    variable means the default, unless `empty_is_default` is False (MAP_TILE_URL: empty means none)."""
    return field(default=default, metadata={"env": env, "parse": parse, "empty_is_default": empty_is_default})


@dataclass(frozen=True)
class Settings:
    """The application's settings, each read from one environment variable (`setting(...)`; README's
    settings table lists every one, tests/ops/test_settings_table.py checks it); `as_flask_config()`
    turns them into Flask config keys."""

    # The database and the key that signs sessions; their defaults live under INSTANCE_DIR.
    database_url: str = setting("", "DATABASE_URL")
    secret_key: str = setting("", "SECRET_KEY")
    instance_dir: Path = setting(INSTANCE_DIR, "INSTANCE_DIR", _path)
    data_dir: Path = setting(DATA_DIR, "DATA_DIR", _path)
    testing: bool = False
    # Raster tiles drawn under the directory's layers when the browser can reach them; empty for
    # none (an intranet): the map then shows its own base layer built from our boundaries.
    map_tile_url: str = setting(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "MAP_TILE_URL", empty_is_default=False
    )
    # "production" refuses demo accounts and checks the set-up (production_problems).
    app_env: str = setting("development", "APP_ENV", lambda raw, _name: raw.strip().lower())
    allow_sqlite_in_production: bool = setting(False, "ALLOW_SQLITE_IN_PRODUCTION", _switch)
    # SQLite reads this much of its file through memory-mapped I/O (db_events.sqlite_pragmas); 0: none.
    sqlite_mmap_bytes: int = setting(256 * 1024 * 1024, "SQLITE_MMAP_BYTES", _byte_count)
    # Interface language when neither ?lang=, the session nor the browser chooses one.
    default_language: str = setting("es", "DEFAULT_LANGUAGE", _language)
    # One JSON line per request on standard error; None: on in production only.
    request_log: bool | None = setting(None, "REQUEST_LOG", _switch)
    # Sign-in attempts: Flask-Limiter storage ("memory://" counts per worker; use redis://host:6379 in
    # production so that every worker and host shares the counts) and the limit per IP and per account.
    ratelimit_storage_uri: str = setting("memory://", "RATELIMIT_STORAGE_URI")
    login_rate_limit: str = setting("10/minute", "LOGIN_RATE_LIMIT")
    pdf_rate_limit: str = setting("20/minute", "PDF_RATE_LIMIT")
    # Failed sign-ins per client across accounts; the longest wait of an account under attack (seconds).
    login_ip_rate_limit: str = setting("30/minute", "LOGIN_IP_RATE_LIMIT")
    login_max_delay: float = setting(3.0, "LOGIN_MAX_DELAY", _seconds)
    # How long reset and invitation links work (seconds).
    password_reset_max_age: int = setting(60 * 60, "PASSWORD_RESET_MAX_AGE", _whole)
    invite_max_age: int = setting(7 * 24 * 60 * 60, "INVITE_MAX_AGE", _whole)
    # Public pages for anonymous readers (pagecache): "" keeps them in each process's memory;
    # redis://host:6379/1 shares them between every worker and host.
    page_cache_url: str = setting("", "PAGE_CACHE_URL", _page_cache_url)
    page_cache_size: int = setting(512, "PAGE_CACHE_SIZE", _whole)
    page_cache_memory_bytes: int = setting(64 * 1024 * 1024, "PAGE_CACHE_MEMORY_BYTES", _whole)
    page_cache_seconds: int = setting(86400, "PAGE_CACHE_SECONDS", _whole)
    page_cache_prefix: str = setting("cammina:page:", "PAGE_CACHE_PREFIX")
    page_cache_version_ttl: float = setting(1.0, "PAGE_CACHE_VERSION_TTL", _seconds)
    # Organisations listed per service on a district page before "show all".
    district_page_per_service: int = setting(10, "DISTRICT_PAGE_PER_SERVICE", _whole)
    # Where uploads wait between preview and import ("": INSTANCE_DIR/uploads).
    transfer_upload_dir: str = setting("", "TRANSFER_UPLOAD_DIR")
    # Outgoing email (password reset, invitations). No SMTP_HOST: the message is written to the log.
    smtp_host: str = setting("", "SMTP_HOST")
    smtp_port: int = setting(587, "SMTP_PORT", _whole)
    smtp_username: str = setting("", "SMTP_USERNAME")
    smtp_password: str = setting("", "SMTP_PASSWORD")
    smtp_starttls: bool = setting(True, "SMTP_STARTTLS", _switch)
    mail_sender: str = setting("no-reply@cammina.invalid", "MAIL_SENDER")
    # The outbox's mail worker (flask send-mail): attempts before a message is marked failed, and the
    # first wait after a refused attempt (seconds), doubled at each further attempt (at most 6 hours).
    mail_max_attempts: int = setting(8, "MAIL_MAX_ATTEMPTS", _whole)
    mail_retry_seconds: int = setting(60, "MAIL_RETRY_SECONDS", _whole)
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none).
    trusted_proxies: int = setting(0, "TRUSTED_PROXIES", _whole)
    # The address readers use (scheme, host, optional path prefix): every absolute link (emails, API
    # url/uri fields, exports, OGC links) is built on it, never on the request's Host (public_links).
    # Required in production; elsewhere empty means "the request's address if it is a loopback one".
    public_base_url: str = setting("", "PUBLIC_BASE_URL", lambda raw, _name: _public_base_url(raw))
    # Host names accepted besides PUBLIC_BASE_URL's (e.g. a health check by IP). In production, or when
    # given, any other Host header gets a 400 (Flask's TRUSTED_HOSTS).
    trusted_hosts: tuple[str, ...] = setting((), "TRUSTED_HOSTS", lambda raw, _name: _trusted_hosts(raw))

    @classmethod
    def environment_variables(cls) -> list[str]:
        """Every environment variable the settings read, in order."""
        return [f.metadata["env"] for f in fields(cls) if "env" in f.metadata]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings; with APP_ENV=production, refuse to start (ConfigurationError) on a missing
        SECRET_KEY, an SQLite database unless ALLOW_SQLITE_IN_PRODUCTION=1, per-process rate limits, or
        a missing PUBLIC_BASE_URL. A value that cannot be read stops the start, whatever APP_ENV."""
        env = dict(os.environ if env is None else env)
        if env.get("APP_ENV", cls.app_env).strip().lower() == "production":
            problems = production_problems(env)
            if problems:
                raise ConfigurationError(problems)
        values = {}
        for item in fields(cls):
            name = item.metadata.get("env")
            if name is None or name not in env:
                continue
            raw = env[name]
            if raw.strip() or not item.metadata["empty_is_default"]:
                values[item.name] = item.metadata["parse"](raw, name)
        instance_dir = values.get("instance_dir", INSTANCE_DIR)
        values["database_url"] = values.get("database_url") or default_database_url(instance_dir)
        values["secret_key"] = values.get("secret_key") or _dev_secret_key(instance_dir)
        return cls(**values)

    def as_flask_config(self) -> dict:
        production = self.app_env == "production"
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "SQLITE_MMAP_BYTES": self.sqlite_mmap_bytes,
            "SECRET_KEY": self.secret_key,
            "DATA_DIR": self.data_dir,
            "TESTING": self.testing,
            "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
            "MAP_TILE_URL": self.map_tile_url,
            "APP_ENV": self.app_env,
            "BABEL_DEFAULT_LOCALE": self.default_language,
            "REQUEST_LOG": production if self.request_log is None else self.request_log,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "PDF_RATE_LIMIT": self.pdf_rate_limit,
            "LOGIN_IP_RATE_LIMIT": self.login_ip_rate_limit,
            "LOGIN_MAX_DELAY": self.login_max_delay,
            "PASSWORD_RESET_MAX_AGE": self.password_reset_max_age,
            "INVITE_MAX_AGE": self.invite_max_age,
            "PAGE_CACHE_URL": self.page_cache_url,
            "PAGE_CACHE_SIZE": self.page_cache_size,
            "PAGE_CACHE_MEMORY_BYTES": self.page_cache_memory_bytes,
            "PAGE_CACHE_SECONDS": self.page_cache_seconds,
            "PAGE_CACHE_PREFIX": self.page_cache_prefix,
            "PAGE_CACHE_VERSION_TTL": self.page_cache_version_ttl,
            "DISTRICT_PAGE_PER_SERVICE": self.district_page_per_service,
            "TRANSFER_UPLOAD_DIR": self.transfer_upload_dir,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": self.smtp_port,
            "SMTP_USERNAME": self.smtp_username,
            "SMTP_PASSWORD": self.smtp_password,
            "SMTP_STARTTLS": self.smtp_starttls,
            "MAIL_SENDER": self.mail_sender,
            "MAIL_MAX_ATTEMPTS": self.mail_max_attempts,
            "MAIL_RETRY_SECONDS": self.mail_retry_seconds,
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


def _public_base_url(raw: str) -> str:
    """PUBLIC_BASE_URL without a trailing slash ('' when not set); a value that is not an http(s) address
    with a host (and no query, fragment or user name) stops the start."""
    raw = raw.strip()
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


def _trusted_hosts(raw: str) -> tuple[str, ...]:
    """TRUSTED_HOSTS: comma-separated host names (no scheme, no port; '.example.org' for every
    sub-domain)."""
    names = [name.strip().lower() for name in raw.split(",") if name.strip()]
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
