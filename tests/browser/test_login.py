"""Signing in and out in a real browser, and a session cookie copied before sign-out that no longer
works after it."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD, TEST_USERS


def test_sign_in_through_the_form_and_sign_out(page, assert_no_external_requests, screenshot):
    page.goto("/")
    with page.expect_navigation():
        page.click(".site-header .account a")  # "Sign in"
    assert page.url.endswith("/login?next=/")
    screenshot("login")
    page.fill("input[name=email]", TEST_USERS["country_contact:MX"].email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    header = page.locator(".site-header .account")
    assert header.locator(".user-name").inner_text() == "Mateo Contacto"
    assert "Country contact (MX)" in header.inner_text()
    with page.expect_navigation():
        header.locator("button", has_text="Sign out").click()
    assert page.locator(".site-header .account .user-name").count() == 0
    assert page.locator(".site-header .account a", has_text="Sign in").is_visible()
    assert_no_external_requests()


def test_wrong_password_shows_the_generic_message(page, assert_no_external_requests):
    sign_in(page, "consular", password=TEST_PASSWORD + "-wrong")
    assert page.locator("#login-error").is_visible()
    assert page.locator(".site-header .account .user-name").count() == 0
    assert_no_external_requests()


def test_cookie_copied_before_sign_out_no_longer_signs_in(page, new_context, assert_no_external_requests):
    sign_in(page, "consular")
    assert page.locator(".user-name").inner_text() == "Consuelo Lara"
    copied = page.context.cookies()
    assert any(cookie["name"] == "session" for cookie in copied)

    before = new_context()  # the copy works while the session lives: the test below means something
    before.add_cookies(copied)
    check = before.new_page()
    check.goto("/")
    assert check.locator(".user-name").inner_text() == "Consuelo Lara"

    with page.expect_navigation():
        page.click("text=Sign out")

    after = new_context()
    after.add_cookies(copied)
    replay = after.new_page()
    replay.goto("/")
    assert replay.locator(".user-name").count() == 0
    assert replay.locator(".site-header .account a", has_text="Sign in").is_visible()
    check.reload()
    assert check.locator(".user-name").count() == 0  # the other browser's session ended too
    assert_no_external_requests()
