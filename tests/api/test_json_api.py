"""The JSON API (/api/v1/): the same answers as the directory's own queries, positions as the reader
may see them, JSON errors with the right status."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.geography.units import districts_at
from directory_app.organisations.models import DistrictCoverage, Location, Organisation, Status
from directory_app.organisations.queries import nearest_organisations, organisations_serving
from directory_app.organisations.search import parse_directory_query, search_directory

MEXICO_CITY = (-99.1332, 19.4326)


def _hidden_published(app) -> tuple[str, dict[str, tuple[float, float]], dict[str, tuple[float, float]], list[str]]:
    with app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.hide_exact_location.is_(True), Organisation.status == Status.PUBLISHED)
            .order_by(Organisation.id)
        ).first()
        sites = db.session.scalars(select(Location).where(Location.organisation_id == org.id)).all()
        exact = {s.uuid: (round(s.lon, 5), round(s.lat, 5)) for s in sites}
        public = {s.uuid: (round(s.public_lon, 5), round(s.public_lat, 5)) for s in sites}
        return org.uuid, exact, public, [s.address for s in sites if s.address]


def test_search_gives_the_directory_results(app, client):
    args = {"service": "legal_assistance", "sort": "country", "page": "2"}
    body = client.get("/api/v1/organisations", query_string=args | {"per_page": 10}).get_json()
    with app.test_request_context():
        query, problems = parse_directory_query(args)
        expected = search_directory(query, per_page=10)
    assert problems == []
    assert body["total"] == expected.total > 10 and body["page"] == 2 and body["pages"] == expected.pages
    assert [o["id"] for o in body["organisations"]] == [e.uuid for e in expected.organisations]
    assert all("legal_assistance" in o["services"] for o in body["organisations"])


@pytest.mark.parametrize(
    ("args", "parameter"),
    [({"service": "nope"}, None), ({"per_page": "500"}, "per_page"), ({"page": "0"}, None), ({"q": "x\x00"}, None)],
)
def test_search_refuses_bad_parameters(client, args, parameter):
    response = client.get("/api/v1/organisations", query_string=args)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and body["error"]
    if parameter:
        assert body["parameter"] == parameter


def test_organisation_positions_follow_the_reader(app, client, client_as):
    uuid, exact, public, addresses = _hidden_published(app)
    assert exact != public
    body = client.get(f"/api/v1/organisations/{uuid}").get_json()
    assert {s["id"]: (s["lon"], s["lat"]) for s in body["sites"]} == public
    assert all(s["address"] is None and s["exact_position"] is False for s in body["sites"])
    text = client.get(f"/api/v1/organisations/{uuid}").get_data(as_text=True)
    assert not any(address in text for address in addresses)
    consular = client_as("consular").get(f"/api/v1/organisations/{uuid}").get_json()
    assert {s["id"]: (s["lon"], s["lat"]) for s in consular["sites"]} == exact


def test_unknown_or_unpublished_organisations_are_404(app, client):
    with app.app_context():
        draft = db.session.scalar(select(Organisation.uuid).where(Organisation.status != Status.PUBLISHED))
    for ident in (draft, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = client.get(f"/api/v1/organisations/{ident}")
        assert response.status_code == 404 and response.get_json()["status"] == 404


def test_nearest_gives_the_directory_answer(app, client):
    lon, lat = MEXICO_CITY
    body = client.get("/api/v1/nearest", query_string={"lon": lon, "lat": lat, "k": 5}).get_json()
    with app.app_context():
        expected = nearest_organisations(lon, lat, k=5, exact=False)
        uuids = dict(db.session.execute(select(Organisation.id, Organisation.uuid)).all())
    assert [o["id"] for o in body["organisations"]] == [uuids[n.organisation_id] for n in expected]
    distances = [o["distance_km"] for o in body["organisations"]]
    assert len(distances) == 5 and distances == sorted(distances)
    only = client.get("/api/v1/nearest", query_string={"lon": lon, "lat": lat, "service": "shelter"}).get_json()
    assert only["organisations"]


def test_nearest_never_reveals_hidden_positions(app, client):
    uuid, exact, public, _addresses = _hidden_published(app)
    lon, lat = next(iter(exact.values()))
    body = client.get("/api/v1/nearest", query_string={"lon": lon, "lat": lat, "k": 50}).get_json()
    shown = [(o["lon"], o["lat"]) for o in body["organisations"] if o["id"] == uuid]
    assert shown and all(position in public.values() for position in shown)


def test_district_organisations(app, client):
    with app.app_context():
        district_id, code = db.session.execute(
            select(ConsularDistrict.id, ConsularDistrict.code)
            .join(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
            .where(DistrictCoverage.status == Status.PUBLISHED)
            .order_by(ConsularDistrict.code)
        ).first()
        expected, total = organisations_serving(district_id, limit=3, offset=1)
        expected_ids = [s.organisation.uuid for s in expected]
    body = client.get(f"/api/v1/districts/{code}/organisations", query_string={"limit": 3, "offset": 1}).get_json()
    assert body["district"]["code"] == code and body["total"] == total
    assert [o["id"] for o in body["organisations"]] == expected_ids
    for bad_code in ("NO-SUCH-DISTRICT", "x\x00y"):
        response = client.get(f"/api/v1/districts/{bad_code}/organisations")
        assert response.status_code == 404 and response.is_json
    assert client.get(f"/api/v1/districts/{code}/organisations?limit=101").status_code == 400
    listed = client.get("/api/v1/districts", query_string={"country": "gt"}).get_json()["districts"]
    assert listed and {d["sending_country"] for d in listed} == {"GT"}
    assert client.get("/api/v1/districts", query_string={"country": "ZZ"}).status_code == 400


def test_locate(app, client):
    lon, lat = MEXICO_CITY
    body = client.get("/api/v1/locate", query_string={"lon": lon, "lat": lat}).get_json()
    assert [u["code"] for u in body["admin_units"]] == ["MX-CMX"]
    with app.app_context():
        expected = [d.code for d in districts_at(lon, lat)]
    assert [d["code"] for d in body["districts"]] == expected and expected
    sea = client.get("/api/v1/locate", query_string={"lon": -140, "lat": 0}).get_json()
    assert sea["admin_units"] == [] and sea["districts"] == []


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"lon": "-99"},
        {"lon": "x", "lat": "1"},
        {"lon": "-99", "lat": "91"},
        {"lon": "nan", "lat": "1"},
        {"lon": "1e999", "lat": "1"},
    ],
)
def test_points_are_checked(client, args):
    for path in ("/api/v1/locate", "/api/v1/nearest"):
        response = client.get(path, query_string=args)
        assert response.status_code == 400 and response.get_json()["parameter"] in ("lon", "lat")
    assert client.get("/api/v1/nearest", query_string={"lon": 1, "lat": 1, "k": 51}).status_code == 400


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert all(path in html for path in spec["paths"])
    assert "cdn" not in html.lower() and "https://" not in html


def test_unknown_api_paths_are_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json


def test_api_is_readable_from_any_origin_without_cookies(client):
    response = client.get("/api/v1/districts")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(("language", "bound"), [("en", "100,000"), ("es", "100.000"), ("fr", "100\u202f000")])
def test_a_range_error_writes_its_numbers_as_the_reader_does(client, language, bound):
    response = client.get("/api/v1/districts/x/organisations?offset=100001", headers={"Accept-Language": language})
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "offset"
    assert bound in response.get_json()["error"]
