"""The parameters of Open Referral's schema/openapi.json on every HSDS endpoint: each is implemented as
our profile reads it (format=ndjson, minimal) or refused with a JSON 400 naming it; no endpoint accepts
a parameter it ignores. The root names our profile (a page of ours) and our OpenAPI document, on the
public address (PUBLIC_BASE_URL)."""

from __future__ import annotations

import json

import pytest

from directory_app.api.hsds_openapi import hsds_openapi
from directory_app.api.hsds_params import ACCEPTED
from tests.api.test_hsds import _all_pages
from tests.conftest import make_app

LISTS = [
    "/hsds/services",
    "/hsds/organizations",
    "/hsds/service_at_locations",
    "/hsds/taxonomies",
    "/hsds/taxonomy_terms",
]
ITEMS = {
    "/hsds/services": "/hsds/services/{id}",
    "/hsds/organizations": "/hsds/organizations/{id}",
    "/hsds/service_at_locations": "/hsds/service_at_locations/{id}",
    "/hsds/taxonomies": "/hsds/taxonomies/{id}",
    "/hsds/taxonomy_terms": "/hsds/taxonomy_terms/{id}",
}


def _ndjson(client, path: str, **params) -> list[dict]:
    response = client.get(path, query_string=params | {"format": "ndjson"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


@pytest.mark.parametrize("path", LISTS)
def test_ndjson_streams_every_result_of_the_pages(client, path):
    assert _ndjson(client, path) == _all_pages(client, path)


def test_ndjson_keeps_the_other_parameters(client):
    paged = _all_pages(client, "/hsds/services", full="true", search="albergue")
    assert paged and _ndjson(client, "/hsds/services", full="true", search="albergue") == paged
    assert _ndjson(client, "/hsds/services", minimal="true") == _all_pages(client, "/hsds/services", minimal="true")


def test_minimal_services_are_ids_and_modification_dates_in_one_page(client):
    summaries = _all_pages(client, "/hsds/services")
    body = client.get("/hsds/services", query_string={"minimal": "true"}).get_json()
    assert body["total_items"] == len(summaries) == body["size"] and body["last_page"]
    assert [set(item) for item in body["contents"]] == [{"id", "modified_date"}] * len(summaries)
    assert [item["id"] for item in body["contents"]] == [s["id"] for s in summaries]
    assert [item["modified_date"] for item in body["contents"]] == [s["last_modified"] for s in summaries]
    paged = client.get("/hsds/services", query_string={"minimal": "true", "per_page": 3, "page": 2}).get_json()
    assert [item["id"] for item in paged["contents"]] == [s["id"] for s in summaries[3:6]]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (path, params, parameter)
        for path in LISTS
        for params, parameter in (
            ({"format": "csv"}, "format"),
            ({"format": "ndjson", "page": "1"}, "page"),
            ({"filter": "name='x'"}, "filter"),
            ({"serach": "x"}, "serach"),
        )
    ]
    + [
        ("/hsds/services", {"minimal": "true", "full": "true"}, "minimal"),
        ("/hsds/services", {"minimal": "yes please"}, "minimal"),
        ("/hsds/services", {"postcode": "01000"}, "postcode"),  # only /service_at_locations takes it
        ("/hsds/services", {"proximity": "14,-90,1000"}, "proximity"),
        ("/hsds/organizations", {"minimal": "true"}, "minimal"),
        ("/hsds/taxonomies", {"taxonomy_id": "x"}, "taxonomy_id"),
        ("/hsds/organizations/00000000-0000-0000-0000-000000000000", {"full": "true"}, "full"),
        ("/hsds/services/00000000-0000-0000-0000-000000000000", {"full": "true"}, "full"),
        ("/hsds/service_at_locations/00000000-0000-0000-0000-000000000000", {"format": "json"}, "format"),
        ("/hsds/", {"page": "1"}, "page"),
        ("/hsds/openapi.json", {"x": "1"}, "x"),
    ],
)
def test_a_parameter_is_implemented_or_refused_with_its_name(client, path, params, parameter):
    response = client.get(path, query_string=params)
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["parameter"] == parameter and f"'{parameter}'" in body["error"]


def test_the_language_of_messages_is_taken_everywhere(client):
    assert client.get("/hsds/services", query_string={"lang": "en", "per_page": 1}).status_code == 200
    assert client.get("/hsds/", query_string={"lang": "es"}).status_code == 200


def test_every_parameter_of_our_openapi_document_is_accepted_and_no_other(client):
    """The document and the guard agree: each documented query parameter of a list passes the guard."""
    document = client.get("/hsds/openapi.json").get_json()
    for path in LISTS:
        declared = {p["name"] for p in document["paths"][path.removeprefix("/hsds")]["get"]["parameters"]}
        assert declared == set(ACCEPTED[path.rsplit("/", 1)[1]]) | {"lang"}, path
        item = ITEMS[path].removeprefix("/hsds")
        assert item in document["paths"]


def test_root_names_our_profile_and_our_openapi_document(client):
    body = client.get("/hsds/").get_json()
    assert body["version"] == "3.0"
    assert body["profile"] == "http://localhost/hsds/profile"
    assert body["openapi_url"] == "http://localhost/hsds/openapi.json"
    assert body["links"]["service_at_locations"] == "http://localhost/hsds/service_at_locations"
    assert client.get("/hsds/openapi.json").get_json() == hsds_openapi("http://localhost/hsds", body["profile"])
    page = client.get("/hsds/profile")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for word in ("location_precision", "ndjson", "proximity", "postcode", "minimal", body["openapi_url"]):
        assert word in text
    docs = client.get("/hsds/docs").get_data(as_text=True)
    assert "/service_at_locations" in docs and "proximity" in docs


def test_profile_and_openapi_links_use_the_public_address(world_url):
    app = make_app(world_url, PUBLIC_BASE_URL="https://directory.example.org/directorio")
    client = app.test_client()
    body = client.get("/hsds/", headers={"Host": "localhost"}).get_json()
    assert body["profile"] == "https://directory.example.org/directorio/hsds/profile"
    assert body["openapi_url"] == "https://directory.example.org/directorio/hsds/openapi.json"
    document = client.get("/hsds/openapi.json").get_json()
    assert document["servers"] == [{"url": "https://directory.example.org/directorio/hsds"}]
