"""Failed sign-ins are limited per client and per (client, account) (accounts.signin_limits, memory
storage in tests; an account itself is only slowed down: tests/accounts/test_lockout.py); the limit
gives a clear 429 page; successful sign-ins do not count; reset requests are limited per IP."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.accounts.helpers import post_form
from tests.conftest import TEST_PASSWORD, TEST_USERS, make_app, redis_reachable


@pytest.fixture
def limited_app(world_url, backend):
    """The read-only world with limits of 3 per minute (the limiter and its counts are per app)."""
    return make_app(world_url, LOGIN_RATE_LIMIT="3/minute", LOGIN_IP_RATE_LIMIT="3/minute")


def attempt(client, email: str, password: str, ip: str = "203.0.113.7"):
    client.environ_base["REMOTE_ADDR"] = ip
    return post_form(client, "/login", {"email": email, "password": password})


def test_failed_sign_ins_from_one_ip_are_limited(limited_app):
    client = limited_app.test_client()
    for number in range(3):
        assert attempt(client, f"nobody{number}@example.org", "wrong-password-123").status_code == 200
    response = attempt(client, TEST_USERS["consular"].email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts. Please wait a minute and try again." in response.get_data(as_text=True)
    # another IP, another account: not limited
    assert (
        attempt(limited_app.test_client(), TEST_USERS["consular"].email, TEST_PASSWORD, "198.51.100.9").status_code
        == 302
    )


def test_failed_sign_ins_on_one_account_from_one_ip_are_limited(world_url):
    """Per (client, account): the client is stopped on that account (any case of the email), not on others."""
    app = make_app(world_url, LOGIN_RATE_LIMIT="3/minute")
    email = TEST_USERS["ts_admin"].email
    for _ in range(3):
        assert attempt(app.test_client(), email, "wrong-password-123").status_code == 200
    assert attempt(app.test_client(), email.upper(), TEST_PASSWORD).status_code == 429
    assert attempt(app.test_client(), TEST_USERS["consular"].email, TEST_PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(limited_app):
    for _ in range(5):
        client = limited_app.test_client()
        assert attempt(client, TEST_USERS["consular"].email, TEST_PASSWORD).status_code == 302


def test_reset_requests_are_limited(limited_app):
    client = limited_app.test_client()
    statuses = [post_form(client, "/password/forgot", {"email": "nobody@example.org"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_storage_uri_comes_from_the_environment():
    from directory_app.config import Settings

    settings = Settings.from_env({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "SECRET_KEY": "x"})
    assert settings.as_flask_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert Settings.from_env({"SECRET_KEY": "x"}).as_flask_config()["RATELIMIT_STORAGE_URI"] == "memory://"


def test_the_limit_is_recorded_in_the_audit_log(world_url, fresh_app):
    fresh_app.config["LOGIN_IP_RATE_LIMIT"] = "1/minute"
    client = fresh_app.test_client()
    attempt(client, "nobody@example.org", "wrong-password-123")
    assert attempt(client, "nobody@example.org", "wrong-password-123").status_code == 429
    with fresh_app.app_context():
        from directory_app.extensions import db

        kinds = db.session.scalars(sa.text("SELECT kind FROM audit_event ORDER BY id")).all()
    assert kinds[-2:] == ["login_failed", "rate_limited"]


@pytest.mark.skipif(
    not redis_reachable() and os.environ.get("CI") != "true", reason="no Redis server at 127.0.0.1:6379"
)
def test_workers_share_counts_through_redis(world_url):
    """Two apps (two workers or hosts) with the same Redis storage count failures together."""
    import uuid

    settings = {
        "LOGIN_RATE_LIMIT": "2/minute",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # this test's counts only
    }
    first, second = make_app(world_url, **settings), make_app(world_url, **settings)
    email = TEST_USERS["consular"].email
    assert attempt(first.test_client(), email, "wrong-password-123").status_code == 200
    assert attempt(second.test_client(), email, "wrong-password-123").status_code == 200
    assert attempt(first.test_client(), email, TEST_PASSWORD).status_code == 429
    assert attempt(second.test_client(), email, TEST_PASSWORD).status_code == 429
    # the account's own failures (which slow it down, never block it) are shared too
    with first.test_request_context():
        assert first.extensions["sign_in_limits"].account_failures(email) == 2
    with second.test_request_context():
        assert second.extensions["sign_in_limits"].account_failures(email) == 2
    # and the owner, from another client, still signs in
    assert attempt(second.test_client(), email, TEST_PASSWORD, "198.51.100.77").status_code == 302
