"""Password reset by a signed, expiring, single-use link; a signed-in user's own change; both end
every other session of the user. Both backends (fresh_app: these tests write)."""

from __future__ import annotations

import logging
import time

import itsdangerous.timed
import pytest

from tests.accounts.helpers import emailed_links, is_signed_in, post_form
from tests.conftest import TEST_PASSWORD, TEST_USERS, login_as

NEW_PASSWORD = "violet-canyon-ferry-2931"
EMAIL = TEST_USERS["consular"].email


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def ask_reset(client, email: str = EMAIL):
    return post_form(client, "/password/forgot", {"email": email})


def sign_in(client, password: str, email: str = EMAIL):
    return post_form(client, "/login", {"email": email, "password": password})


def set_new_password(client, link: str, password: str = NEW_PASSWORD):
    return post_form(client, link, {"new_password": password, "confirm": password})


def test_reset_link_works_once(fresh_app, mail_log):
    client = fresh_app.test_client()
    response = ask_reset(client)
    assert response.status_code == 200 and 'id="reset-sent"' in response.get_data(as_text=True)
    [link] = emailed_links(mail_log)
    page = client.get(link)
    # the token is in the URL: other sites never see it (security.py: strict-origin-when-cross-origin)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    response = set_new_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert sign_in(client, TEST_PASSWORD).status_code == 200  # the old password is gone
    assert sign_in(client, NEW_PASSWORD).status_code == 302
    again = fresh_app.test_client().get(link)
    assert again.status_code == 400 and 'id="bad-link"' in again.get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_and_no_mail(fresh_app, mail_log):
    client = fresh_app.test_client()
    known = ask_reset(client).get_data(as_text=True)
    unknown = ask_reset(client, "nobody@example.org").get_data(as_text=True)
    assert len(emailed_links(mail_log)) == 1
    assert known.split("<main>")[1] == unknown.split("<main>")[1]


def test_reset_link_expires(fresh_app, mail_log, monkeypatch):
    fresh_app.config["PASSWORD_RESET_MAX_AGE"] = 1
    clock = [int(time.time())]  # the links' clock (itsdangerous timestamps), moved by hand
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _signer: clock[0])
    client = fresh_app.test_client()
    ask_reset(client)
    [link] = emailed_links(mail_log)
    clock[0] += 2
    response = client.get(link)
    assert response.status_code == 400 and "This link has expired." in response.get_data(as_text=True)
    fields = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post_form(client, link, fields, form_url="/password/forgot").status_code == 400
    assert sign_in(client, NEW_PASSWORD).status_code == 200  # nothing was changed


def test_reset_link_refused_after_a_password_change(fresh_app, mail_log):
    client = fresh_app.test_client()
    ask_reset(client)
    [link] = emailed_links(mail_log)
    login_as(client, "consular")
    response = post_form(
        client,
        "/account/password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert fresh_app.test_client().get(link).status_code == 400


def test_tampered_or_foreign_links_are_refused(fresh_app, mail_log):
    client = fresh_app.test_client()
    ask_reset(client)
    [link] = emailed_links(mail_log)
    assert client.get(link[:-3] + "abc").status_code == 400
    assert client.get("/password/reset/not-a-token").status_code == 400
    # a reset token is not an invitation token (different salt)
    assert client.get(link.replace("/password/reset/", "/invite/")).status_code == 400


def test_weak_or_mismatched_new_password_is_refused_with_a_message(fresh_app, mail_log):
    client = fresh_app.test_client()
    ask_reset(client)
    [link] = emailed_links(mail_log)
    response = set_new_password(client, link, "short")
    assert response.status_code == 400 and "at least 12 characters" in response.get_data(as_text=True)
    response = post_form(client, link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert response.status_code == 400 and "The two passwords differ." in response.get_data(as_text=True)
    assert set_new_password(client, link).status_code == 302  # the link still works after refusals


def test_reset_ends_other_sessions(fresh_app, mail_log):
    elsewhere = login_as(fresh_app.test_client(), "consular")
    assert is_signed_in(elsewhere)
    client = fresh_app.test_client()
    ask_reset(client)
    [link] = emailed_links(mail_log)
    set_new_password(client, link)
    assert not is_signed_in(elsewhere)


def test_own_change_keeps_this_session_and_ends_the_others(fresh_app):
    here = login_as(fresh_app.test_client(), "country_contact", "GT")
    there = login_as(fresh_app.test_client(), "country_contact", "GT")
    fields = {"current_password": TEST_PASSWORD + "x", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    wrong = post_form(here, "/account/password", fields)
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.get_data(as_text=True)
    response = post_form(here, "/account/password", {**fields, "current_password": TEST_PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(here) and not is_signed_in(there)
    email = TEST_USERS["country_contact:GT"].email
    assert sign_in(fresh_app.test_client(), NEW_PASSWORD, email).status_code == 302


def test_change_password_needs_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabled_account_gets_no_reset_mail(fresh_app, mail_log):
    from directory_app.accounts.models import User
    from directory_app.extensions import db

    with fresh_app.app_context():
        user = db.session.query(User).filter_by(email=EMAIL).one()
        user.is_active_account = False
        db.session.commit()
    assert ask_reset(fresh_app.test_client()).status_code == 200
    assert emailed_links(mail_log) == []
