"""Two-step sign-in in a real browser: enrolment through the page (the QR code is drawn, the key is
readable as text for those who cannot scan it), the recovery codes shown once, then signing in with a
code of the app; nothing leaves 127.0.0.1 and the Content-Security-Policy blocks nothing."""

from __future__ import annotations

import time

import pyotp

from tests.conftest import TEST_PASSWORD

EMAIL = "two-step-browser@example.org"  # an account of its own: the other browser tests sign in without a code


def create_account(live_server) -> None:
    from directory_app.accounts.services import create_user
    from directory_app.extensions import db

    with live_server.app.app_context():
        create_user(EMAIL, TEST_PASSWORD, "country_contact", "GT", name="Dos Pasos")
        db.session.commit()


def submit(page) -> None:
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")


def password_step(page) -> None:
    page.goto("/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", TEST_PASSWORD)
    submit(page)


def test_enrol_through_the_page_then_sign_in_with_a_code(live_server, page, assert_no_external_requests):
    create_account(live_server)
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    password_step(page)
    page.goto("/account/password")
    with page.expect_navigation():
        page.click("text=Set up two-step sign-in")
    qr = page.locator("#qr-code svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 100 and box["height"] >= 100
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    submit(page)
    codes = page.locator("#recovery-codes li")
    assert codes.count() == 10 and len(codes.first.inner_text().replace(" ", "")) == 24

    with page.expect_navigation():
        page.locator(".site-header .account button", has_text="Sign out").click()
    password_step(page)
    assert page.url.endswith("/login/code")
    assert page.locator(".site-header .account .user-name").count() == 0  # not signed in half-way
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))  # the next step: the last one was used
    submit(page)
    assert page.locator(".site-header .account .user-name").inner_text() == "Dos Pasos"
    page.goto("/account/two-factor")
    assert "Two-step sign-in is on" in page.locator("#two-factor-state").inner_text()
    assert blocked == []
    assert_no_external_requests()
