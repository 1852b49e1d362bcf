"""Accessibility of the public pages, checked by axe-core (WCAG 2.1 A and AA rules, colour contrast
included) in Chromium, on a desktop and on a phone-sized screen, plus keyboard reachability of the map
page's controls."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.browser.conftest import show_map

AXE = Path(__file__).resolve().parent / "vendor" / "axe" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def _pages(app) -> list[str]:
    with app.app_context():
        uuid = db.session.scalars(
            select(Organisation.uuid).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id)
        ).first()
    return [
        "/",
        "/find?q=houston",  # the home page offering the districts of Houston
        "/statistics",
        "/organisations",
        "/organisations?q=casa&service=shelter",
        f"/organisations/{uuid}",
        "/map",
        "/districts",
        "/districts/MX-US-LOS-ANGELES",
        "/districts/GT-US-HOUSTON?service=shelter&service=legal_assistance",  # with its print and share tools
        "/nearest?consulate=MX-US-LOS-ANGELES",
        "/coverage",
        "/login",
    ]


def _violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/vendor_assets.py (scripts/test.sh does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const rules = {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']};
            const r = await axe.run(document, {runOnly: rules});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_public_pages_have_no_serious_accessibility_violations(new_context, live_server, viewport):
    context = new_context(bypass_csp=True, **({"viewport": viewport} if viewport else {}))
    page = context.new_page()
    problems = {}
    for url in _pages(live_server.app):
        response = page.goto(url)
        assert response.status == 200, url
        if page.locator(".folium-map").count():
            show_map(page)
        found = _violations(page)
        if found:
            problems[url] = found
    assert not problems, problems


def test_pages_fit_a_phone_screen(new_context, live_server):
    page = new_context(viewport=PHONE).new_page()
    for url in _pages(live_server.app):
        page.goto(url)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{url} is {overflow}px wider than a phone screen"


def test_the_map_page_is_usable_with_the_keyboard(page):
    page.goto("/map")
    show_map(page)
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.update(page.evaluate("() => [document.activeElement.id, String(document.activeElement.className)]"))
        if page.evaluate("() => document.activeElement.id") == "map-filters-toggle":
            page.keyboard.press("Enter")  # the filters fold above the map: Enter opens them
    assert "q" in reached and "choropleth" in reached  # the filters and the colour choice
    assert any("leaflet-container" in r for r in reached)  # the map itself (arrow keys pan, +/- zoom)
    assert any("leaflet-control-zoom-in" in r for r in reached)
