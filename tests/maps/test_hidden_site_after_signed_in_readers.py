"""A hidden site's exact point, fetched first by the readers allowed to see it (a country contact of its
country, a consular user, the TS), never reaches the public afterwards, nor a contact of another country:
not through a cached map layer, the OGC and JSON APIs, HSDS, the organisation's page or an export. Layers,
OGC pages and public pages are cached per kind of reader (accounts.access.viewer_key, the page cache): a
reader put in the wrong kind would hand its exact points to the next one."""

from __future__ import annotations

import re
from collections import OrderedDict

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.maps import cache
from directory_app.organisations.models import Location, Organisation, Status
from tests.conftest import login_as

NUMBER = re.compile(r"-?\d{1,3}\.\d{3,}")


def shows(body: str, lon: float, lat: float) -> bool:
    """True when the body holds the point as two neighbouring numbers (lon, lat or lat, lon), to 1e-4°."""
    numbers = [float(n) for n in NUMBER.findall(body)]
    near = [(abs(a - lon) < 1e-4 and abs(b - lat) < 1e-4) for a, b in zip(numbers, numbers[1:])]
    near += [(abs(a - lat) < 1e-4 and abs(b - lon) < 1e-4) for a, b in zip(numbers, numbers[1:])]
    return any(near)


def hidden_site(app):
    """A published Mexican or Guatemalan organisation that hides its location, with a site shown elsewhere."""
    with app.app_context():
        return db.session.execute(
            select(Organisation.uuid, Organisation.country_code, Location.id, Location.lon, Location.lat)
            .join(Location, Location.organisation_id == Organisation.id)
            .where(
                Organisation.hide_exact_location.is_(True),
                Organisation.status == Status.PUBLISHED,
                Organisation.country_code.in_(["MX", "GT"]),
                Location.lon != Location.public_lon,
            )
            .order_by(Organisation.id)
            .limit(1)
        ).one()


def surfaces(site) -> dict[str, str]:
    uuid = site.uuid
    return {
        "map layer": "/maps/organisations.geojson",
        "map points": "/maps/organisation-points.json",
        "map site": f"/maps/sites/{site.id}.json",
        "OGC items": "/ogc/collections/organisations/items?limit=1000",
        "JSON API": f"/api/v1/organisations/{uuid}",
        "HSDS": f"/hsds/organizations/{uuid}",
        "page": f"/organisations/{uuid}",
        "GeoJSON export": "/transfer/export?format=geojson",
        "CSV export": "/transfer/export?format=csv",
        # from a point 5 km off the site (the answer repeats the point searched from)
        "nearest": f"/api/v1/nearest?lon={site.lon + 0.05}&lat={site.lat}&k=5",
    }


def fetch(client, url: str) -> str:
    response = client.get(url)
    try:
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)
    finally:
        response.close()


@pytest.mark.parametrize("first", ["own contact", "consular", "ts"])
def test_readers_who_see_the_exact_point_first_leave_nothing_for_the_public(app, first, monkeypatch):
    monkeypatch.setattr(cache, "_entries", OrderedDict())  # the layers start unbuilt: the first reader builds them
    site = hidden_site(app)
    other = "GT" if site.country_code == "MX" else "MX"
    allowed = {
        "own contact": login_as(app.test_client(), "country_contact", site.country_code),
        "consular": login_as(app.test_client(), "consular"),
        "ts": login_as(app.test_client(), "ts_admin"),
    }[first]
    refused = {"public": app.test_client(), "other contact": login_as(app.test_client(), "country_contact", other)}
    for surface, url in surfaces(site).items():
        seen = shows(fetch(allowed, url), site.lon, site.lat)
        # The nearest search gives exact points to consular users and the TS only (contacts search the public ones).
        assert seen is (surface != "nearest" or first != "own contact"), (first, surface)
        for who, client in refused.items():
            assert not shows(fetch(client, url), site.lon, site.lat), (who, surface, "after", first)
