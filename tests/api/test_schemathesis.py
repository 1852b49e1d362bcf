"""Schemathesis generates requests for every operation of the JSON API's, the HSDS API's and the OGC
API's OpenAPI documents and sends them to the app in-process (WSGI, no network): none may end in a
server error, and the JSON and HSDS APIs' answers must match their documents.

The schemas are the documents the app serves (built by the same functions, which need no
database); they are loaded at import because schemathesis' lazy fixture loader does not work with
pytest 9. A test checks that the app really serves these documents."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from directory_app.api.hsds_openapi import hsds_openapi
from directory_app.api.ogc_openapi import ogc_openapi
from directory_app.api.openapi import json_api_openapi

BASE = "http://localhost"
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure in CI can be reproduced
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
json_api = schemathesis.openapi.from_dict(json_api_openapi(f"{BASE}/api/v1"))
ogc_api = schemathesis.openapi.from_dict(ogc_openapi(f"{BASE}/ogc"))
hsds_api = schemathesis.openapi.from_dict(hsds_openapi(f"{BASE}/hsds", f"{BASE}/hsds/profile"))


def test_the_app_serves_these_documents(client):
    assert client.get("/api/v1/openapi.json").get_json() == json_api_openapi(f"{BASE}/api/v1")
    assert client.get("/ogc/api").get_json() == ogc_openapi(f"{BASE}/ogc")
    assert client.get("/hsds/openapi.json").get_json() == hsds_openapi(f"{BASE}/hsds", f"{BASE}/hsds/profile")


@json_api.parametrize()
@EXAMPLES
def test_json_api_has_no_server_error(case, app):
    case.call_and_validate(
        app=app,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )


@ogc_api.parametrize()
@EXAMPLES
def test_ogc_api_has_no_server_error(case, app):
    case.call_and_validate(app=app, checks=[not_a_server_error])


@hsds_api.parametrize()
@EXAMPLES
def test_hsds_api_has_no_server_error(case, app):
    case.call_and_validate(
        app=app,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
