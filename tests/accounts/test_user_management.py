"""The TS invites users, changes their role and country, disables and enables them; disabling and
role changes end every live session of that user."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from tests.accounts.helpers import emailed_links, is_signed_in, post_form
from tests.conftest import TEST_USERS, login_as

NEW_PASSWORD = "amber-meadow-lantern-771"


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def get_user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def test_user_list_shows_every_account(client_as):
    html = client_as("ts_admin").get("/admin/users").get_data(as_text=True)
    for user in TEST_USERS.values():
        assert user.email in html


def test_invite_flow(fresh_app, caplog):
    caplog.set_level(logging.INFO)
    admin = login_as(fresh_app.test_client(), "ts_admin")
    response = post_form(
        admin,
        "/admin/users/invite",
        {
            "email": "New.Contact@Example.org",
            "name": "Nueva <b>Persona</b>",
            "role": "country_contact",
            "country": "HN",
        },
    )
    assert response.status_code == 302
    invited = get_user(fresh_app, "new.contact@example.org")
    assert invited.invite_pending and invited.country_code == "HN" and invited.role.value == "country_contact"
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "Invited, no password yet" in listing and "Nueva &lt;b&gt;Persona&lt;/b&gt;" in listing
    [link] = emailed_links(caplog)
    assert link.startswith("/invite/")
    person = fresh_app.test_client()
    assert "new.contact@example.org" in person.get(link).get_data(as_text=True)
    assert post_form(person, link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert not get_user(fresh_app, "new.contact@example.org").invite_pending
    signed = post_form(person, "/login", {"email": "new.contact@example.org", "password": NEW_PASSWORD})
    assert signed.status_code == 302
    assert fresh_app.test_client().get(link).status_code == 400  # the invitation works once


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"email": "not-an-email", "role": "consular", "country": ""}, "is not an email address"),
        ({"email": "x@example.org", "role": "country_contact", "country": ""}, "needs a member country"),
        ({"email": TEST_USERS["consular"].email, "role": "consular", "country": ""}, "already exists"),
        ({"email": "x@example.org", "role": "emperor", "country": ""}, "role-errors"),
        ({"email": "x@example.org", "role": "country_contact", "country": "ZZ"}, "country-errors"),
    ],
)
def test_invite_refuses_bad_input_with_a_message(fresh_app, fields, message):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    response = post_form(admin, "/admin/users/invite", fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_disabling_ends_a_live_session_and_enabling_allows_sign_in_again(fresh_app):
    victim = login_as(fresh_app.test_client(), "country_contact", "MX")
    assert is_signed_in(victim)
    admin = login_as(fresh_app.test_client(), "ts_admin")
    target = user_id(fresh_app, TEST_USERS["country_contact:MX"].email)
    assert post_form(admin, f"/admin/users/{target}/disable", {}, form_url="/admin/users").status_code == 302
    assert not is_signed_in(victim)
    with pytest.raises(AssertionError):
        login_as(fresh_app.test_client(), "country_contact", "MX")
    assert "Disabled" in admin.get("/admin/users").get_data(as_text=True)
    assert post_form(admin, f"/admin/users/{target}/enable", {}, form_url="/admin/users").status_code == 302
    assert is_signed_in(login_as(fresh_app.test_client(), "country_contact", "MX"))


def test_role_change_applies_at_once(fresh_app):
    contact = login_as(fresh_app.test_client(), "country_contact", "GT")
    admin = login_as(fresh_app.test_client(), "ts_admin")
    target = user_id(fresh_app, TEST_USERS["country_contact:GT"].email)
    response = post_form(admin, f"/admin/users/{target}", {"role": "country_contact", "country": "SV"})
    assert response.status_code == 302
    assert get_user(fresh_app, TEST_USERS["country_contact:GT"].email).country_code == "SV"
    assert not is_signed_in(contact)
    response = post_form(admin, f"/admin/users/{target}", {"role": "consular", "country": "SV"})
    changed = get_user(fresh_app, TEST_USERS["country_contact:GT"].email)
    assert changed.role.value == "consular" and changed.country_code is None


def test_admin_cannot_lock_themselves_out(fresh_app):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    own = user_id(fresh_app, TEST_USERS["ts_admin"].email)
    response = post_form(admin, f"/admin/users/{own}", {"role": "consular", "country": ""})
    assert response.status_code == 400 and "own administrator role" in response.get_data(as_text=True)
    post_form(admin, f"/admin/users/{own}/disable", {}, form_url="/admin/users")
    assert is_signed_in(admin) and get_user(fresh_app, TEST_USERS["ts_admin"].email).is_active_account


def test_unknown_user_is_404(client_as):
    assert client_as("ts_admin").get("/admin/users/999999").status_code == 404
