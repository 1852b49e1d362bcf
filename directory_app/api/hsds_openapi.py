"""The OpenAPI 3.0 document of our HSDS 3.0 API (/hsds/openapi.json): the paths and parameters of Open
Referral's schema/openapi.json as this directory implements them (our profile: docs/hsds-profile.md),
with response schemas that hold the fields we always give. The full HSDS JSON Schemas are checked by
the tests (tests/api/test_hsds*.py), not repeated here."""

from __future__ import annotations

from directory_app.api.hsds_params import MAX_MINIMAL, MAX_PER_PAGE, MAX_PROXIMITY_M

OPEN_REFERRAL_OPENAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
_STRING = {"type": "string"}
_UUID = {"type": "string", "format": "uuid"}
_BOOLEAN = {"type": "boolean"}
_ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": _STRING, "status": {"type": "integer"}, "parameter": _STRING},
}


def _object(required: dict[str, dict], **extra: dict) -> dict:
    return {"type": "object", "required": list(required), "properties": required | extra}


_ORGANIZATION = _object({"id": _UUID, "name": _STRING, "description": _STRING})
_SERVICE = _object({"id": _UUID, "name": _STRING, "status": {"type": "string", "enum": ["active", "inactive"]}})
_MINIMAL_SERVICE = _object({"id": _UUID, "modified_date": _STRING})
_LOCATION = _object({"id": _UUID, "location_type": _STRING}, latitude={"type": "number"}, longitude={"type": "number"})
_SERVICE_AT_LOCATION = _object({"id": _UUID, "service_id": _UUID, "location_id": _UUID, "location": _LOCATION})
_SERVICE_AT_LOCATION_LIST = _object(_SERVICE_AT_LOCATION["properties"] | {"service": _SERVICE})
_TAXONOMY = _object({"id": _UUID, "name": _STRING, "description": _STRING})
_TERM = _object({"id": _UUID, "name": _STRING, "description": _STRING})


def _page(item: dict) -> dict:
    integer = {"type": "integer", "minimum": 0}
    return _object(
        {
            "total_items": integer,
            "total_pages": integer,
            "page_number": integer,
            "size": integer,
            "first_page": _BOOLEAN,
            "last_page": _BOOLEAN,
            "empty": _BOOLEAN,
            "contents": {"type": "array", "items": item},
        }
    )


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_SEARCH = _query("search", "Words, each must match (the organisation's texts).", {"type": "string", "maxLength": 200})
_PAGE = _query("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": 100_000})
_PER_PAGE = _query("per_page", "Results per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE})
_FORMAT = _query(
    "format",
    "json (the paged envelope, default) or ndjson (every result, one JSON document a line; no page or per_page).",
    {"type": "string", "enum": ["json", "ndjson"]},
)
_FULL = _query("full", "Fully nested documents.", _BOOLEAN)
_FILTERS = [
    _query("taxonomy_term_id", "Services with this taxonomy term.", _UUID),
    _query("taxonomy_id", "Services with any term of this taxonomy.", _UUID),
    _query("organization_id", "Services of this organization.", _UUID),
    _query(
        "modified_after", "Changed on or after this date-time (ISO 8601).", {"type": "string", "format": "date-time"}
    ),
]
_LANG = _query("lang", "Language of error messages.", {"type": "string", "enum": ["es", "en", "fr"]})


def _responses(schema: dict, ndjson: bool = False, not_found: bool = False) -> dict:
    ok: dict = {"application/json": {"schema": schema}}
    if ndjson:
        ok["application/x-ndjson"] = {"schema": _STRING}
    responses = {
        "200": {"description": "OK", "content": ok},
        "400": {
            "description": "A parameter is not valid or not known (JSON message naming it).",
            "content": {"application/json": {"schema": _ERROR}},
        },
    }
    if not_found:
        responses["404"] = {"description": "Unknown id.", "content": {"application/json": {"schema": _ERROR}}}
    return responses


def _list(operation_id: str, summary: str, parameters: list[dict], item: dict) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [*parameters, _LANG],
            "responses": _responses(_page(item), ndjson=True),
        }
    }


def _item(operation_id: str, summary: str, schema: dict, parameters: tuple[dict, ...] = ()) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": _UUID}, *parameters, _LANG],
            "responses": _responses(schema, not_found=True),
        }
    }


def hsds_openapi(server_url: str, profile_url: str) -> dict:
    """The document, with `server_url` (ending in /hsds) as the server."""
    minimal = _query(
        "minimal",
        f"Only 'id' and 'modified_date' of each service; per_page then defaults to and may reach {MAX_MINIMAL}.",
        _BOOLEAN,
    )
    minimal_per_page = _PER_PAGE | {"schema": {"type": "integer", "minimum": 1, "maximum": MAX_MINIMAL}}
    place = [
        _query(
            "postcode",
            "Sites whose address has this postal code (spaces, hyphens and case ignored; hidden sites' "
            "postal codes are not published).",
            {"type": "string", "maxLength": 20},
        ),
        _query(
            "proximity",
            f"latitude,longitude,metres (at most {MAX_PROXIMITY_M}): sites within that distance of the point, "
            "nearest first. A bare number of metres (from a postcode's centroid) is refused: no gazetteer.",
            {"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?,\d+(\.\d+)?$"},
        ),
    ]
    base = [_SEARCH, _PAGE, _PER_PAGE, _FORMAT]
    paths = {
        "/": {
            "get": {
                "operationId": "getAPIMetaInformation",
                "summary": "This API and its relationship with HSDS (version, profile, openapi_url).",
                "parameters": [_LANG],
                "responses": _responses(
                    _object({"version": _STRING, "profile": _STRING, "openapi_url": _STRING}, links={"type": "object"})
                ),
            }
        },
        "/services": _list(
            "getPaginatedListOfServices",
            "Services of published organisations (one-to-one fields, fully nested or minimal).",
            [_SEARCH, _PAGE, minimal_per_page, _FORMAT, *_FILTERS, minimal, _FULL],
            {"anyOf": [_SERVICE, _MINIMAL_SERVICE]},
        ),
        "/services/{id}": _item("getServiceWithNestedDataById", "A fully nested service.", _SERVICE),
        "/organizations": _list(
            "getPaginatedListOfOrganizations",
            "Published organisations.",
            [*base, *_FILTERS, _FULL, _query("full_service", "Organisations with fully nested services.", _BOOLEAN)],
            _ORGANIZATION,
        ),
        "/organizations/{id}": _item(
            "getOrganizationWithNestedDataById",
            "A fully nested organisation.",
            _ORGANIZATION,
            (_query("full_service", "Services fully nested (default true).", _BOOLEAN),),
        ),
        "/service_at_locations": _list(
            "getPaginatedListOfServiceAtLocation",
            "Services at sites (one-to-one fields or fully nested); hidden sites at their approximate position.",
            [*base, *_FILTERS, _FULL, *place],
            _SERVICE_AT_LOCATION_LIST,
        ),
        "/service_at_locations/{id}": _item(
            "getServiceAtLocationWithNestedDataById",
            "A fully nested service at a site (compiled/service_at_location.json).",
            _SERVICE_AT_LOCATION,
        ),
        "/taxonomies": _list("getPaginatedListOfTaxonomies", "Our two taxonomies.", base, _TAXONOMY),
        "/taxonomies/{id}": _item("getTaxonomyById", "A taxonomy.", _TAXONOMY),
        "/taxonomy_terms": _list(
            "getPaginatedListOfTaxonomyTerms",
            "Terms of our taxonomies (every term is a top term).",
            [
                *base,
                _query("taxonomy_id", "Terms of this taxonomy.", _UUID),
                _query("top_only", "Only top terms (all of ours are).", _BOOLEAN),
                _query("parent_id", "Terms under this term (ours have none).", _UUID),
            ],
            _TERM,
        ),
        "/taxonomy_terms/{id}": _item("getTaxonomyTermById", "A taxonomy term.", _TERM),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CAMMINA Directory HSDS 3.0 API",
            "version": "3.0",
            "description": "Open Referral HSDS 3.0 API of the CAMMINA Directory: published organisations helping "
            "migrants, their services and sites. Organisations that hide their exact location are shown at an "
            "approximate position without street address. Unknown parameters are refused (400). "
            f"Profile: {profile_url}",
        },
        "externalDocs": {"description": "Open Referral's schema/openapi.json", "url": OPEN_REFERRAL_OPENAPI},
        "servers": [{"url": server_url}],
        "paths": paths,
    }
