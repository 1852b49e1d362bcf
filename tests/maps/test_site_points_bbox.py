"""`bbox` on the maps' organisations layers (issue 21): the sites whose position shown to the reader lies in
the box (organisations.site_boxes, as /ogc), equal to the whole layer cut to the box in Python for every
kind of reader and with the directory's filters; a hidden site is never found by its exact point by the
public; the box is part of the ETag; a bad box is a 400 naming `bbox`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.maps import cache
from directory_app.organisations.models import Location, Organisation, Status
from tests.conftest import login_as

POINTS = "/maps/organisation-points.json"
GEOJSON = "/maps/organisations.geojson"
BOXES = [
    (-125.0, 5.0, -60.0, 50.0),
    (-118.0, 14.0, -86.0, 33.0),
    (-92.5, 13.5, -88.0, 18.0),
    (-96.0, 28.0, -94.0, 31.0),  # around Houston
    (-100.0, 10.0, -99.0, 11.0),  # the sea: nothing
]


def _rows(client, query: str = "") -> dict[int, tuple]:
    answer = client.get(f"{POINTS}?{query}")
    assert answer.status_code == 200
    return {site: (lon, lat, bool(exact)) for lon, lat, exact, site in answer.get_json()["points"]}


def _layer(client, query: str = "") -> dict[int, tuple]:
    answer = client.get(f"{GEOJSON}?{query}")
    assert answer.status_code == 200
    return {
        f["id"]: (*(round(c, 5) for c in f["geometry"]["coordinates"]), f["properties"]["exact"])
        for f in answer.get_json()["features"]
    }


def _cut(layer: dict[int, tuple], box) -> dict[int, tuple]:
    west, south, east, north = box
    return {site: row for site, row in layer.items() if west <= row[0] <= east and south <= row[1] <= north}


def _bbox(box) -> str:
    return "bbox=" + ",".join(map(str, box))


@pytest.mark.parametrize("role", ["public", "ts_admin", "country_contact"])
def test_a_box_cuts_the_layer_as_a_brute_force_does(app, role):
    """The rows hold positions at 5 decimals: the boxes' edges are far from any site (the
    brute force over the unrounded positions is the API test's; here the layer is the reference)."""
    reader = login_as(app.test_client(), role)
    for filters in ("", "service=shelter&", "district=GT-US-HOUSTON&"):
        whole = _rows(reader, filters)
        geojson = _layer(reader, filters)
        for box in BOXES:
            cut = _rows(reader, filters + _bbox(box))
            assert cut == _cut(whole, box), (filters, box)
            assert _layer(reader, filters + _bbox(box)) == _cut(geojson, box) == cut
    assert _cut(whole, BOXES[0])  # something was found


def test_a_hidden_site_is_not_found_by_its_exact_point_by_the_public(app):
    with app.app_context():
        hidden = db.session.execute(
            select(Location.id, Location.lon, Location.lat, Location.public_lon, Location.public_lat)
            .join(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(True))
        ).all()
    far = [s for s in hidden if abs(s.lon - s.public_lon) + abs(s.lat - s.public_lat) > 0.05]
    assert far
    public, ts = app.test_client(), login_as(app.test_client(), "ts_admin")
    for site in far[:4]:
        around_exact = (site.lon - 0.001, site.lat - 0.001, site.lon + 0.001, site.lat + 0.001)
        assert site.id not in _rows(public, _bbox(around_exact))
        assert site.id not in _layer(public, _bbox(around_exact))
        assert site.id in _rows(ts, _bbox(around_exact))
        lon, lat = site.public_lon, site.public_lat
        around_public = (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
        assert _rows(public, _bbox(around_public))[site.id] == (round(lon, 5), round(lat, 5), False)


def test_the_box_is_part_of_the_etag_and_its_body_is_not_kept(app):
    client = app.test_client()
    whole = client.get(POINTS)
    first = client.get(f"{POINTS}?{_bbox(BOXES[1])}")
    other = client.get(f"{POINTS}?{_bbox(BOXES[2])}")
    etags = {whole.headers["ETag"], first.headers["ETag"], other.headers["ETag"]}
    assert len(etags) == 3
    again = client.get(f"{POINTS}?{_bbox(BOXES[1])}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert (
        client.get(f"{POINTS}?{_bbox(BOXES[2])}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    )
    kept = {etag.strip('"') for etag in etags} & set(cache._entries)
    assert kept == {whole.headers["ETag"].strip('"')}  # boxes are answered, not kept
    ts = login_as(app.test_client(), "ts_admin").get(f"{POINTS}?{_bbox(BOXES[1])}")
    assert ts.headers["ETag"] != first.headers["ETag"] and ts.headers["Cache-Control"].startswith("private")


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "-100,30,-90,20", "-200,20,-90,30", "10,20,-10,30", "nan,1,2,3"])
@pytest.mark.parametrize("layer", [POINTS, GEOJSON])
def test_a_bad_bbox_is_a_400_naming_it(client, layer, bbox):
    answer = client.get(layer, query_string={"bbox": bbox}, headers={"Accept": "application/json"})
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["parameter"] == "bbox" and ("'bbox'" in body["error"] or "antimeridian" in body["error"])
    page = client.get(layer, query_string={"bbox": bbox})
    assert page.status_code == 400 and (b"bbox" in page.data or b"antimeridian" in page.data)
