"""The HSDS 3.0 API: every returned object validates against the HSDS JSON Schemas; published
entries only; hidden sites approximate; filters, paging and errors."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from directory_app.api.hsds_taxonomy import POPULATION, SERVICE_CATEGORY
from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Service, Status
from directory_app.organisations.search import parse_directory_query, search_directory
from tests.conftest import make_app


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def _all_pages(client, path: str, **params) -> list[dict]:
    contents, page = [], 1
    while True:
        response = client.get(path, query_string=params | {"page": page, "per_page": 100})
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert body["page_number"] == page and body["size"] == len(body["contents"])
        contents += body["contents"]
        if body["last_page"]:
            assert len(contents) == body["total_items"]
            return contents
        page += 1


def _published_count(app, model=Organisation) -> int:
    with app.app_context():
        query = select(model.id).join(Organisation) if model is Service else select(Organisation.id)
        return len(db.session.scalars(query.where(Organisation.status == Status.PUBLISHED)).all())


def test_api_info(client):
    body = client.get("/hsds/").get_json()
    assert body["version"] == "3.0"
    assert client.get(body["openapi_url"]).get_json()["paths"]  # ours (tests/api/test_hsds_parameters.py)
    assert client.get(body["profile"]).status_code == 200


def test_every_organization_validates(app, client, hsds_validators):
    listed = _all_pages(client, "/hsds/organizations")
    assert len(listed) == _published_count(app) > 0
    summary = hsds_validators("compiled/organization_list.json")
    full = hsds_validators("compiled/organization.json")
    for item in listed:
        assert _errors(summary, item) == []
        document = client.get(f"/hsds/organizations/{item['id']}").get_json()
        assert _errors(full, document) == [], item["id"]
        assert document["services"] and document["locations"]


def test_every_service_validates(app, client, hsds_validators):
    listed = _all_pages(client, "/hsds/services")
    assert len(listed) == _published_count(app, Service) > 0
    summary = hsds_validators("compiled/service_list.json")
    full = hsds_validators("compiled/service.json")
    for item in listed:
        assert _errors(summary, item) == []
    nested = _all_pages(client, "/hsds/services", full="true")
    assert [s["id"] for s in nested] == [s["id"] for s in listed]
    for document in nested:
        assert _errors(full, document) == [], document["id"]
        assert document["attributes"][0]["taxonomy_term"]["taxonomy_id"] == SERVICE_CATEGORY.id
    for item in listed[:15]:
        document = client.get(f"/hsds/services/{item['id']}").get_json()
        assert _errors(full, document) == []
        assert document["organization"]["id"] == item["organization_id"]


def test_taxonomies_and_terms_validate(client, hsds_validators):
    taxonomies = _all_pages(client, "/hsds/taxonomies")
    assert {t["id"] for t in taxonomies} == {SERVICE_CATEGORY.id, POPULATION.id}
    terms = _all_pages(client, "/hsds/taxonomy_terms")
    assert len(terms) == len(SERVICE_CATEGORY.terms) + len(POPULATION.terms)
    for taxonomy in taxonomies:
        assert _errors(hsds_validators("taxonomy.json"), taxonomy) == []
        assert client.get(f"/hsds/taxonomies/{taxonomy['id']}").get_json() == taxonomy
    for term in terms:
        assert _errors(hsds_validators("taxonomy_term.json"), term) == []
        assert client.get(f"/hsds/taxonomy_terms/{term['id']}").get_json() == term
    shelter = client.get("/hsds/taxonomy_terms", query_string={"search": "albergue"}).get_json()["contents"]
    assert [t["code"] for t in shelter] == ["shelter"]
    only_population = _all_pages(client, "/hsds/taxonomy_terms", taxonomy_id=POPULATION.id)
    assert {t["taxonomy_id"] for t in only_population} == {POPULATION.id}


def test_hidden_sites_are_approximate_for_the_public(app, client, client_as):
    with app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.hide_exact_location.is_(True), Organisation.status == Status.PUBLISHED)
            .order_by(Organisation.id)
        ).first()
        assert org is not None, "the demo world has organisations that hide their location"
        sites = {
            loc.uuid: loc for loc in db.session.scalars(select(Location).where(Location.organisation_id == org.id))
        }
        exact = {u: (round(s.lon, 5), round(s.lat, 5)) for u, s in sites.items()}
        public = {u: (round(s.public_lon, 5), round(s.public_lat, 5)) for u, s in sites.items()}
        addresses = {u: s.address for u, s in sites.items()}
        uuid = org.uuid
    assert exact != public
    for reader, expected, precision in ((client, public, "approximate"), (client_as("consular"), exact, "exact")):
        document = reader.get(f"/hsds/organizations/{uuid}").get_json()
        shown = {loc["id"]: (loc["longitude"], loc["latitude"]) for loc in document["locations"]}
        assert shown == expected
        nested = [sal["location"] for s in document["services"] for sal in s.get("service_at_locations", [])]
        assert all((loc["longitude"], loc["latitude"]) == expected[loc["id"]] for loc in nested)
        for location in document["locations"] + nested:  # the reader is told how exact each position is
            marks = [a["value"] for a in location["attributes"] if a["link_type"] == "location_precision"]
            assert marks == [precision], location["id"]
    text = client.get(f"/hsds/organizations/{uuid}").get_data(as_text=True)
    for lon, lat in (exact[u] for u in exact if exact[u] != public[u]):
        assert f"{lat}" not in text and f"{lon}" not in text
    for address in filter(None, addresses.values()):
        assert address not in text
    radius_areas = [
        a for s in client.get(f"/hsds/organizations/{uuid}").get_json()["services"] for a in s["service_areas"]
    ]
    assert all(a["extent_type"] == "text" for a in radius_areas if a.get("description") in ("radius", "polygon"))
    assert all(a["extent_type"] == "text" for a in radius_areas if "extent" in a)


def test_unpublished_entries_are_not_served(app, client):
    with app.app_context():
        draft = db.session.scalars(select(Organisation).where(Organisation.status != Status.PUBLISHED)).first()
        assert draft is not None
        draft_uuid, service_uuids = draft.uuid, [s.uuid for s in draft.services]
    assert client.get(f"/hsds/organizations/{draft_uuid}").status_code == 404
    for service_uuid in service_uuids:
        assert client.get(f"/hsds/services/{service_uuid}").status_code == 404
    assert client.get("/hsds/services", query_string={"organization_id": draft_uuid}).get_json()["total_items"] == 0


def test_filters(app, client):
    shelter = SERVICE_CATEGORY.term_id("shelter")
    services = _all_pages(client, "/hsds/services", taxonomy_term_id=shelter, full="true")
    assert services and all(s["attributes"][0]["value"] == "shelter" for s in services)
    with app.app_context():
        expected = db.session.scalar(
            select(db.func.count(Service.id))
            .join(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Service.category_code == "shelter")
        )
    assert len(services) == expected
    org_id = services[0]["organization_id"]
    of_org = _all_pages(client, "/hsds/services", organization_id=org_id)
    assert of_org and {s["organization_id"] for s in of_org} == {org_id}
    orgs = _all_pages(client, "/hsds/organizations", taxonomy_term_id=shelter)
    assert org_id in {o["id"] for o in orgs}
    assert client.get("/hsds/services", query_string={"modified_after": "2999-01-01"}).get_json()["empty"] is True
    recent = client.get("/hsds/services", query_string={"modified_after": "2000-01-01T00:00:00Z"}).get_json()
    assert recent["total_items"] == _published_count(app, Service)
    unknown_term = client.get(
        "/hsds/services", query_string={"taxonomy_term_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert unknown_term.get_json()["total_items"] == 0
    found = client.get("/hsds/organizations", query_string={"search": "demo albergue"}).get_json()
    assert 0 < found["total_items"] < _published_count(app)
    with app.test_request_context():
        query, _problems = parse_directory_query({"q": "demo albergue"})
        assert found["total_items"] == search_directory(query).total  # the directory's own word search


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/hsds/services", {"page": "0"}, 400),
        ("/hsds/services", {"page": "x"}, 400),
        ("/hsds/services", {"per_page": "101"}, 400),
        ("/hsds/services", {"modified_after": "yesterday"}, 400),
        ("/hsds/services", {"organization_id": "not-a-uuid"}, 400),
        ("/hsds/services", {"search": "a\x00b"}, 400),
        ("/hsds/organizations", {"full": "maybe"}, 400),
        ("/hsds/services/not-a-uuid", {}, 400),
        ("/hsds/services/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/hsds/organizations/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/hsds/taxonomy_terms/00000000-0000-0000-0000-000000000000", {}, 404),
    ],
)
def test_bad_requests_get_json_errors(client, path, params, status):
    response = client.get(path, query_string=params)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and body["error"]


def test_pages_cost_a_fixed_number_of_queries(world_url):
    # The directory version (page cache, sample-data flag) is read once per TTL: a long TTL and a first
    # request read it before counting, so that only the page's own statements are counted.
    app = make_app(world_url, PAGE_CACHE_VERSION_TTL=3600)
    client = app.test_client()
    client.get("/hsds/organizations", query_string={"per_page": 1})
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append("query")

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/hsds/organizations", query_string={"per_page": 5, "full_service": "true"})
        few = len(statements)
        statements.clear()
        client.get("/hsds/organizations", query_string={"per_page": 100, "full_service": "true"})
        many = len(statements)
        statements.clear()
        client.get("/hsds/services", query_string={"per_page": 100, "full": "true"})
        services = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert many == few and many < 20
    assert services < 20


def test_additional_information_is_an_attribute_of_the_organization(fresh_app, hsds_validators):
    """Values of fields the TS defined reach the API as HSDS attributes, one per value."""
    from directory_app.accounts.models import Role, User
    from directory_app.extra_fields.services import define_field, set_values

    with fresh_app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.TS_ADMIN))
        define_field(admin, {"code": "phone_referrals", "field_type": "yesno", "label_es": "Remisión por teléfono",
                             "label_en": "Referrals by phone", "label_fr": "Orientation par téléphone"})  # fmt: skip
        org = db.session.scalars(select(Organisation).where(Organisation.status == Status.PUBLISHED)).first()
        assert set_values(org, {"phone_referrals": "yes"}) == []
        db.session.commit()
        uuid = org.uuid
    client = fresh_app.test_client()
    document = client.get(f"/hsds/organizations/{uuid}").get_json()
    assert _errors(hsds_validators("compiled/organization.json"), document) == []
    [attribute] = [a for a in document.get("attributes", []) if a["link_type"] == "additional_information"]
    assert attribute["value"] == "yes" and attribute["link_id"] == uuid
    assert attribute["taxonomy_term"]["code"] == "phone_referrals"
    assert attribute["taxonomy_term"]["name"] == "Referrals by phone"
    listed = _all_pages(client, "/hsds/organizations", full_service="true")
    kinds = {o["id"]: {a["link_type"] for a in o.get("attributes", [])} for o in listed}
    assert [id_ for id_, links in kinds.items() if "additional_information" in links] == [uuid]
