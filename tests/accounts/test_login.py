"""Signing in and out through the real forms, on both backends: one generic message for every
failure, CSRF, no open redirect, a new session at sign-in, and sign-out ending copied cookies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.accounts.views import safe_next_path
from directory_app.extensions import db
from tests.conftest import TEST_PASSWORD, TEST_USERS, csrf_token_of, login_as, user_key

GENERIC_FAILURE = "Wrong email or password, or the account is disabled."


def post_login(client, email: str, password: str, next_path: str | None = None):
    url = "/login" if next_path is None else f"/login?next={next_path}"
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def signed_in_name(client) -> str | None:
    """The name the header shows, or None when it offers "Sign in"."""
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<span class="user-name">([^<]*)</span>', html)
    if match is None:
        assert ">Sign in</a>" in html
    return match.group(1) if match else None


def sign_out(client):
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def test_login_page_has_a_form_with_csrf_token(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="email"' in html and 'type="password"' in html
    assert csrf_token_of(html)


@pytest.mark.parametrize(
    "role,country", [("ts_admin", None), ("consular", None), ("country_contact", "MX"), ("country_contact", "GT")]
)
def test_each_role_signs_in_and_sees_name_and_role(app, role, country):
    client = login_as(app.test_client(), role, country)
    user = TEST_USERS[user_key(role, country)]
    html = client.get("/districts").get_data(as_text=True)
    assert user.name in html
    assert ">Sign out</button>" in html
    label = {"ts_admin": "Technical Secretariat", "consular": "Consular user"}.get(role, f"Country contact ({country})")
    assert label in html


def test_public_sees_a_sign_in_link_to_come_back(client):
    html = client.get("/districts?service=legal_assistance").get_data(as_text=True)
    assert 'href="/login?next=/districts?service%3Dlegal_assistance"' in html
    assert login_as(client, "public") is client and signed_in_name(client) is None


def test_success_redirects_home(client):
    response = post_login(client, TEST_USERS["consular"].email.upper(), TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_name(client) == TEST_USERS["consular"].name


@pytest.mark.parametrize(
    "email,password",
    [
        ("consular@example.org", TEST_PASSWORD + "x"),
        ("nobody@example.org", TEST_PASSWORD),
        ("consular@example.org", ""),
    ],
)
def test_failures_say_the_same_thing(client, email, password):
    response = post_login(client, email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert GENERIC_FAILURE in html if password else 'class="field-error"' in html
    assert signed_in_name(client) is None


def test_wrong_password_and_unknown_email_pages_are_identical(client):
    wrong = post_login(client, "consular@example.org", "not-the-password-1").get_data(as_text=True)
    unknown = post_login(client, "nobody@example.org", "not-the-password-1").get_data(as_text=True)
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong) == strip.sub("", unknown)


def test_disabled_account_gets_the_generic_message(fresh_app):
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == TEST_USERS["consular"].email))
        user.is_active_account = False
        db.session.commit()
    client = fresh_app.test_client()
    response = post_login(client, TEST_USERS["consular"].email, TEST_PASSWORD)
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert signed_in_name(client) is None


def test_disabling_ends_an_open_session(fresh_app):
    client = login_as(fresh_app.test_client(), "ts_admin")
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))
        user.is_active_account = False
        db.session.commit()
    assert signed_in_name(client) is None


def fresh_client_page(client) -> str:
    """The login page as another browser sees it: its token does not belong to `client`'s session."""
    return client.application.test_client().get("/login").get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    for token in (None, "forged", csrf_token_of(fresh_client_page(client))):
        data = {"email": TEST_USERS["consular"].email, "password": TEST_PASSWORD}
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data)
        assert response.status_code == 400
        assert "This form has expired or did not come from this site." in response.get_data(as_text=True)
    assert signed_in_name(client) is None


def test_logout_without_csrf_token_is_refused_and_get_is_not_allowed(client):
    login_as(client, "consular")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/logout").status_code == 405
    assert signed_in_name(client) == TEST_USERS["consular"].name


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http:/evil.example",
        "%2F%2Fevil.example",
    ],
)
def test_next_never_leaves_the_site(client, target):
    response = post_login(client, TEST_USERS["consular"].email, TEST_PASSWORD, next_path=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_next_with_line_breaks_is_refused_before_sign_in(client):
    """Control characters in any parameter are a 400 on every route (request_params): no header
    injection can reach a redirect."""
    for method in (client.get, client.post):
        response = method("/login?next=/%0d%0aSet-Cookie:x=1")
        assert response.status_code == 400 and "x=1" not in response.headers.get("Set-Cookie", "")
        assert "The parameter &#39;next&#39; contains characters that are not allowed." in response.get_data(
            as_text=True
        )


def test_next_to_a_local_path_is_followed(client):
    response = post_login(
        client, TEST_USERS["consular"].email, TEST_PASSWORD, next_path="/districts%3Fservice%3Dshelter"
    )
    assert response.headers["Location"] == "/districts?service=shelter"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/districts", "/districts"),
        ("/a?b=c#d", "/a?b=c#d"),
        ("", None),
        (None, None),
        ("districts", None),
        ("//x.example", None),
        ("/\\x.example", None),
        ("/a\\b", None),
        ("/\tx", None),
        ("https://x.example/", None),
        ("/" + "a" * 3000, None),
    ],
)
def test_safe_next_path(target, expected):
    assert safe_next_path(target) == expected


def test_login_starts_a_new_session(client):
    client.get("/?lang=en")
    with client.session_transaction() as session:
        session["planted"] = "before sign-in"
    pre_login_token = csrf_token_of(client.get("/login").get_data(as_text=True))
    login_as(client, "consular")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("lang") == "en"  # the reader's language is kept
    assert csrf_token_of(client.get("/login").get_data(as_text=True)) != pre_login_token


def test_logout_ends_a_copied_cookie(fresh_app):
    client = login_as(fresh_app.test_client(), "country_contact", "GT")
    copied = client.get_cookie("session").value
    other_browser = login_as(fresh_app.test_client(), "country_contact", "GT")
    response = sign_out(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_name(client) is None
    replay = fresh_app.test_client()
    replay.set_cookie("session", copied)
    assert signed_in_name(replay) is None
    assert signed_in_name(other_browser) is None  # sign-out ends every session of the user
    assert signed_in_name(login_as(fresh_app.test_client(), "country_contact", "GT")) == "Gabriela Contacto"


def test_logout_when_not_signed_in_just_goes_home(client):
    response = sign_out(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_required_pages_send_the_public_to_sign_in_and_back(app):
    """The contract for other views: @login_required redirects to accounts.login with a local `next`."""
    from flask_login import login_required

    app.add_url_rule("/_private", "private_probe", login_required(lambda: "private page"))
    client = app.test_client()
    response = client.get("/_private?x=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login_page = client.get(response.headers["Location"])
    assert "Please sign in to see this page." in login_page.get_data(as_text=True)
    token = csrf_token_of(login_page.get_data(as_text=True))
    signed_in = client.post(
        response.headers["Location"],
        data={"email": TEST_USERS["ts_admin"].email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert signed_in.headers["Location"] == "/_private?x=1"
    assert client.get("/_private?x=1").get_data(as_text=True) == "private page"
