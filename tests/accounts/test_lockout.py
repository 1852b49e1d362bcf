"""A stranger cannot lock an account's owner out (accounts.signin_limits): failures against an account
stop the client that makes them; the account itself is only slowed down (the pause is recorded here
instead of slept) and its owner is emailed once after repeated failures, in their language. Through
the real sign-in form with its CSRF token, on both backends."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from directory_app.accounts.models import User
from directory_app.accounts.signin_limits import NOTIFY_AFTER, SLOW_AFTER, client_key
from directory_app.audit import AuditEvent
from directory_app.extensions import db
from tests.accounts.helpers import is_signed_in, post_form
from tests.conftest import TEST_PASSWORD, TEST_USERS, make_app

OWNER = TEST_USERS["country_contact:MX"]
WRONG = "not-the-password-42"


def attempt(client, email: str, password: str, ip: str):
    client.environ_base["REMOTE_ADDR"] = ip
    return post_form(client, "/login", {"email": email, "password": password})


def record_pauses(app) -> list[float]:
    """The pauses the app asks for, recorded instead of slept."""
    pauses: list[float] = []
    app.extensions["sign_in_limits"].sleep = pauses.append
    return pauses


def alerts_to(caplog, email: str) -> list[str]:
    """The emails to `email` written to the log (no SMTP_HOST in tests); nothing else mails the owner
    while these tests run, so each is an alert, in whatever language it was written."""
    return [record.getMessage() for record in caplog.records if f"To: {email}\n" in record.getMessage()]


def test_failures_from_one_client_do_not_stop_the_owner_on_another(world_url):
    app = make_app(world_url, LOGIN_RATE_LIMIT="5/minute")
    attacker = app.test_client()
    for _ in range(5):
        assert attempt(attacker, OWNER.email, WRONG, "203.0.113.66").status_code == 200
    # the attacker's client is stopped on this account, even with the right password
    assert attempt(attacker, OWNER.email, TEST_PASSWORD, "203.0.113.66").status_code == 429
    assert not is_signed_in(attacker)
    # the owner, from their own client, signs in at once
    owner = app.test_client()
    response = attempt(owner, OWNER.email, TEST_PASSWORD, "198.51.100.20")
    assert response.status_code == 302 and is_signed_in(owner)


def test_an_account_attacked_from_many_clients_slows_down_and_never_locks(world_url):
    app = make_app(world_url, LOGIN_MAX_DELAY=3)
    pauses = record_pauses(app)
    assert SLOW_AFTER + 4 < NOTIFY_AFTER  # (no alert: this world is shared by other tests)
    for number in range(SLOW_AFTER + 4):
        assert attempt(app.test_client(), OWNER.email, WRONG, f"192.0.2.{number + 1}").status_code == 200
    # no pause for the first SLOW_AFTER attempts, then a doubling one, capped at LOGIN_MAX_DELAY
    assert pauses == [0.5, 1.0, 2.0, 3.0]
    owner = app.test_client()
    assert attempt(owner, OWNER.email, TEST_PASSWORD, "198.51.100.20").status_code == 302
    assert is_signed_in(owner) and pauses == [0.5, 1.0, 2.0, 3.0, 3.0]
    # other accounts are not slowed
    assert attempt(app.test_client(), TEST_USERS["consular"].email, TEST_PASSWORD, "192.0.2.200").status_code == 302
    assert len(pauses) == 5


def test_without_a_maximum_delay_nothing_waits(world_url):
    app = make_app(world_url)  # the tests' LOGIN_MAX_DELAY=0
    pauses = record_pauses(app)
    for number in range(SLOW_AFTER + 2):
        attempt(app.test_client(), OWNER.email, WRONG, f"192.0.2.{number + 1}")
    assert pauses == []


@pytest.mark.parametrize("language,signature", [("fr", "Répertoire CAMMINA"), (None, "Directorio CAMMINA")])
def test_the_owner_gets_one_email_after_repeated_failures_in_their_language(fresh_app, caplog, language, signature):
    """Signed in once in French: the alert is in French; never signed in: the default language (es)."""
    fresh_app.config["BABEL_DEFAULT_LOCALE"] = "es"
    with fresh_app.app_context():  # other tests may have signed the owner in on the shared world
        db.session.scalar(select(User).where(User.email == OWNER.email)).language = None
        db.session.commit()
    if language:
        owner = fresh_app.test_client()
        owner.get(f"/?lang={language}")
        assert attempt(owner, OWNER.email, TEST_PASSWORD, "198.51.100.20").status_code == 302
    caplog.set_level(logging.WARNING)
    with fresh_app.app_context():
        before = db.session.scalar(select(func.max(AuditEvent.id))) or 0  # none yet on a fresh copy
    for number in range(NOTIFY_AFTER - 1):
        attempt(fresh_app.test_client(), OWNER.email, WRONG, f"192.0.2.{number + 1}")
    assert alerts_to(caplog, OWNER.email) == []
    for number in range(NOTIFY_AFTER - 1, NOTIFY_AFTER + 5):
        attempt(fresh_app.test_client(), OWNER.email, WRONG, f"192.0.2.{number + 1}")
    sent = alerts_to(caplog, OWNER.email)
    assert len(sent) == 1
    assert f" {NOTIFY_AFTER} " in sent[0] and OWNER.email in sent[0]
    assert sent[0].rstrip().endswith(signature)
    with fresh_app.app_context():
        kinds = db.session.scalars(
            select(AuditEvent.kind).where(
                AuditEvent.id > before, AuditEvent.user_email == OWNER.email, AuditEvent.kind == "sign_in_alert"
            )
        ).all()
    assert kinds == ["sign_in_alert"]


def test_failures_on_an_unknown_email_send_nothing(fresh_app, caplog):
    caplog.set_level(logging.WARNING)
    for number in range(NOTIFY_AFTER + 2):
        attempt(fresh_app.test_client(), "nobody@example.org", WRONG, f"192.0.2.{number + 1}")
    assert not any("To: nobody@example.org" in record.getMessage() for record in caplog.records)


def test_clients_are_counted_by_address_and_ipv6_by_network():
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
