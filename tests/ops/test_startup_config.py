"""Start-up configuration: production refuses unsafe settings with clear errors; cookie flags."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from directory_app.config import ConfigurationError, Settings, production_problems
from directory_app.extensions import db
from tests.conftest import PG_ADMIN_URL

GOOD = {
    "APP_ENV": "production",
    "SECRET_KEY": "f" * 64,
    "DATABASE_URL": "postgresql+psycopg://cammina@db.internal/cammina",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "PUBLIC_BASE_URL": "https://directory.example.org",
}


def without(key: str) -> dict[str, str]:
    return {k: v for k, v in GOOD.items() if k != key}


def test_a_complete_production_environment_is_accepted():
    assert production_problems(GOOD) == []
    settings = Settings.from_env(GOOD)
    assert settings.app_env == "production" and settings.secret_key == "f" * 64


@pytest.mark.parametrize(
    "env, expected",
    [
        (without("SECRET_KEY"), "SECRET_KEY is missing"),
        ({**GOOD, "SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        (without("DATABASE_URL"), "DATABASE_URL is missing"),
        ({**GOOD, "DATABASE_URL": "sqlite:////srv/x.sqlite3"}, "DATABASE_URL is an SQLite file"),
        (without("RATELIMIT_STORAGE_URI"), "RATELIMIT_STORAGE_URI is memory://"),
        ({**GOOD, "RATELIMIT_STORAGE_URI": "memory://"}, "counts per worker"),
        ({**GOOD, "SMTP_PORT": "five-eight-seven"}, "SMTP_PORT must be a whole number"),
        (without("PUBLIC_BASE_URL"), "PUBLIC_BASE_URL is missing"),
        ({**GOOD, "PUBLIC_BASE_URL": "http://directory.example.org"}, "must be an https:// address"),
        ({**GOOD, "PUBLIC_BASE_URL": "directory.example.org"}, "must be an https:// address"),
        ({**GOOD, "TRUSTED_HOSTS": "https://lb.internal"}, "TRUSTED_HOSTS must be host names"),
    ],
)
def test_production_refuses_to_start(env, expected, tmp_path):
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({**env, "INSTANCE_DIR": str(tmp_path)})
    assert expected in str(refused.value)
    assert not (tmp_path / "secret_key").exists()  # no development key made up in production


def test_all_problems_are_listed_at_once():
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({"APP_ENV": "production"})
    assert len(refused.value.problems) == 4


def test_sqlite_in_production_only_when_explicitly_allowed():
    env = {**GOOD, "DATABASE_URL": "sqlite:////srv/x.sqlite3", "ALLOW_SQLITE_IN_PRODUCTION": "1"}
    assert Settings.from_env(env).database_url == "sqlite:////srv/x.sqlite3"


def test_development_keeps_its_defaults(tmp_path):
    settings = Settings.from_env({"INSTANCE_DIR": str(tmp_path)})
    assert settings.app_env == "development" and settings.database_url.startswith("sqlite")
    config = settings.as_flask_config()
    assert config["SESSION_COOKIE_NAME"] == "session" and config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_session_cookie_is_host_only_secure_httponly_lax(world_url):
    from directory_app import create_app

    config = Settings.from_env(GOOD).as_flask_config()
    config.update(SQLALCHEMY_DATABASE_URI=world_url, TESTING=True)
    app = create_app(config)  # the production settings, applied on top of the test environment's
    client = app.test_client()
    try:
        response = client.get("https://directory.example.org/?lang=es")  # choosing a language sets the session cookie
    finally:
        with app.app_context():
            db.engine.dispose()  # the production pool's connection, else left to the garbage collector
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from directory_app import create_app; create_app()"]
    base = {k: v for k, v in os.environ.items() if k not in GOOD}
    return subprocess.run(command, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_the_process_exits_with_a_clear_message():
    result = _start({"APP_ENV": "production", "DATABASE_URL": PG_ADMIN_URL})
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and "SECRET_KEY is missing" in result.stderr
