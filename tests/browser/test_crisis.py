"""The crisis report in Chromium: a consular officer on a 390x844 phone draws an area around Tapachula on
the start page's map, sees the report (the three Tapachula districts, the map with the area, districts and
sites, no sideways scrolling), prints it (print emulation: no map or buttons, a few pages) and saves it;
the saved crisis's PDF sheet downloads; a member of the public gives a point and a radius on a desktop
screen. Every request stays on 127.0.0.1."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _violations as violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TAPACHULA_DISTRICTS = {"GT-MX-TAPACHULA", "SV-MX-TAPACHULA", "HN-MX-TAPACHULA"}


def no_sideways_scroll(page) -> None:
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"the page scrolls sideways: {width} px wide in a {client} px window"


def district_codes(page) -> set[str]:
    return set(page.eval_on_selector_all("#district-table tbody tr", "rows => rows.map(r => r.dataset.code)"))


def draw_around_tapachula(page) -> None:
    """Centre the drawing map on Tapachula, then draw a square with the mouse (Leaflet.draw)."""
    page.wait_for_selector(".map-crisis-draw .folium-map[data-editor=ready]")
    page.locator(".map-crisis-draw .folium-map").scroll_into_view_if_needed()
    corners = page.evaluate(
        """() => {
            const container = document.querySelector('.map-crisis-draw .folium-map');
            const map = window[container.id];
            map.setView([14.91, -92.26], 9, {animate: false});
            const box = container.getBoundingClientRect();
            return [[0.3, 0.3], [0.7, 0.3], [0.7, 0.7], [0.3, 0.7]].map(([fx, fy]) =>
                ({x: box.left + box.width * fx, y: box.top + box.height * fy}));
        }"""
    )
    page.click(".leaflet-draw-draw-polygon")
    for corner in corners + corners[:1]:  # the first corner again closes the area
        page.mouse.click(corner["x"], corner["y"])
        page.wait_for_timeout(150)
    page.wait_for_function("() => document.querySelector('.map-crisis-draw .folium-map').dataset.drawnAreas === '1'")


def test_an_officer_draws_an_area_sees_prints_and_saves_the_report(new_context, assert_no_external_requests):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=False)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "consular")
    page.goto("/crisis/")
    assert page.locator("#way-draw").is_visible() and not page.locator("#way-circle").is_visible()
    draw_around_tapachula(page)
    with page.expect_navigation():
        page.click(".crisis-submit button")
    assert page.url.endswith("/crisis/report")
    assert TAPACHULA_DISTRICTS <= district_codes(page)
    page.wait_for_selector(".map-crisis-report .folium-map[data-crisis=ready]")
    shown = page.get_attribute(".map-crisis-report .folium-map", "data-crisis-districts")
    assert int(shown) >= 3
    no_sideways_scroll(page)

    # The Print button opens the print dialog; on paper: no map and no buttons, a few pages.
    button = page.locator("button.print-button")
    assert button.is_visible()
    page.evaluate("window.print = () => { window.printAsked = true; }")
    button.click()
    assert page.evaluate("window.printAsked") is True
    page.emulate_media(media="print")
    assert not page.locator(".crisis-map").is_visible() and not page.locator(".crisis-actions").is_visible()
    pages = PdfReader(io.BytesIO(page.pdf(format="A4"))).pages
    assert 1 <= len(pages) <= 6
    text = " ".join(p.extract_text() for p in pages)
    assert "Tapachula" in text
    page.emulate_media(media="screen")

    # Saved, it has an address of its own, a live link with a QR code on paper, and a PDF sheet.
    page.locator(".crisis-save summary").click()
    page.fill("#save-name", "Sismo en Tapachula <prueba>")
    page.select_option("#save-kind", "earthquake")
    with page.expect_navigation():
        page.click(".crisis-save button[name=save]")
    assert re.search(r"/crisis/[0-9a-f-]{36}$", page.url)
    assert page.locator("h1").inner_text() == "Sismo en Tapachula <prueba>"
    assert TAPACHULA_DISTRICTS <= district_codes(page)
    assert page.locator(".print-head svg.qr-code").count() == 1
    pdf_href = page.get_attribute("a.pdf-link", "href")
    response = page.request.get(pdf_href)
    if response.status != 503:  # 503: WeasyPrint has no Pango here
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        sheet = PdfReader(io.BytesIO(response.body()))
        assert 1 <= len(sheet.pages) <= 6
        assert "Sismo en Tapachula" in " ".join(p.extract_text() for p in sheet.pages)
    assert not errors, errors
    assert_no_external_requests()


def test_the_public_gives_a_point_and_a_radius(new_context, assert_no_external_requests, screenshot):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto("/crisis/")
    page.check("#how-circle")
    assert page.locator("#way-circle").is_visible() and not page.locator("#way-draw").is_visible()
    page.fill("#circle_lat", "14.91")
    page.fill("#circle_lon", "-92.26")
    page.fill("#radius_km", "25")
    with page.expect_navigation():
        page.click(".crisis-submit button")
    assert TAPACHULA_DISTRICTS <= district_codes(page)
    assert page.get_attribute("#crisis-report", "data-exact") == "no"
    assert page.locator(".crisis-save").count() == 0  # the public saves nothing
    page.wait_for_selector(".map-crisis-report .folium-map[data-crisis=ready]")
    page.locator(".crisis-map").scroll_into_view_if_needed()
    screenshot("crisis-report", page)
    assert_no_external_requests()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_crisis_pages_have_no_serious_accessibility_violations(new_context, viewport):
    page = new_context(bypass_csp=True, viewport=viewport).new_page()
    sign_in(page, "consular")  # the start page with its save form and saved crises, the report with its save form
    page.goto("/crisis/")
    page.wait_for_selector(".map-crisis-draw .folium-map[data-editor=ready]")
    problems = {"start": violations(page)}
    page.check("#how-circle")
    page.fill("#circle_lat", "14.91")
    page.fill("#circle_lon", "-92.26")
    page.fill("#radius_km", "25")
    with page.expect_navigation():
        page.click(".crisis-submit button")
    page.wait_for_selector(".map-crisis-report .folium-map[data-crisis=ready]")
    problems["report"] = violations(page)
    assert not any(problems.values()), problems
