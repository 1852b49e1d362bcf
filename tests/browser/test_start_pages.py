"""A start page per role, in Chromium on a phone (390x844) and a laptop (1366x900): each role signs in
through the form and lands on its start page; the TS gives a consular user a consulate through the user
admin form, and the consular user then lands on its district with "My consulate" in the header; the
public finds partners from the home page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.geography.models import Consulate
from tests.browser.conftest import sign_in
from tests.conftest import TEST_USERS

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
HOUSTON = "GT-US-HOUSTON"


def open_menu_if_folded(page) -> None:
    """On a phone the header's links are behind the menu's summary."""
    summary = page.locator(".site-menu > summary")
    if summary.is_visible() and page.locator(".site-menu[open]").count() == 0:
        summary.click()


@pytest.fixture
def consular_without_consulate(live_server):
    """The consular test user has no consulate before and after the test (the world is shared)."""

    def reset():
        with live_server.app.app_context():
            email = TEST_USERS["consular"].email
            db.session.execute(update(User).where(User.email == email).values(consulate_id=None))
            db.session.commit()

    reset()
    yield
    reset()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize(
    "role,country,path,heading",
    [
        ("ts_admin", None, "/review", "Changes waiting for review"),
        ("country_contact", "MX", "/my-entries", "Entries of MX"),
        ("consular", None, "/", "Find partner organisations"),
    ],
)
def test_each_role_lands_on_its_start_page(new_context, viewport, role, country, path, heading):
    page = new_context(viewport=viewport).new_page()
    sign_in(page, role, country)
    assert page.url.endswith(path)
    assert page.locator("h1").inner_text() == heading
    if role == "ts_admin":
        assert page.locator('main a[href="/review/stale"]').is_visible()  # the freshness dashboard
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_ts_gives_a_consulate_and_the_consular_user_lands_on_its_district(
    new_context, live_server, viewport, consular_without_consulate, assert_no_external_requests
):
    with live_server.app.app_context():
        consular_id = db.session.scalar(select(User.id).where(User.email == TEST_USERS["consular"].email))
        houston_id = db.session.scalar(select(Consulate.id).where(Consulate.code == HOUSTON))
    ts = new_context(viewport=viewport).new_page()
    sign_in(ts, "ts_admin")
    ts.goto(f"/admin/users/{consular_id}")
    assert ts.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert ts.locator(f'#consulate option[value="{houston_id}"]').inner_text().startswith(f"{HOUSTON} · ")
    ts.select_option("#consulate", str(houston_id))
    with ts.expect_navigation():
        ts.click("main form.stacked button[type=submit]")
    assert ts.url.endswith("/admin/users")
    assert f"Consular user · {HOUSTON}" in ts.locator(f'tr[data-user-id="{consular_id}"]').inner_text()

    consular = new_context(viewport=viewport).new_page()
    sign_in(consular, "consular")
    assert consular.url.endswith(f"/districts/{HOUSTON}")
    open_menu_if_folded(consular)
    link = consular.locator(".site-header a.my-consulate")
    assert link.is_visible() and link.inner_text() == "My consulate"
    assert consular.evaluate("document.documentElement.scrollWidth <= innerWidth")
    consular.goto("/")
    assert consular.locator("main .start-link a").get_attribute("href") == f"/districts/{HOUSTON}"
    assert_no_external_requests()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_public_finds_partners_from_the_home_page(new_context, viewport, assert_no_external_requests):
    page = new_context(viewport=viewport).new_page()
    page.goto("/")
    field = page.locator("#finder-q")
    assert field.is_visible() and field.bounding_box()["y"] < viewport["height"]  # first, in the first screen
    field.fill("guatemala houston")  # a district named by its words
    if not page.locator("label[for=finder-service-shelter]").is_visible():
        page.click("details.finder-services > summary")  # on a phone the services fold
    page.click("label[for=finder-service-shelter]")
    page.click("label[for=finder-service-legal_assistance]")
    with page.expect_navigation():
        page.click("form.partner-finder button[type=submit]")
    assert re.search(rf"/districts/{HOUSTON}\?service=shelter&service=legal_assistance$", page.url)

    # a place chosen among the suggestions with the keyboard, in a city with several consulates
    page.goto("/")
    page.locator("#finder-q").press_sequentially("tapach")
    page.locator("#finder-q-options [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#finder-q").input_value() == "Tapachula"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    choice = page.locator(".finder-choice")
    assert "Which one do you mean?" in choice.inner_text()
    assert choice.locator("a[href^='/nearest?lat=']").is_visible()
    with page.expect_navigation():
        choice.locator("a[href='/districts/GT-MX-TAPACHULA']").click()
    assert page.url.endswith("/districts/GT-MX-TAPACHULA")
    assert_no_external_requests()
