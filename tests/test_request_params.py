"""Bad parameters get a clear 400 in the route's format (directory_app.request_params and the shared
parsers): what a reader or an API client sees for the cases the attack test found. The fuzz over every
route is tests/test_parameter_fuzz.py. Both backends."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_USERS, csrf_token_of


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_date_that_leaves_the_calendar_in_utc_is_a_json_400(client, value):
    response = client.get(f"/hsds/organizations?modified_after={value}")
    assert response.status_code == 400 and response.is_json
    body = response.get_json()
    assert body["parameter"] == "modified_after" and "ISO 8601" in body["error"]


def test_a_date_at_the_edge_of_the_calendar_is_still_served(client):
    assert client.get("/hsds/organizations?modified_after=9999-12-31T23:59:59Z").status_code == 200
    assert client.get("/hsds/services?modified_after=0001-01-01").status_code == 200


@pytest.mark.parametrize("value", ["9" * 5000, "%C2%B2", "-" + "9" * 30])
def test_a_page_number_python_cannot_read_is_a_400_page(client, value):
    response = client.get(f"/organisations?page={value}")
    assert response.status_code == 400
    assert "is not a page number" in response.get_data(as_text=True)
    api = client.get(f"/api/v1/organisations?page={value}")
    assert api.status_code == 400 and "is not a page number" in api.get_json()["error"]


def test_nul_in_a_query_parameter_is_a_400_that_names_it(client):
    page = client.get("/organisations?q=shelter%00")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "The parameter &#39;q&#39; contains characters that are not allowed." in page.get_data(as_text=True)
    api = client.get("/hsds/services?search=a%00b")
    assert api.status_code == 400 and api.get_json()["parameter"] == "search"
    ogc_html = client.get("/ogc/collections?f=html&q=%00")
    assert ogc_html.status_code == 400 and ogc_html.mimetype == "text/html"
    ogc_json = client.get("/ogc/collections?q=%00")
    assert ogc_json.status_code == 400 and ogc_json.is_json


@pytest.mark.parametrize("value", ["%CD%B8", "%EF%B7%90", "%C2%85", "%EF%BF%BD"])
def test_unassigned_noncharacters_c1_controls_and_broken_text_are_refused(client, value):
    response = client.get(f"/api/v1/organisations?q={value}")
    assert response.status_code == 400 and response.get_json()["parameter"] == "q"


def test_letters_of_every_script_pass(client):
    for words in ("Asesoría jurídica", "Ayiti", "中文", "Kʼicheʼ"):
        assert client.get("/organisations", query_string={"q": words}).status_code == 200


def test_a_repeated_parameter_is_a_400(client):
    api = client.get("/api/v1/organisations?page=1&page=2")
    assert api.status_code == 400 and api.get_json()["parameter"] == "page"
    assert "given more than once" in api.get_json()["error"]
    page = client.get("/organisations?country=MX&country=GT")
    assert page.status_code == 400 and "given more than once" in page.get_data(as_text=True)


def test_service_may_be_repeated_but_not_endlessly(client):
    """Several services are one search (organisations.service_choice): `service` may repeat."""
    assert client.get("/organisations?service=shelter&service=legal_assistance").status_code == 200
    flood = client.get("/organisations?" + "&".join(["service=shelter"] * 51))
    assert flood.status_code == 400 and "given too many times" in flood.get_data(as_text=True)
    # The standard APIs take one value per parameter: their service filter is one category.
    ogc = client.get("/ogc/collections/organisations/items?service=shelter&service=legal_assistance")
    assert ogc.status_code == 400 and ogc.get_json()["parameter"] == "service"


def test_ids_past_what_the_database_stores_are_not_found(client_as):
    admin = client_as("ts_admin")
    assert admin.get("/admin/users/99999999999999999999").status_code == 404
    assert admin.get(f"/admin/users/{2**31}").status_code == 404
    assert admin.get("/admin/users/1").status_code == 200


def test_nul_in_a_path_is_not_found(client):
    assert client.get("/districts/%00").status_code == 404
    response = client.get("/api/v1/districts/%00/organisations")
    assert response.status_code == 404 and response.is_json


def test_nul_in_a_form_field_is_a_400_that_changes_nothing(fresh_app, caplog):
    client = fresh_app.test_client()
    token = csrf_token_of(client.get("/password/forgot").get_data(as_text=True))
    email = TEST_USERS["consular"].email
    response = client.post("/password/forgot", data={"email": email + "\x00", "csrf_token": token})
    assert response.status_code == 400
    assert "The field &#39;email&#39; contains characters that are not allowed." in response.get_data(as_text=True)
    assert not any("password/reset/" in record.getMessage() for record in caplog.records)


def test_the_message_is_in_the_readers_language(client):
    response = client.get("/api/v1/organisations?q=%00&lang=es")
    assert response.get_json()["error"] == "El parámetro 'q' contiene caracteres no permitidos."
