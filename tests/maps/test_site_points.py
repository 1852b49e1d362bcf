"""The maps' organisations layer as rows (maps.site_points): the same sites, positions and exactness as
the GeoJSON layer for every kind of reader, each site's details on demand, nothing of a draft."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Status
from tests.conftest import login_as


def _layer(client, query: str = "") -> dict[int, tuple]:
    features = client.get(f"/maps/organisations.geojson{query}").get_json()["features"]
    return {
        f["id"]: (
            round(f["geometry"]["coordinates"][0], 5),
            round(f["geometry"]["coordinates"][1], 5),
            f["properties"]["exact"],
        )
        for f in features
    }


def _rows(client, query: str = "") -> dict[int, tuple]:
    points = client.get(f"/maps/organisation-points.json{query}").get_json()["points"]
    return {site: (round(lon, 5), round(lat, 5), bool(exact)) for lon, lat, exact, site in points}


def test_rows_carry_the_same_sites_and_positions_as_the_geojson_layer_for_every_reader(app):
    public = app.test_client()
    ts = login_as(app.test_client(), "ts_admin")
    for client in (public, ts):
        for query in ("", "?service=shelter", "?district=GT-US-HOUSTON"):
            rows = _rows(client, query)
            assert rows and rows == _layer(client, query), query
    assert any(not exact for *_, exact in _rows(public).values())  # hidden sites are approximate for the public
    assert _rows(ts) != _rows(public)  # ... and exact for the TS


def test_a_sites_details_are_those_of_the_layer_and_a_drafts_are_refused(app):
    client = app.test_client()
    feature = client.get("/maps/organisations.geojson").get_json()["features"][0]
    details = client.get(f"/maps/sites/{feature['id']}.json")
    assert details.status_code == 200 and details.get_json()["features"] == [feature]
    with app.app_context():
        draft_site = db.session.scalar(
            select(Location.id)
            .join(Organisation, Organisation.id == Location.organisation_id)
            .where(Organisation.status == Status.DRAFT)
            .limit(1)
        )
    assert draft_site is not None
    assert client.get(f"/maps/sites/{draft_site}.json").status_code == 404
    assert client.get("/maps/sites/999999999.json").status_code == 404


def test_bad_filters_are_refused_as_in_the_geojson_layer(app):
    client = app.test_client()
    for query in ("?service=no_such_service", "?q=%00"):
        assert client.get(f"/maps/organisations.geojson{query}").status_code == 400
        assert client.get(f"/maps/organisation-points.json{query}").status_code == 400
