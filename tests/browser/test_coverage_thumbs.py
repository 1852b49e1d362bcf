"""The country contact's coverage edit by checklist on a phone (issue 17 item 7), in Chromium at 390x844:
filter "chiapas", tick it, see it outlined on the map, send it for review; no sideways scroll, rows a
thumb can hit, axe-core finds no violation, no request leaves the app."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import CoverageKind, Organisation, Status
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE

PHONE = {"width": 390, "height": 844}
EDITOR_READY = ".folium-map[data-editor='ready']"


def _mexican_entry_without_chiapas(app) -> tuple[str, int]:
    with app.app_context():
        for org in db.session.scalars(
            select(Organisation)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .where(Organisation.locations.any())
            .order_by(Organisation.id)
        ):
            units = [p for p in org.coverage_parts if p.kind in (CoverageKind.ADMIN_UNIT, CoverageKind.COUNTRY)]
            if not any(p.admin_unit and p.admin_unit.code == "MX-CHP" for p in units):
                return org.uuid, len(units)
    pytest.fail("no Mexican entry without Chiapas")


def _all_violations(page) -> list[dict]:
    """Every axe-core violation of the WCAG 2.1 A and AA rules, whatever its impact."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const rules = {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']};
            const r = await axe.run(document, {runOnly: rules});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )


def test_a_contact_ticks_chiapas_on_a_phone_sees_it_on_the_map_and_sends_it(
    new_context, live_server, assert_no_external_requests
):
    uuid, ticked_before = _mexican_entry_without_chiapas(live_server.app)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "country_contact", "MX")
    page.goto(f"/organisations/{uuid}/edit/coverage")
    page.wait_for_selector(EDITOR_READY)
    page.wait_for_selector(f".folium-map[data-chosen-units='{ticked_before}']")

    page.fill("#units-filter", "chiapas")
    shown = page.evaluate(
        "() => [...document.querySelectorAll('#units-checklist li')]"
        ".filter(li => li.offsetParent !== null && li.querySelector(':scope > label > input'))"
        ".map(li => li.querySelector('input').value)"
    )
    assert "unit:MX-CHP" in shown and len(shown) <= ticked_before + 2  # Chiapas, and what is ticked already
    assert "Units found: 1" in page.inner_text("#units-filter-status")
    row = page.locator("#units-checklist label", has=page.locator("input[value='unit:MX-CHP']"))
    assert row.bounding_box()["height"] >= 24 and row.bounding_box()["width"] >= 24
    row.tap()
    assert page.is_checked("#units-checklist input[value='unit:MX-CHP']")
    page.wait_for_selector(f".folium-map[data-chosen-units='{ticked_before + 1}']")  # outlined on the map
    assert "Chiapas" in page.inner_text("#units-chosen")
    remove = page.locator("#units-chosen button[aria-label*='Chiapas']")
    assert remove.bounding_box()["height"] >= 24

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    assert _all_violations(page) == []

    page.fill("#comment", "Chiapas")
    with page.expect_navigation():
        page.click("form.coverage-form button[type=submit]")
    assert "/review/" in page.url
    assert not errors, errors
    assert_no_external_requests()
