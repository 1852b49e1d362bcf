"""The coverage editor in a real browser: draw a polygon with the mouse, see the hidden field filled
and the list beside the map follow; save, and see the area on the organisation page.

The first tests use a stand-in page built from the real parts (tests/organisations/coverage_editor_page.py)
on a private copy of the SQLite world; the last one goes through the real edit page
(review's /organisations/<uuid>/edit/coverage) signed in as the Technical Secretariat."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from werkzeug.serving import make_server

from directory_app.extensions import db
from directory_app.organisations.models import CoverageKind, Location, Organisation, Status
from tests.browser.conftest import LOCAL_HOST, LiveServer, show_map, sign_in
from tests.conftest import make_app
from tests.organisations.coverage_editor_page import add_editor_page

EDITOR_READY = ".folium-map[data-editor='ready']"


@pytest.fixture(scope="module")
def editor_server(worlds, tmp_path_factory):
    """A copy of the SQLite world with the editor page at /test-editor/<uuid>, served on 127.0.0.1."""
    source = sa.make_url(worlds("sqlite")).database
    target = tmp_path_factory.mktemp("editor") / "directory.sqlite3"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    app = make_app(f"sqlite:///{target}")
    add_editor_page(app)
    server = make_server(LOCAL_HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="editor-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://{LOCAL_HOST}:{server.server_port}", app=app)
    server.shutdown()
    server.server_close()  # its listening socket, else left to the garbage collector (ResourceWarning)
    thread.join(timeout=10)


def _organisation_to_edit(app) -> tuple[str, int]:
    """A published organisation with an exact, public site: its drawn areas are public too."""
    with app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(False))
            .where(Organisation.locations.any())
            .where(~select(Location.id).where(Location.organisation_id == Organisation.id).offset(1).exists())
            .order_by(Organisation.id)
        ).first()
        polygons = sum(1 for p in org.coverage_parts if p.kind == CoverageKind.POLYGON)
        return org.uuid, polygons


def _map_points(page, fractions):
    """Viewport coordinates and lon/lat of points of the editor map, given as fractions of its box."""
    page.locator(".folium-map").scroll_into_view_if_needed()
    return page.evaluate(
        """(fractions) => {
            const container = document.querySelector('.folium-map');
            const map = window[container.id];
            const box = container.getBoundingClientRect();
            return fractions.map(([fx, fy]) => {
                const point = L.point(box.width * fx, box.height * fy);
                const latlng = map.containerPointToLatLng(point);
                return {x: box.left + point.x, y: box.top + point.y, lon: latlng.lng, lat: latlng.lat};
            });
        }""",
        fractions,
    )


def _draw_polygon(page, corners) -> None:
    page.click(".leaflet-draw-draw-polygon")
    for corner in corners:
        page.mouse.click(corner["x"], corner["y"])
        page.wait_for_timeout(150)
    page.mouse.click(corners[0]["x"], corners[0]["y"])  # the first corner again closes the area


def test_draw_a_polygon_save_it_and_see_it_on_the_organisation_page(
    editor_server, new_context, request_log, screenshot
):
    organisation_uuid, polygons_before = _organisation_to_edit(editor_server.app)
    page = new_context(base_url=editor_server.url).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/test-editor/{organisation_uuid}")
    page.wait_for_selector(EDITOR_READY)
    assert page.locator(".leaflet-draw-draw-polygon").count() == 1
    page.wait_for_selector(".folium-map[data-reference-features]")  # the rest of the coverage, for reference

    corners = _map_points(page, [(0.3, 0.3), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)])
    _draw_polygon(page, corners)
    page.wait_for_function(
        "(n) => document.querySelector('.folium-map').dataset.drawnAreas === String(n)", arg=polygons_before + 1
    )
    drawn = json.loads(page.input_value("#drawn"))
    assert len(drawn["features"]) == polygons_before + 1
    ring = drawn["features"][-1]["geometry"]["coordinates"][0]
    lons, lats = [c[0] for c in ring], [c[1] for c in ring]
    assert min(lons) == pytest.approx(corners[0]["lon"], abs=0.01)  # a pixel or two
    assert max(lons) == pytest.approx(corners[1]["lon"], abs=0.01)  # a pixel or two
    assert max(lats) == pytest.approx(corners[0]["lat"], abs=0.01)  # a pixel or two
    assert min(lats) == pytest.approx(corners[2]["lat"], abs=0.01)  # a pixel or two
    assert page.locator("#drawn-list li").count() == polygons_before + 1
    assert "km²" in page.locator("#drawn-list li").last.inner_text()
    name = page.locator("#drawn-list li input").last
    name.fill("Frontera <sur>")
    name.press("Tab")
    assert json.loads(page.input_value("#drawn"))["features"][-1]["properties"]["label"] == "Frontera <sur>"
    screenshot("coverage-editor", page)

    with page.expect_navigation():
        page.click("#save-coverage")
    assert f"/organisations/{organisation_uuid}" in page.url
    show_map(page)  # the organisation page's map loads when the reader scrolls to it
    page.wait_for_selector(".folium-map[data-coverage-features]")
    coverage = page.evaluate(
        "(url) => fetch(url).then(r => r.json())", f"/maps/organisations/{organisation_uuid}/coverage.geojson"
    )
    assert int(page.get_attribute(".folium-map", "data-coverage-features")) == len(coverage["features"])
    polygons = [f for f in coverage["features"] if f["properties"]["kind"] == "polygon"]
    assert len(polygons) == polygons_before + 1
    saved = [f for f in polygons if f["properties"]["label"] == "Frontera <sur>"]
    assert saved

    # Opened again, the saved areas travel back as references only, and saving keeps them.
    page.goto(f"/test-editor/{organisation_uuid}")
    page.wait_for_selector(EDITOR_READY)
    assert page.get_attribute(".folium-map", "data-drawn-areas") == str(polygons_before + 1)
    features = json.loads(page.input_value("#drawn"))["features"]
    assert all(f["geometry"] is None and f["properties"]["keep"] for f in features)
    with page.expect_navigation():
        page.click("#save-coverage")
    assert f"/organisations/{organisation_uuid}" in page.url
    with editor_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == organisation_uuid))
        assert sum(1 for p in org.coverage_parts if p.kind == CoverageKind.POLYGON) == polygons_before + 1
    assert not errors, errors
    assert all(url.startswith(editor_server.url) or url.startswith(("data:", "blob:", "about:")) for url in request_log)


def test_the_filter_box_narrows_the_list_and_the_choice_is_listed(editor_server, new_context):
    organisation_uuid, _polygons = _organisation_to_edit(editor_server.app)
    page = new_context(base_url=editor_server.url).new_page()
    page.goto(f"/test-editor/{organisation_uuid}")
    page.wait_for_selector(EDITOR_READY)
    page.fill("#units-filter", "chiapas")
    shown = (
        "() => [...document.querySelectorAll('#units-checklist li')]"
        ".filter(li => li.offsetParent !== null && li.querySelector(':scope > label > input'))"
        ".map(li => li.querySelector('input').value)"
    )
    visible = [v for v in page.evaluate(shown) if not page.is_checked(f"#units-checklist input[value='{v}']")]
    assert visible == ["unit:MX-CHP"]
    page.check("#units-checklist input[value='unit:MX-CHP']")
    assert "Chiapas" in page.locator("#units-chosen").inner_text()
    page.fill("#units-filter", "los angeles california")
    visible = page.evaluate(shown)
    assert "unit:US-06037" in visible and "unit:MX-CHP" in visible  # a ticked unit stays in sight


def test_on_the_edit_page_a_drawn_area_is_published_and_shown_on_the_organisation_page(
    page, live_server, assert_no_external_requests
):
    """The real page (organisations.edit_coverage) as the Technical Secretariat, whose changes publish at once."""
    organisation_uuid, polygons_before = _organisation_to_edit(live_server.app)
    sign_in(page, "ts_admin")
    page.goto(f"/organisations/{organisation_uuid}/edit/coverage")
    page.wait_for_selector(EDITOR_READY)
    corners = _map_points(page, [(0.35, 0.35), (0.55, 0.35), (0.45, 0.6)])
    _draw_polygon(page, corners)
    page.wait_for_function(
        "(n) => document.querySelector('.folium-map').dataset.drawnAreas === String(n)", arg=polygons_before + 1
    )
    name = page.locator("#drawn-list li input").last
    name.fill("Triángulo del sur")
    name.press("Tab")
    with page.expect_navigation():
        page.click("form.coverage-form button[type=submit]")
    assert page.url.endswith(f"/organisations/{organisation_uuid}")
    show_map(page)  # the organisation page's map loads when the reader scrolls to it
    page.wait_for_selector(".folium-map[data-coverage-features]")
    coverage = page.evaluate(
        "(url) => fetch(url).then(r => r.json())", f"/maps/organisations/{organisation_uuid}/coverage.geojson"
    )
    labels = [f["properties"]["label"] for f in coverage["features"] if f["properties"]["kind"] == "polygon"]
    assert "Triángulo del sur" in labels and len(labels) == polygons_before + 1
    assert int(page.get_attribute(".folium-map", "data-coverage-features")) == len(coverage["features"])
    assert_no_external_requests()
