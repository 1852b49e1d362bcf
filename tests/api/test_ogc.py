"""OGC API - Features (/ogc/): landing page, conformance, collections, items with bbox, paging and
property filters, one item, JSON and HTML, hidden sites approximate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import Location, Organisation, Service, Status


def _rels(document: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in document["links"] if link["type"] != "text/html"}


def test_landing_conformance_collections(client):
    landing = client.get("/ogc/").get_json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= rels
    conforms = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms
    collections = client.get("/ogc/collections").get_json()["collections"]
    assert [c["id"] for c in collections] == ["organisations", "consulates", "districts"]
    for c in collections:
        assert len(c["extent"]["spatial"]["bbox"][0]) == 4
        assert client.get(f"/ogc/collections/{c['id']}").get_json()["id"] == c["id"]
    api = client.get("/ogc/api")
    assert api.mimetype == "application/vnd.oai.openapi+json" and api.get_json()["openapi"].startswith("3.0")


def test_items_are_paged_with_links(app, client):
    with app.app_context():
        sites = db.session.scalar(
            select(func.count(Location.id)).join(Organisation).where(Organisation.status == Status.PUBLISHED)
        )
    url, seen, pages = "/ogc/collections/organisations/items?limit=40", [], 0
    while url:
        page = client.get(url)
        assert page.mimetype == "application/geo+json"
        body = page.get_json()
        assert body["numberMatched"] == sites and body["numberReturned"] == len(body["features"])
        seen += [f["id"] for f in body["features"]]
        pages += 1
        if pages > 1:
            assert "prev" in _rels(body)
        url = _rels(body).get("next")
    assert len(seen) == len(set(seen)) == sites and pages == -(-sites // 40)
    beyond = client.get(f"/ogc/collections/organisations/items?offset={sites}").get_json()
    assert beyond["features"] == [] and "next" not in _rels(beyond)
    clamped = client.get("/ogc/collections/consulates/items?limit=5000").get_json()
    assert clamped["numberReturned"] == clamped["numberMatched"] <= 1000


def test_bbox_and_property_filters(app, client):
    bbox = (-100.0, 14.0, -86.0, 22.0)
    body = client.get(
        "/ogc/collections/organisations/items", query_string={"bbox": ",".join(map(str, bbox)), "limit": 1000}
    ).get_json()
    assert body["features"]
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]
    filtered = client.get(
        "/ogc/collections/organisations/items", query_string={"country": "gt", "service": "shelter", "limit": 1000}
    ).get_json()
    with app.app_context():
        expected = db.session.scalar(
            select(func.count(Location.id))
            .join(Organisation)
            .where(
                Organisation.status == Status.PUBLISHED,
                Organisation.country_code == "GT",
                Organisation.id.in_(select(Service.organisation_id).where(Service.category_code == "shelter")),
            )
        )
        us_consulates = db.session.scalar(select(func.count(Consulate.id)).where(Consulate.host_country_code == "US"))
        mx_districts = db.session.scalar(
            select(func.count(ConsularDistrict.id)).where(ConsularDistrict.sending_country_code == "MX")
        )
    assert filtered["numberMatched"] == expected > 0
    assert all(
        f["properties"]["country"] == "GT" and "shelter" in f["properties"]["services"] for f in filtered["features"]
    )
    consulates = client.get("/ogc/collections/consulates/items?country=US&limit=1000").get_json()
    assert consulates["numberMatched"] == us_consulates
    districts = client.get("/ogc/collections/districts/items?country=MX&limit=5").get_json()
    assert districts["numberMatched"] == mx_districts and districts["numberReturned"] == 5
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in districts["features"])


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=0,10,5,-10",
        "bbox=1,2,3,4,5",
        "bbox=1,2,9,3,4,5",
        "bbox=a,b,c,d",
        "bbox=-181,0,10,10",
        "limit=0",
        "limit=x",
        "offset=-1",
        "country=ZZ",
        "service=nope",
        "f=xml",
        "bbox-crs=EPSG:3857",
        "crs=EPSG:3857",
        "crs=http://www.opengis.net/def/crs/EPSG/0/32616",
        "datetime=garbage",
        "datetime=2026-13-01",
        "datetime=2026-01-01T10:00:00",
        "datetime=../..",
        "datetime=2026-02-01/2026-01-01",
        "filter=name%20%3D",
        "filter=nope%20%3D%20'x'",
        "filter=name%20%3D%203",
        "filter=CASEI(name)%20%3D%20'x'",
        "filter=country%20%3D%20'GT'&filter-lang=sql",
        "sortby=nope",
        "sortby=geometry",
        "sortby=services",
        "properties=nope",
        "sortyb=name",
        "q=casa",
    ],
)
def test_bad_parameters_are_400(client, query):
    response = client.get(f"/ogc/collections/organisations/items?{query}")
    assert response.status_code == 400 and response.get_json()["error"]


def test_unknown_collection_and_item_are_404(client):
    assert client.get("/ogc/collections/nope").status_code == 404
    assert client.get("/ogc/collections/nope/items").status_code == 404
    assert client.get("/ogc/collections/consulates/items/NOPE").status_code == 404
    assert client.get("/ogc/collections/organisations/items/a%00b").status_code == 404


def test_one_item_json_and_html(client):
    first = client.get("/ogc/collections/consulates/items?limit=1").get_json()["features"][0]
    item = client.get(f"/ogc/collections/consulates/items/{first['id']}").get_json()
    assert item["id"] == first["id"] and item["geometry"] == first["geometry"]
    html = client.get(f"/ogc/collections/consulates/items/{first['id']}?f=html")
    assert html.mimetype == "text/html" and first["properties"]["city"] in html.get_data(as_text=True)
    negotiated = client.get("/ogc/collections/consulates/items", headers={"Accept": "text/html,*/*;q=0.8"})
    assert negotiated.mimetype == "text/html"
    assert first["id"] in negotiated.get_data(as_text=True)
    for path in ("/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/districts", "/ogc/api"):
        page = client.get(path, query_string={"f": "html"})
        assert page.status_code == 200 and page.mimetype == "text/html"


def test_hidden_sites_are_approximate_for_the_public(app, client, client_as):
    with app.app_context():
        rows = db.session.execute(
            select(Location.uuid, Location.lon, Location.lat, Location.public_lon, Location.public_lat)
            .join(Organisation)
            .where(Organisation.hide_exact_location.is_(True), Organisation.status == Status.PUBLISHED)
        ).all()
    assert rows
    for row in rows[:5]:
        public = client.get(f"/ogc/collections/organisations/items/{row.uuid}").get_json()
        assert public["geometry"]["coordinates"] == [round(row.public_lon, 5), round(row.public_lat, 5)]
        assert public["properties"]["exact_position"] is False
        consular = client_as("consular").get(f"/ogc/collections/organisations/items/{row.uuid}").get_json()
        assert consular["geometry"]["coordinates"] == [round(row.lon, 5), round(row.lat, 5)]
    everything = client.get("/ogc/collections/organisations/items?limit=1000").get_data(as_text=True)
    assert not any(
        f"{round(r.lon, 5)},{round(r.lat, 5)}" in everything
        for r in rows
        if (r.lon, r.lat) != (r.public_lon, r.public_lat)
    )
    # a box around an exact hidden position finds the site only where its public position is
    hidden = next(r for r in rows if abs(r.lon - r.public_lon) + abs(r.lat - r.public_lat) > 0.05)
    box = f"{hidden.lon - 0.001},{hidden.lat - 0.001},{hidden.lon + 0.001},{hidden.lat + 0.001}"
    found = client.get(f"/ogc/collections/organisations/items?bbox={box}").get_json()
    assert hidden.uuid not in {f["id"] for f in found["features"]}


def test_html_escapes_entry_text(fresh_app):
    with fresh_app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.status == Status.PUBLISHED)).first()
        org.name = '<script>alert("x")</script>'
        site = db.session.scalars(select(Location).where(Location.organisation_id == org.id)).first()
        site_uuid = site.uuid
        db.session.commit()
    client = fresh_app.test_client()
    html = client.get(f"/ogc/collections/organisations/items/{site_uuid}?f=html").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    listing = client.get("/ogc/collections/organisations/items?f=html&limit=1000").get_data(as_text=True)
    assert "<script>alert" not in listing
