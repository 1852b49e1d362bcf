"""Phones first, in Chromium: no page of the application's url map scrolls sideways at 360x740,
390x844 (or 1366x900), for the public and for the Technical Secretariat; the header folds into a menu that opens with
the keyboard; on /map the map is in the first screen and its legend folds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import Organisation, Status
from tests.browser.conftest import MAP_READY as READY
from tests.browser.conftest import show_map, sign_in
from tests.conftest import TEST_USERS

PHONES = [{"width": 360, "height": 740}, {"width": 390, "height": 844}]
LAPTOP = {"width": 1366, "height": 900}
# GET routes without parameters that are not pages a person reads: sign-out is a POST, the others are
# data (their content type is checked too: only HTML pages are measured).
NOT_PAGES = {"static", "main.favicon", "ops.healthz", "ops.readyz"}


def _paths(app) -> list[str]:
    """Every GET route of the url map without parameters, plus pages with them: an organisation (its
    page, edit form, coverage editor and history), two districts, a user's admin page."""
    with app.app_context():
        uuid = db.session.scalars(
            select(Organisation.uuid).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id)
        ).first()
        districts = db.session.scalars(select(ConsularDistrict.code).order_by(ConsularDistrict.code)).all()
        user_id = db.session.scalar(select(User.id).where(User.email == TEST_USERS["consular"].email))
        rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ()) and not r.arguments]
    paths = sorted({r.rule for r in rules if r.endpoint not in NOT_PAGES})
    district = "GT-US-HOUSTON" if "GT-US-HOUSTON" in districts else districts[0]
    return paths + [
        f"/organisations/{uuid}",
        f"/organisations/{uuid}/edit",
        f"/organisations/{uuid}/edit/coverage",
        f"/organisations/{uuid}/history",
        f"/districts/{district}",
        f"/districts/{district}?service=shelter&service=legal_assistance",  # the referral sheet with its tools
        "/districts/MX-US-LOS-ANGELES",
        f"/admin/users/{user_id}",
        "/nearest?consulate=MX-US-LOS-ANGELES",
        "/organisations?q=casa",
    ]


def _too_wide(page, paths: list[str]) -> dict[str, int]:
    """The HTML pages among `paths` that are wider than the screen, with their width."""
    wide = {}
    for path in paths:
        head = page.request.get(path, max_redirects=0)
        if head.status != 200 or not head.headers.get("content-type", "").startswith("text/html"):
            continue  # data, downloads, redirects to sign in, pages of another role
        page.goto(path)
        if page.locator(".folium-map").count():
            show_map(page)
        width, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width > screen:
            wide[path] = width
    return wide


@pytest.mark.parametrize("viewport", [*PHONES, LAPTOP], ids=["360", "390", "1366"])
@pytest.mark.parametrize("role", ["public", "ts_admin"])
def test_no_page_of_the_url_map_scrolls_sideways(new_context, live_server, viewport, role):
    page = new_context(viewport=viewport).new_page()
    if role != "public":
        sign_in(page, role)
    paths = _paths(live_server.app)
    assert len(paths) > 40
    assert _too_wide(page, paths) == {}


@pytest.mark.parametrize("viewport", PHONES, ids=["360", "390"])
def test_the_header_folds_into_a_menu_that_opens_with_the_keyboard(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    sign_in(page, "ts_admin")
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] < 70  # one line: the brand and the menu button
    directory = page.locator(".site-header .main-nav a", has_text="Directory")
    assert not directory.is_visible()
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the menu
    assert page.evaluate("document.activeElement.matches('.site-menu > summary')")
    page.keyboard.press("Enter")
    assert page.locator(".site-menu[open]").count() == 1
    assert directory.is_visible() and page.locator(".site-header button", has_text="Sign out").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Directory"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/organisations")
    assert page.locator(".site-menu[open]").count() == 0  # the next page starts folded
    page.locator(".site-menu > summary").focus()
    page.keyboard.press("Space")
    assert directory.is_visible()
    page.keyboard.press("Space")
    assert not directory.is_visible()


def test_on_a_laptop_the_menu_is_always_open(new_context):
    page = new_context(viewport=LAPTOP).new_page()
    page.goto("/")
    assert not page.locator(".site-menu > summary").is_visible()
    assert page.locator(".site-header .main-nav a", has_text="Directory").is_visible()
    assert page.locator(".site-header .account a", has_text="Sign in").is_visible()


@pytest.mark.parametrize("path", ["/map", "/map?q=casa&service=shelter"])
def test_the_map_is_in_the_first_screen_of_a_phone_and_its_legend_folds(new_context, path):
    phone = {"width": 390, "height": 844}
    page = new_context(viewport=phone).new_page()
    page.goto(path)
    page.wait_for_selector(READY)  # in the first screen, the map loads without scrolling
    top = page.locator(".map-frame").bounding_box()["y"]
    assert top + 300 < phone["height"]  # at least 300 px of map in the first screen
    legend = page.locator(".map-legend")
    legend.locator("summary").wait_for()
    assert legend.get_attribute("open") is None and not page.locator(".map-legend-row").first.is_visible()
    legend.locator("summary").click()
    assert page.locator(".map-legend-row").first.is_visible()
    assert not page.locator("#q").is_visible()
    page.click("#map-filters-toggle")
    assert page.locator("#q").is_visible()
    laptop = new_context(viewport=LAPTOP).new_page()
    laptop.goto(path)
    laptop.wait_for_selector(READY)
    assert laptop.locator(".map-frame").bounding_box()["y"] < 900 / 2
    assert laptop.locator(".map-legend").get_attribute("open") is not None
