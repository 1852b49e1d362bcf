"""The production command (scripts/serve-production.sh): refuses unsafe configuration with a clear
message, and with a sound one serves the directory under gunicorn workers (probes answer, sessions
carry the production cookie, rate limits count in Redis)."""

from __future__ import annotations

import http.client
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.ops.private_postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "serve-production.sh"


def _env(**extra: str) -> dict[str, str]:
    unset = ("SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "PUBLIC_BASE_URL", "TRUSTED_HOSTS")
    keep = {k: v for k, v in os.environ.items() if k not in unset}
    return {**keep, "APP_ENV": "production", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "1", **extra}


def test_refuses_to_start_without_a_secret_key(worlds):
    env = _env(DATABASE_URL=worlds("postgresql"), RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
               BIND=f"127.0.0.1:{free_port()}")  # fmt: skip
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "SECRET_KEY is missing" in output
    assert output.count("SECRET_KEY is missing") == 1  # once, from the master, not once per worker


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


def test_serves_under_gunicorn_with_a_sound_configuration(worlds, tmp_path):
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is needed for the production start test")
        pytest.skip("no Redis at 127.0.0.1:6379")
    port = free_port()
    env = _env(DATABASE_URL=worlds("postgresql"), RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
               SECRET_KEY="k" * 64, BIND=f"127.0.0.1:{port}", MAP_TILE_URL="",
               PUBLIC_BASE_URL="https://directory.example.org", TRUSTED_HOSTS="127.0.0.1")  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([str(SCRIPT)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if _get(port, "/readyz").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.5)
        assert _get(port, "/healthz").status == 200
        page = _get(port, "/organisations?lang=es")
        assert page.status == 200 and page.getheader("X-Request-ID")
        assert page.getheader("Set-Cookie", "").startswith("__Host-session=")
        # Only PUBLIC_BASE_URL's host and TRUSTED_HOSTS (127.0.0.1 here, as a health check would) are served
        assert _get(port, "/password/forgot", {"Host": "evil.example"}).status == 400
        assert _get(port, "/healthz", {"Host": "directory.example.org"}).status == 200
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
