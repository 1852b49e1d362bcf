"""The maps in a real browser: markers appear, a click opens a popup that draws the coverage and
leads to the organisation page, the choropleth legend follows the chosen service, entry text never
runs as script, and nothing is fetched from outside 127.0.0.1."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Status
from tests.browser.conftest import show_map

XSS_NAME = 'Refugio <img src=x onerror="window.__xss=1"> `${window.__xss=2}` </script><script>window.__xss=3</script>'


def _published_with_one_site(app) -> Organisation:
    with app.app_context():
        return db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(False))
            .where(Organisation.locations.any())
            .where(~select(Location.id).where(Location.organisation_id == Organisation.id).offset(1).exists())
            .order_by(Organisation.id)
        ).first()


def _first_marker(page) -> tuple[float, float]:
    """Where, on the page, the map draws its first single (unclustered) marker."""
    return page.evaluate(
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


def test_public_map_shows_markers_and_leads_to_an_organisation(
    page, live_server, assert_no_external_requests, screenshot
):
    page.goto("/map")
    show_map(page)
    assert int(page.get_attribute(".folium-map", "data-markers")) > 100
    assert page.locator(".map-legend summary").inner_text().startswith("Organisations per district")
    assert page.locator(".leaflet-control-layers").count() == 1
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen, .fullscreen-icon").count() >= 1
    assert page.locator(".leaflet-control-locate").count() == 1
    screenshot("public-map")

    organisation = _published_with_one_site(live_server.app)
    page.goto(f"/map?q={organisation.name}")
    show_map(page)
    page.wait_for_timeout(400)  # the fit-to-markers animation
    x, y = _first_marker(page)
    page.mouse.move(x, y)  # its name, fetched when first hovered (/maps/sites/<id>.json)
    assert page.locator(".leaflet-tooltip").inner_text() == organisation.name
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert organisation.name in popup.inner_text()
    page.wait_for_selector(".folium-map[data-coverage-features]")
    assert int(page.get_attribute(".folium-map", "data-coverage-features")) >= 1
    with page.expect_navigation():
        popup.locator("a").first.click()
    assert page.locator("h1").inner_text().strip().startswith(organisation.name)
    assert_no_external_requests()


MAP_ZOOM = "() => window[document.querySelector('.folium-map').id].getZoom()"


def test_site_clusters_never_overlap_on_a_phone_and_open_with_the_keyboard(new_context, assert_no_external_requests):
    """Clusters are 40 px buttons that never cover each other nor lie under the map's controls (each
    keeps a target a finger can hit, WCAG 2.5.8), and Enter on one zooms to where it splits."""
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto("/map")
    show_map(page)
    page.wait_for_selector(".site-cluster")
    # bring a cluster under the zoom buttons (top left): it is not drawn there
    page.evaluate(
        """() => {
            const map = window[document.querySelector('.folium-map').id];
            const frame = map.getContainer().getBoundingClientRect();
            const r = document.querySelector('.site-cluster').getBoundingClientRect();
            const x = r.left + r.width / 2 - frame.left - 25, y = r.top + r.height / 2 - frame.top - 25;
            map.panBy([x, y], {animate: false});
        }"""
    )
    # every cluster drawn and laid out (a slow machine may still be finishing a redraw): none may stay
    # without a box, which a finger could not press
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.site-cluster')).every(e => {
            const r = e.getBoundingClientRect();
            return r.width >= 24 && r.height >= 24;
        })"""
    )
    boxes = page.eval_on_selector_all(
        ".site-cluster",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })",
    )
    assert len(boxes) >= 2
    controls = page.eval_on_selector_all(
        ".leaflet-control",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })",
    )
    for i, (left, top, right, bottom) in enumerate(boxes):
        for other in controls:  # none lies under a control either, half hidden and hard to press
            assert right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top, (boxes[i], other)
        assert right - left >= 24 and bottom - top >= 24
        for other in boxes[i + 1 :]:
            assert right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top, (boxes[i], other)
    label = page.get_attribute(".site-cluster", "title")
    assert label and "zoom in" in label
    before = page.evaluate(MAP_ZOOM)
    page.focus(".site-cluster")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({MAP_ZOOM})() > {before}")
    assert_no_external_requests()


def test_choropleth_follows_the_chosen_service(page, assert_no_external_requests):
    page.goto("/map")
    show_map(page)
    page.click("#map-filters-toggle")  # the colour choice folds with the filters above the map
    page.select_option("#choropleth", "legal_assistance")
    page.wait_for_function(
        "() => document.querySelector('.folium-map').dataset.choropleth.includes('legal_assistance')"
    )
    assert "Legal assistance" in page.locator(".map-legend summary").inner_text()
    assert "choropleth=legal_assistance" in page.url
    assert page.locator(".map-legend-row").count() >= 2
    assert_no_external_requests()


DISTRICT_SHAPES = """() => {
    const map = window[document.querySelector('.folium-map').id];
    const shapes = [];
    map.eachLayer(layer => {
        const p = layer.feature && layer.feature.properties;
        if (p && p.provenance !== undefined && layer instanceof L.Polygon) {
            shapes.push([p.code, layer.options.fillColor]);
        }
    });
    return shapes;
}"""


def test_the_first_view_draws_light_layers_and_zooming_in_the_detailed_ones(page, request_log):
    """At the first zoom the base map and the districts come from their `detail=low` layers (a third of
    the vertices: drawing the detailed ones kept a phone's page busy for seconds); zoomed in, the
    detailed layers take their place, every district drawn once, in the same colour."""
    page.goto("/map")
    show_map(page)
    assert page.get_attribute(".folium-map", "data-districts-detail") == "low"
    assert page.get_attribute(".folium-map", "data-base-detail") == "low"
    fetched = [url for url in request_log if "/maps/districts.geojson" in url or "/maps/base.geojson" in url]
    assert fetched and all("detail=low" in url for url in fetched)
    first = page.evaluate(DISTRICT_SHAPES)
    assert len(first) == len({code for code, _colour in first}) > 150
    page.evaluate(
        "() => { window[document.querySelector('.folium-map').id].setView([29.76, -95.37], 7, {animate: false}); }"
    )
    page.wait_for_function(
        "() => { const d = document.querySelector('.folium-map').dataset;"
        " return d.districtsDetail === 'full' && d.baseDetail === 'full'; }"
    )
    assert [url for url in request_log if "/maps/districts.geojson" in url and "detail=low" not in url]
    zoomed = page.evaluate(DISTRICT_SHAPES)
    assert sorted(zoomed) == sorted(first)  # each district once, its colour kept
    assert int(page.get_attribute(".folium-map", "data-place-names")) > 0


def test_district_page_draws_its_boundary(page, assert_no_external_requests, screenshot):
    assert page.goto("/districts/MX-US-LOS-ANGELES").status == 200
    show_map(page)
    page.wait_for_selector(".folium-map[data-outline='1']")
    # The offline boundaries credit their sources (ODbL asks for "© OpenStreetMap contributors").
    attribution = page.locator(".leaflet-control-attribution")
    attribution.filter(has_text="OpenStreetMap contributors").wait_for()
    assert "Natural Earth" in attribution.inner_text()
    screenshot("district-page")
    assert_no_external_requests()


def test_a_map_below_the_list_loads_only_when_the_reader_scrolls_to_it(new_context, request_log):
    """On a phone the district's map lies under its referral list: the page shows the list without
    fetching Leaflet, and the map is drawn once the reader scrolls down to it."""
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto("/districts/MX-US-LOS-ANGELES")
    page.wait_for_load_state("networkidle")
    assert page.locator(".map-frame").bounding_box()["y"] > 844  # below the first screen
    assert not [url for url in request_log if "leaflet.js" in url]
    assert page.locator(".folium-map.leaflet-container").count() == 0
    show_map(page)
    assert [url for url in request_log if url.endswith("/vendor/leaflet/leaflet.js")]
    assert page.locator(".folium-map.leaflet-container").count() == 1


def test_entry_text_never_runs_as_script(page, live_server, assert_no_external_requests):
    organisation = _published_with_one_site(live_server.app)
    with live_server.app.app_context():
        stored = db.session.get(Organisation, organisation.id)
        original = stored.name
        stored.name = XSS_NAME
        db.session.commit()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto("/map?q=onerror")
        show_map(page)
        page.wait_for_timeout(400)
        x, y = _first_marker(page)
        page.mouse.move(x, y)
        assert "onerror=" in page.locator(".leaflet-tooltip").inner_text()  # shown as text
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "onerror=" in popup.inner_text()  # shown as text
        page.goto(f"/organisations/{organisation.uuid}")
        show_map(page)
        page.hover(".folium-map")
        assert page.evaluate("() => window.__xss") is None
        assert XSS_NAME in page.locator("h1").inner_text()
        assert not dialogs
    finally:
        with live_server.app.app_context():
            db.session.get(Organisation, organisation.id).name = original
            db.session.commit()
    assert_no_external_requests()
