"""/hsds/service_at_locations and /hsds/service_at_locations/{id}: every document validates against the
compiled HSDS 3.0 schemas; hidden sites are approximate for the public, through the documents and
through the place filters (postcode, proximity) alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Service, Status, service_location
from geo.nearest import geodesic_km
from tests.api.test_hsds import _all_pages, _errors
from tests.conftest import make_app


def _published_pairs(app) -> set[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Service.uuid, Location.uuid)
            .select_from(service_location)
            .join(Service, Service.id == service_location.c.service_id)
            .join(Location, Location.id == service_location.c.location_id)
            .join(Organisation, Organisation.id == Service.organisation_id)
            .where(Organisation.status == Status.PUBLISHED)
        )
        return {(s, loc) for s, loc in rows}


def _hidden_site(app) -> dict:
    """A site of a published organisation that hides its location, with a service there."""
    with app.app_context():
        row = db.session.execute(
            select(Location, Service.uuid)
            .select_from(service_location)
            .join(Service, Service.id == service_location.c.service_id)
            .join(Location, Location.id == service_location.c.location_id)
            .join(Organisation, Organisation.id == Location.organisation_id)
            .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(True))
            .order_by(Location.id)
        ).first()
        assert row is not None, "the demo world has hidden sites with services"
        site, service_uuid = row
        return {
            "uuid": site.uuid,
            "service": service_uuid,
            "exact": (site.lat, site.lon),
            "public": (site.public_lat, site.public_lon),
            "address": site.address,
        }


def test_every_service_at_location_validates(app, client, hsds_validators):
    listed = _all_pages(client, "/hsds/service_at_locations")
    assert {(s["service_id"], s["location_id"]) for s in listed} == _published_pairs(app)
    assert len({s["id"] for s in listed}) == len(listed) > 0
    summary = hsds_validators("compiled/service_at_location_list.json")
    full = hsds_validators("compiled/service_at_location.json")
    for item in listed:
        assert _errors(summary, item) == [], item["id"]
    nested = _all_pages(client, "/hsds/service_at_locations", full="true")
    assert [s["id"] for s in nested] == [s["id"] for s in listed]
    for document in nested:
        assert _errors(full, document) == [], document["id"]
        assert document["location"]["addresses"] and document["service"]["organization"]["id"]
    for document in nested[:: max(1, len(nested) // 15)]:
        response = client.get(f"/hsds/service_at_locations/{document['id']}")
        assert response.status_code == 200
        assert response.get_json() == document
    service = client.get(f"/hsds/services/{listed[0]['service_id']}").get_json()  # the same ids as in services
    assert listed[0]["id"] in {sal["id"] for sal in service["service_at_locations"]}


def test_unknown_and_unpublished_ids_are_404(app, client):
    assert client.get("/hsds/service_at_locations/00000000-0000-0000-0000-000000000000").status_code == 404
    response = client.get("/hsds/service_at_locations/not-a-uuid")
    assert response.status_code == 400 and response.get_json()["parameter"] == "id"
    with app.app_context():
        draft = db.session.scalar(select(Organisation).where(Organisation.status != Status.PUBLISHED))
        draft_services = {s.uuid for s in draft.services}
    listed = _all_pages(client, "/hsds/service_at_locations", organization_id=draft.uuid)
    assert listed == [] and not draft_services & {
        s["service_id"] for s in _all_pages(client, "/hsds/service_at_locations")
    }


def test_hidden_sites_are_approximate_for_the_public(app, client, client_as, hsds_validators):
    site = _hidden_site(app)
    for reader, (lat, lon), precision in (
        (client, site["public"], "approximate"),
        (client_as("consular"), site["exact"], "exact"),
    ):
        listed = _all_pages(reader, "/hsds/service_at_locations", full="true")
        [document] = [d for d in listed if d["location_id"] == site["uuid"] and d["service_id"] == site["service"]]
        location = document["location"]
        assert (location["latitude"], location["longitude"]) == (round(lat, 5), round(lon, 5))
        assert [a["value"] for a in location["attributes"] if a["link_type"] == "location_precision"] == [precision]
        item = reader.get(f"/hsds/service_at_locations/{document['id']}").get_json()
        assert item == document
        summary = [d for d in _all_pages(reader, "/hsds/service_at_locations") if d["id"] == document["id"]][0]
        assert (summary["location"]["latitude"], summary["location"]["longitude"]) == (round(lat, 5), round(lon, 5))
    public_text = client.get(f"/hsds/service_at_locations/{document['id']}").get_data(as_text=True)
    assert f"{round(site['exact'][0], 5)}" not in public_text and f"{round(site['exact'][1], 5)}" not in public_text
    if site["address"]:
        assert site["address"] not in public_text
    # proximity places the hidden site where the reader sees it: tight around its exact position only the
    # consular user finds it, around its public position the public does
    exact_around = {"proximity": f"{site['exact'][0]},{site['exact'][1]},50"}
    public_around = {"proximity": f"{site['public'][0]},{site['public'][1]},50"}
    assert geodesic_km(site["exact"][1], site["exact"][0], [site["public"][1]], [site["public"][0]])[0] > 0.1

    def found(reader, params: dict) -> set[str]:
        return {d["location_id"] for d in _all_pages(reader, "/hsds/service_at_locations", **params)}

    assert site["uuid"] not in found(client, exact_around)
    assert site["uuid"] in found(client_as("consular"), exact_around)
    assert site["uuid"] in found(client, public_around)


def test_proximity_filters_and_orders_by_distance(client):
    everything = _all_pages(client, "/hsds/service_at_locations")
    lat, lon = everything[0]["location"]["latitude"], everything[0]["location"]["longitude"]
    metres = 300_000
    near = _all_pages(client, "/hsds/service_at_locations", proximity=f"{lat},{lon},{metres}")
    distances = [
        geodesic_km(lon, lat, [d["location"]["longitude"]], [d["location"]["latitude"]])[0] * 1000 for d in near
    ]
    assert distances == sorted(distances) and all(d <= metres + 1 for d in distances)
    expected = {
        d["id"]
        for d in everything
        if geodesic_km(lon, lat, [d["location"]["longitude"]], [d["location"]["latitude"]])[0] * 1000 <= metres - 1
    }
    assert expected <= {d["id"] for d in near} and 0 < len(near) < len(everything)
    page_two = client.get(
        "/hsds/service_at_locations", query_string={"proximity": f"{lat},{lon},{metres}", "per_page": 2, "page": 2}
    ).get_json()
    assert page_two["total_items"] == len(near) and [d["id"] for d in page_two["contents"]] == [
        d["id"] for d in near[2:4]
    ]


def test_postcode_matches_addresses_the_reader_may_see(fresh_app, client_as_fresh):
    with fresh_app.app_context():
        open_site, hidden_site = (
            db.session.scalars(
                select(Location)
                .join(Organisation, Organisation.id == Location.organisation_id)
                .join(service_location, service_location.c.location_id == Location.id)
                .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(hidden))
                .order_by(Location.id)
            ).first()
            for hidden in (False, True)
        )
        open_site.postal_code, hidden_site.postal_code = "01000", "sw1a 1aa"
        open_uuid, hidden_uuid = open_site.uuid, hidden_site.uuid
        db.session.commit()
    public, consular = fresh_app.test_client(), client_as_fresh("consular")

    def sites(reader, postcode: str) -> set[str]:
        return {d["location_id"] for d in _all_pages(reader, "/hsds/service_at_locations", postcode=postcode)}

    assert sites(public, "01000") == {open_uuid} == sites(public, " 01-000 ")
    assert sites(public, "SW1A1AA") == set()  # a hidden site's postal code is not published
    assert sites(consular, "SW1A 1AA") == {hidden_uuid}
    assert sites(public, "99999") == set()


@pytest.fixture
def client_as_fresh(fresh_app):
    from tests.conftest import login_as

    return lambda role: login_as(fresh_app.test_client(), role)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"proximity": "5000"}, "proximity"),  # openapi.json's metres from a postcode's centroid: no gazetteer
        ({"proximity": "14.6,-90.5"}, "proximity"),
        ({"proximity": "a,b,c"}, "proximity"),
        ({"proximity": "91,0,10"}, "proximity"),
        ({"proximity": "14.6,-90.5,0"}, "proximity"),
        ({"proximity": "14.6,-90.5,nan"}, "proximity"),
        ({"proximity": "14.6,-90.5,99999999"}, "proximity"),
        ({"postcode": "01000;DROP"}, "postcode"),
        ({"format": "csv"}, "format"),
        ({"format": "xml"}, "format"),
        ({"format": "ndjson", "page": "2"}, "page"),
        ({"format": "ndjson", "per_page": "5"}, "per_page"),
        ({"minimal": "true"}, "minimal"),  # not a parameter of this list in openapi.json
        ({"full_service": "true"}, "full_service"),
        ({"per_pag": "5"}, "per_pag"),
        ({"bbox": "0,0,1,1"}, "bbox"),
        ({"full": "maybe"}, "full"),
    ],
)
def test_each_parameter_is_implemented_or_refused(client, params, parameter):
    response = client.get("/hsds/service_at_locations", query_string=params)
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["parameter"] == parameter and parameter in body["error"]


def test_the_list_costs_a_fixed_number_of_queries(world_url):
    from sqlalchemy import event

    # The directory version is read once per TTL: a long TTL and a first request read it before counting.
    app = make_app(world_url, PAGE_CACHE_VERSION_TTL=3600)
    client = app.test_client()
    client.get("/hsds/service_at_locations", query_string={"per_page": 1})
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append("q")

    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for per_page in (5, 100):
            statements.clear()
            client.get("/hsds/service_at_locations", query_string={"per_page": per_page, "full": "true"})
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] < 20
