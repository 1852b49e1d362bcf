"""The coverage editor in Chromium with a site whose name is a template payload (the attack that made
the page show the server's process id): the name is shown as typed, and the editor works.

Before the fix, folium wrote the editor's configuration (site names included) into the map script,
which branca runs as a Jinja template; the configuration now travels as a JSON data element."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Status
from tests.browser.conftest import sign_in

EDITOR_READY = ".folium-map[data-editor='ready']"
SITE_NAME = "pid {{ lipsum.__globals__.os.getpid() }} {{7*7}} {% raw %}x {{ \"a' }} <b>bold</b>"


@pytest.fixture
def poisoned_site(live_server):
    """The uuid of a published organisation with one site (the last by id: other browser tests use
    the first) whose site is named SITE_NAME while the test runs (the live server is shared)."""
    uuid, name = _rename_site(live_server.app, SITE_NAME)
    yield uuid
    _rename_site(live_server.app, name)


def _rename_site(app, new_name: str) -> tuple[str, str]:
    with app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(False))
            .where(Organisation.locations.any())
            .where(~select(Location.id).where(Location.organisation_id == Organisation.id).offset(1).exists())
            .order_by(Organisation.id.desc())
        ).first()
        old_name, org.locations[0].name = org.locations[0].name, new_name
        db.session.commit()
        return org.uuid, old_name


def test_a_site_named_with_a_template_payload_is_shown_as_typed_in_the_coverage_editor(
    page, poisoned_site, assert_no_external_requests
):
    uuid = poisoned_site
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "ts_admin")
    response = page.goto(f"/organisations/{uuid}/edit/coverage?lang=en")
    assert response.status == 200
    page.wait_for_selector(EDITOR_READY)
    assert page.locator(".leaflet-draw-draw-polygon").count() == 1  # the drawing toolbar is there

    # Hover the site's marker, as a person would, to read its label.
    page.locator(".folium-map").scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
            const container = document.querySelector('.folium-map');
            const map = window[container.id];
            let site = null;
            map.eachLayer((layer) => { if (layer.getTooltip && layer.getTooltip() && layer.getLatLng) site = layer; });
            const p = map.latLngToContainerPoint(site.getLatLng());
            const box = container.getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    tooltip = page.wait_for_selector(".leaflet-tooltip")
    assert tooltip.inner_text() == f"1. {SITE_NAME}"
    assert page.locator(".leaflet-tooltip b").count() == 0  # the tags are text, not markup

    body = page.content()
    assert f"pid {os.getpid()}" not in body and "__builtins__" not in body
    locate = page.locator(".leaflet-control-locate a")
    assert locate.get_attribute("title") == "Show my location"  # from the configuration, not from folium
    assert not errors, errors
    assert_no_external_requests()
