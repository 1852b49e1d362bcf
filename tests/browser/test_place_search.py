"""Place search and contacts that act, in Chromium on a phone (390x844): suggestions while typing with
the keyboard (a WAI-ARIA combobox), a map click titled by its place, and a map popup with the phone
and last verified date of an organisation."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Phone, Status
from tests.browser.conftest import show_map

PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).resolve().parent / "vendor" / "axe" / "axe.min.js"


def test_place_suggestions_with_the_keyboard(new_context, assert_no_external_requests):
    page = new_context(viewport=PHONE).new_page()
    page.goto("/nearest?lang=en")
    field = page.locator("#place")
    field.wait_for()
    page.wait_for_function("() => document.querySelector('#place').dataset.combobox === 'ready'")
    assert field.get_attribute("role") == "combobox"
    assert field.get_attribute("aria-expanded") == "false"
    assert field.get_attribute("aria-controls") == "place-options"
    field.click()
    page.keyboard.type("tapach")
    options = page.locator("#place-options [role=option]")
    options.first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    assert options.first.locator(".place-name").inner_text() == "Tapachula"
    assert options.first.locator(".place-detail").inner_text() == "Chiapas, Mexico"
    status = page.locator("#place-status")
    assert re.fullmatch(r"\d+ places? found\. Use the up and down arrows to choose\.", status.inner_text())
    assert field.get_attribute("aria-activedescendant") is None
    page.keyboard.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == "place-options-0"
    assert options.first.get_attribute("aria-selected") == "true"

    assert page.evaluate("() => document.activeElement.id") == "place"  # focus stays in the field
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h2", has_text="Nearest to").inner_text() == "Nearest to Tapachula, Chiapas, Mexico"
    assert "lat=14.9" in page.url and "lon=-92.2" in page.url
    assert page.locator("table.results tbody tr").count() >= 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    # Escape closes the list, a second Escape empties the field; the list wraps with the arrows
    field = page.locator("#place")
    field.fill("")
    field.click()
    page.keyboard.type("san jo")
    options.first.wait_for()
    page.keyboard.press("ArrowUp")
    last = options.count() - 1
    assert field.get_attribute("aria-activedescendant") == f"place-options-{last}"
    page.keyboard.press("Escape")
    assert page.locator("#place-options").is_hidden()
    assert field.get_attribute("aria-expanded") == "false"
    assert field.get_attribute("aria-activedescendant") is None
    page.keyboard.press("Escape")
    assert field.input_value() == ""
    assert_no_external_requests()


def test_the_open_combobox_passes_axe(new_context):
    """The open list, an option active: axe-core's WCAG 2.1 A/AA rules (ARIA roles and states, names,
    contrast of the active option). CSP bypassed only to inject axe."""
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    page.goto("/nearest?lang=en")
    page.wait_for_function("() => document.querySelector('#place').dataset.combobox === 'ready'")
    page.click("#place")
    page.keyboard.type("san")
    page.locator("#place-options [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const rules = {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']};
            const r = await axe.run('.nearest-forms', {runOnly: rules});
            return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    assert violations == []


def test_the_place_field_is_a_plain_form_without_javascript(new_context):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto("/nearest?lang=en")
    page.fill("#place", "tapachula chiapas")
    with page.expect_navigation():
        page.press("#place", "Enter")
    assert page.locator("h2", has_text="Nearest to").inner_text() == "Nearest to Tapachula, Chiapas, Mexico"


def test_a_map_click_is_titled_by_its_place(new_context, assert_no_external_requests):
    page = new_context(viewport=PHONE).new_page()
    page.goto("/nearest?place=Tapachula&lang=en")
    show_map(page)
    box = page.locator(".folium-map").bounding_box()
    with page.expect_navigation():
        # the search point is drawn at the centre of the fitted view: click beside it
        page.mouse.click(box["x"] + box["width"] / 2 + 25, box["y"] + box["height"] / 2 + 25)
    assert "lat=" in page.url and "label=" not in page.url
    title = page.locator("h2", has_text="Nearest to").inner_text()
    assert not re.search(r"-?\d+\.\d{4}, -?\d+\.\d{4}", title)  # no raw coordinates
    assert title.endswith(", Mexico") or title.endswith(", Guatemala") or " km from " in title
    assert_no_external_requests()


def test_a_map_popup_shows_the_phone_and_last_verified_date(new_context, live_server, assert_no_external_requests):
    with live_server.app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(False))
            .where(Organisation.phones.any(Phone.contact_id.is_(None)))
            .where(~select(Location.id).where(Location.organisation_id == Organisation.id).offset(1).exists())
            .order_by(Organisation.id)
        ).first()
        name, own = org.name, next(p for p in org.phones if p.contact_id is None)
        number, verified = own.number, org.last_verified
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"/map?q={name}&lang=en")
    show_map(page)
    page.wait_for_timeout(400)  # the fit-to-markers animation
    x, y = page.evaluate(
        """() => {
            const container = document.querySelector('.folium-map');
            const map = window[container.id];
            let point = null;
            map.eachLayer(layer => {
                if (!point && layer instanceof L.CircleMarker && layer.siteId && map.hasLayer(layer)) {
                    point = map.latLngToContainerPoint(layer.getLatLng());
                }
            });
            const box = container.getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }"""
    )
    page.mouse.click(x, y)  # its details come from /maps/sites/<id>.json when first opened
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    phone = popup.locator(".org-popup-phone")
    assert phone.inner_text().startswith("Phone: ")
    link = phone.locator("a.tel-link")
    assert link.inner_text() == number.strip()
    assert link.get_attribute("href") == "tel:+" + re.sub(r"\D", "", number)
    verified_line = popup.locator(".org-popup-verified").inner_text()
    assert verified_line.startswith("Last verified: ")
    if verified:
        assert popup.locator(".org-popup-verified time").get_attribute("datetime") == verified.isoformat()
        assert str(verified.year) in verified_line
    else:
        assert verified_line == "Last verified: never"
    assert_no_external_requests()
