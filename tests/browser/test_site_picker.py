"""The site picker of the edit form in a real browser (mode `picker` of the map module): one map, in the
slot of the site being placed; the other sites offer a button that brings it to them; a click on the map
sets the position of that site only, and typing a position moves the marker there."""

from __future__ import annotations

import re

from tests.browser.conftest import sign_in
from tests.browser.test_review import an_mx_organisation

MARKER = """() => {
    const container = document.querySelector('.site-picker .folium-map');
    const map = window[container.id];
    let found = null;
    // the site's marker, not the base map's place names (markers with a map-place-icon label)
    const isPlaceName = (layer) => (layer.options.icon && layer.options.icon.options.className) === 'map-place-icon';
    map.eachLayer((layer) => { if (layer instanceof L.Marker && !isPlaceName(layer)) found = layer.getLatLng(); });
    return found && [found.lat, found.lng];
}"""


def test_one_map_moves_to_the_site_being_placed(page, live_server, assert_no_external_requests):
    uuid = an_mx_organisation(live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "country_contact", "MX")
    page.goto(f"/organisations/{uuid}/edit?lang=en")
    page.wait_for_selector(".site-picker .folium-map[data-ready='1']")
    slots = page.locator(".site-row .site-picker")
    blank = slots.count() - 1  # the last row is the blank one
    assert blank >= 1 and page.locator(".folium-map").count() == 1
    first, last = slots.nth(0), slots.nth(blank)
    assert first.locator(".folium-map").count() == 1 and not first.locator("button").is_visible()
    place = last.locator("button")
    assert place.inner_text() == "Place this site on the map"
    lat0, lon0 = page.input_value("#locations-0-lat"), page.input_value("#locations-0-lon")
    assert page.evaluate(MARKER) == [float(lat0), float(lon0)]  # the first site's marker

    place.click()
    assert last.locator(".folium-map").count() == 1 and first.locator("button").is_visible()
    assert page.evaluate(MARKER) is None  # the blank site has no position yet
    last.click(position={"x": 200, "y": 100})
    lat, lon = page.input_value(f"#locations-{blank}-lat"), page.input_value(f"#locations-{blank}-lon")
    assert re.fullmatch(r"-?\d+\.\d{6}", lat) and re.fullmatch(r"-?\d+\.\d{6}", lon)
    assert page.evaluate(MARKER) == [float(lat), float(lon)]
    assert page.input_value("#locations-0-lat") == lat0  # the other site is untouched

    page.fill(f"#locations-{blank}-lat", "19.432600")
    page.fill(f"#locations-{blank}-lon", "-99.133200")
    page.locator(f"#locations-{blank}-lon").dispatch_event("change")
    assert page.evaluate(MARKER) == [19.4326, -99.1332]
    first.locator("button").click()
    assert first.locator(".folium-map").count() == 1
    assert page.evaluate(MARKER) == [float(lat0), float(lon0)]
    assert errors == []
    assert_no_external_requests()
