"""Two-step sign-in (accounts.two_factor) through the real forms with their CSRF tokens, on both
backends: enrolment by the code of the seed the page shows, sign-in with a code or a recovery code,
wrong and reused codes refused (and counted), reset by the Technical Secretariat, and enrolment
forced on the Technical Secretariat in production."""

from __future__ import annotations

import logging
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from directory_app.accounts.models import RecoveryCode, User
from directory_app.accounts.signin_limits import SLOW_AFTER
from directory_app.audit import AuditEvent
from directory_app.extensions import db
from tests.accounts.helpers import emailed_links, is_signed_in, post_form
from tests.conftest import TEST_PASSWORD, TEST_USERS, csrf_token_of, login_as

CONTACT = TEST_USERS["country_contact:MX"]
SECRET_SHOWN = re.compile(r'id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY_CODE_SHOWN = re.compile(r"<li><code>([A-Z0-9 ]+)</code></li>")


def enrol(client) -> tuple[str, list[str]]:
    """Read the seed the enrolment page shows as text, type the app's code: (seed, recovery codes)."""
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<svg width="' in html and 'class="qr-code"' in html  # the QR code, drawn inline
    secret = SECRET_SHOWN.search(html).group(1).replace(" ", "")
    response = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = RECOVERY_CODE_SHOWN.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted, and later than the one enrolment used)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def sign_out(client) -> None:
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})


def password_step(client, email: str = CONTACT.email, ip: str = "198.51.100.20"):
    client.environ_base["REMOTE_ADDR"] = ip
    return post_form(client, "/login", {"email": email, "password": TEST_PASSWORD})


def code_step(client, code: str):
    return post_form(client, "/login/code", {"code": code})


def enrolled_contact(app) -> tuple[str, list[str]]:
    """Enrol the Mexican contact, then sign them out."""
    client = login_as(app.test_client(), "country_contact", "MX")
    secret, codes = enrol(client)
    sign_out(client)
    return secret, codes


def audit_kinds(app, email: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.user_email == email)))


def test_enrolment_turns_it_on_and_stores_codes_hashed(fresh_app):
    client = login_as(fresh_app.test_client(), "country_contact", "MX")
    assert "Set up two-step sign-in" in client.get("/account/password").get_data(as_text=True)
    page = client.get("/account/two-factor").get_data(as_text=True)
    wrong = post_form(client, "/account/two-factor", {"code": "000000" if "000000" not in page else "111111"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    secret, codes = enrol(client)
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == CONTACT.email))
        assert user.totp_enabled and user.totp_secret == secret
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not {code.replace(" ", "") for code in codes} & set(stored)
    assert "two_factor_enabled" in audit_kinds(fresh_app, CONTACT.email)
    html = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-step sign-in is on" in html and "10 recovery codes left." in html and secret not in html


def test_sign_in_asks_for_the_code_after_the_password(fresh_app):
    secret, _codes = enrolled_contact(fresh_app)
    client = fresh_app.test_client()
    response = password_step(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert not is_signed_in(client)  # half-way: not signed in
    assert client.get("/my-entries").status_code == 302
    response = code_step(client, next_code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/my-entries"  # the contact's start page
    assert is_signed_in(client)


def test_a_wrong_code_is_refused_and_counted(fresh_app):
    secret, _codes = enrolled_contact(fresh_app)
    fresh_app.config["LOGIN_RATE_LIMIT"] = "3/minute"
    attacker = fresh_app.test_client()
    password_step(attacker, ip="203.0.113.9")
    right = next_code(secret)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(3):
        response = code_step(attacker, wrong)
        assert response.status_code == 200 and "This code is not right" in response.get_data(as_text=True)
        assert not is_signed_in(attacker)
    assert audit_kinds(fresh_app, CONTACT.email).count("login_failed") == 3
    # the client that failed is stopped on this account, even with the right code ...
    assert code_step(attacker, right).status_code == 429
    # ... and the owner, elsewhere, is not
    owner = fresh_app.test_client()
    password_step(owner, ip="198.51.100.21")
    assert code_step(owner, right).status_code == 302 and is_signed_in(owner)


def test_a_code_works_once(fresh_app):
    secret, _codes = enrolled_contact(fresh_app)
    code = next_code(secret)
    client = fresh_app.test_client()
    password_step(client)
    assert code_step(client, code).status_code == 302
    sign_out(client)
    password_step(client)
    response = code_step(client, code)
    assert response.status_code == 200 and "This code is not right, or was used already." in response.get_data(
        as_text=True
    )
    assert not is_signed_in(client)
    # nor is an earlier step's code accepted any more
    assert code_step(client, pyotp.TOTP(secret).now()).status_code == 200 and not is_signed_in(client)


def test_a_recovery_code_works_once(fresh_app):
    _secret, codes = enrolled_contact(fresh_app)
    client = fresh_app.test_client()
    password_step(client)
    assert code_step(client, codes[3].lower()).status_code == 302 and is_signed_in(client)
    assert "9 recovery codes left." in client.get("/account/two-factor").get_data(as_text=True)
    assert "recovery_code_used" in audit_kinds(fresh_app, CONTACT.email)
    sign_out(client)
    password_step(client)
    assert code_step(client, codes[3]).status_code == 200 and not is_signed_in(client)
    assert code_step(client, codes[4].replace(" ", "-")).status_code == 302 and is_signed_in(client)


def test_the_ts_resets_it_and_the_contact_signs_in_with_the_password_alone(fresh_app):
    enrolled_contact(fresh_app)
    with fresh_app.app_context():
        contact_id = db.session.scalar(select(User.id).where(User.email == CONTACT.email))
    ts = login_as(fresh_app.test_client(), "ts_admin")
    page = ts.get(f"/admin/users/{contact_id}").get_data(as_text=True)
    assert "Reset two-step sign-in (lost phone)" in page
    listing = ts.get("/admin/users").get_data(as_text=True)
    assert f'<tr data-user-id="{contact_id}">' in listing and "· two-step sign-in</td>" in listing
    response = post_form(ts, f"/admin/users/{contact_id}/reset-two-factor", {}, form_url=f"/admin/users/{contact_id}")
    assert response.status_code == 302
    with fresh_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "two_factor_reset").order_by(AuditEvent.id.desc())
        ).first()
        assert event.user_email == TEST_USERS["ts_admin"].email and event.detail == CONTACT.email
        assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == contact_id)).all()
    contact = fresh_app.test_client()
    response = password_step(contact)
    assert response.status_code == 302 and response.headers["Location"] == "/my-entries" and is_signed_in(contact)


def test_only_the_ts_resets_it(fresh_app):
    enrolled_contact(fresh_app)
    with fresh_app.app_context():
        contact_id = db.session.scalar(select(User.id).where(User.email == CONTACT.email))
    other = login_as(fresh_app.test_client(), "country_contact", "GT")
    token = csrf_token_of(other.get("/account/password").get_data(as_text=True))
    assert other.post(f"/admin/users/{contact_id}/reset-two-factor", data={"csrf_token": token}).status_code == 403
    client = fresh_app.test_client()
    assert password_step(client).headers["Location"] == "/login/code"


def test_the_ts_in_production_must_enrol_before_anything_else(fresh_app):
    fresh_app.config["APP_ENV"] = "production"
    client = fresh_app.test_client()
    response = password_step(client, TEST_USERS["ts_admin"].email)
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    for path in ("/admin/users", "/review", "/organisations", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", path
    assert "Your role requires two-step sign-in" in client.get("/account/two-factor").get_data(as_text=True)
    secret, _codes = enrol(client)
    assert client.get("/admin/users").status_code == 200
    sign_out(client)
    assert password_step(client, TEST_USERS["ts_admin"].email).headers["Location"] == "/login/code"
    assert code_step(client, next_code(secret)).headers["Location"] == "/review"
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("role", ["ts_admin", "country_contact"])
def test_in_development_nobody_is_forced(app, role):
    client = app.test_client()
    email = TEST_USERS["ts_admin" if role == "ts_admin" else "country_contact:MX"].email
    response = password_step(client, email)
    start = "/review" if role == "ts_admin" else "/my-entries"
    assert response.status_code == 302 and response.headers["Location"] == start
    assert client.get("/my-entries").status_code == 200


def test_the_code_page_without_a_password_step_sends_to_sign_in(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302


def test_a_password_reset_does_not_skip_the_code(fresh_app, caplog):
    """A reset link (someone else reading the owner's mail) gives a new password, not a way around the code."""
    caplog.set_level(logging.INFO)
    enrolled_contact(fresh_app)
    client = fresh_app.test_client()
    post_form(client, "/password/forgot", {"email": CONTACT.email})
    [link] = emailed_links(caplog)
    new_password = "violet-canyon-ferry-2931"
    assert post_form(client, link, {"new_password": new_password, "confirm": new_password}).status_code == 302
    response = post_form(client, "/login", {"email": CONTACT.email, "password": new_password})
    assert response.headers["Location"] == "/login/code" and not is_signed_in(client)


def test_wrong_codes_slow_the_account_down_without_locking_it(fresh_app):
    """Wrong codes from many clients count for the account like wrong passwords: its sign-ins slow down
    (the pauses are recorded, not slept), and the owner still gets in."""
    secret, _codes = enrolled_contact(fresh_app)
    fresh_app.config["LOGIN_MAX_DELAY"] = 3
    pauses: list[float] = []
    fresh_app.extensions["sign_in_limits"].sleep = pauses.append
    for number in range(SLOW_AFTER):
        client = fresh_app.test_client()
        password_step(client, ip=f"192.0.2.{number + 1}")
        assert code_step(client, "000000" if next_code(secret) != "000000" else "111111").status_code == 200
    assert pauses == []
    owner = fresh_app.test_client()
    password_step(owner, ip="198.51.100.30")
    assert code_step(owner, next_code(secret)).status_code == 302 and is_signed_in(owner)
    assert pauses == [0.5, 0.5]  # the password step and the code step each waited
