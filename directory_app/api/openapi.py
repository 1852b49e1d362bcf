"""The OpenAPI 3.0 document of the JSON API (/api/v1/openapi.json)."""

from __future__ import annotations

from directory_app import vocabulary
from directory_app.api.crisis_openapi import crisis_paths
from directory_app.organisations.search import SORTS

MAX_PAGE = 100_000  # as the directory (organisations.search)

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}


def _query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_SERVICE = {
    **_query(
        "service",
        "Service category codes: repeat the parameter (service=shelter&service=legal_assistance) or separate "
        "the codes with commas. Organisations offering any of them, or all of them with match=all.",
        {"type": "array", "items": {"type": "string", "enum": sorted(vocabulary.SERVICE_CODES)}},
    ),
    "style": "form",
    "explode": True,
}
_MATCH = _query(
    "match",
    "With several services: organisations offering any of them (default) or all of them.",
    {"type": "string", "enum": ["any", "all"], "default": "any"},
)
_LON = _query("lon", "Longitude (WGS 84).", {"type": "number", "minimum": -180, "maximum": 180}, True)
_LAT = _query("lat", "Latitude (WGS 84).", {"type": "number", "minimum": -90, "maximum": 90}, True)
_BBOX = {
    **_query(
        "bbox",
        "Only organisations with a site inside the box: west, south, east, north in WGS 84 (edges included; "
        "west <= east, a box across the antimeridian is refused). Sites of organisations that hide their exact "
        "location are at the approximate position the reader is shown, never found by their exact position by "
        "a reader who may not see it.",
        {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
    ),
    "style": "form",
    "explode": False,
}

_ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": _STRING,
        "status": {"type": "integer"},
        "parameter": _STRING,
        "problems": {"type": "array", "items": _STRING},
    },
}
_ORGANISATION_LINE = {
    "type": "object",
    "required": ["id", "name", "country", "url"],
    "properties": {"id": {"type": "string", "format": "uuid"}, "name": _STRING, "country": _STRING, "url": _STRING},
}
_CONSULATE = {
    "type": "object",
    "required": ["code", "name_es", "name_en", "city", "host_country", "lon", "lat"],
    "properties": {
        "code": _STRING,
        "name_es": _STRING,
        "name_en": _STRING,
        "city": _STRING,
        "host_country": _STRING,
        "lon": {"type": "number"},
        "lat": {"type": "number"},
    },
}
_PROVENANCE = {
    "type": "object",
    "description": "Where the district comes from: official (every unit from an official source), approximate "
    "(every unit to the nearest consulate) or mixed; `text` says it in the reader's language.",
    "required": ["kind", "official_units", "units", "text", "sources"],
    "properties": {
        "kind": {"type": "string", "enum": ["official", "approximate", "mixed"]},
        "official_units": {"type": "integer"},
        "units": {"type": "integer"},
        "text": _STRING,
        "sources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "title", "date", "secondary", "note", "units"],
                "properties": {
                    "source": _STRING,
                    "title": _NULLABLE_STRING,
                    "date": {"type": "string", "format": "date", "nullable": True},
                    "secondary": {"type": "boolean"},
                    "note": _NULLABLE_STRING,
                    "units": {"type": "integer"},
                },
            },
        },
    },
}
_DISTRICT = {
    "type": "object",
    "required": ["code", "sending_country", "approximate", "provenance", "area_km2", "consulate"],
    "properties": {
        "code": _STRING,
        "sending_country": _STRING,
        "approximate": {"type": "boolean"},
        "provenance": _PROVENANCE,
        "area_km2": {"type": "number"},
        "consulate": _CONSULATE,
    },
}


def _object(required: dict[str, dict]) -> dict:
    return {"type": "object", "required": list(required), "properties": required}


_SAMPLE_DATA = {
    "type": "boolean",
    "enum": [True],
    "description": "Present while the directory holds invented demonstration organisations (sample data).",
}


def _responses(schema: dict, not_found: bool = False) -> dict:
    if "properties" in schema:
        schema = {**schema, "properties": {**schema["properties"], "sample_data": _SAMPLE_DATA}}
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        "400": {"description": "A parameter is not valid.", "content": {"application/json": {"schema": _ERROR}}},
    }
    if not_found:
        responses["404"] = {"description": "Unknown id.", "content": {"application/json": {"schema": _ERROR}}}
    return responses


def _operation(operation_id: str, summary: str, parameters: list[dict], schema: dict, not_found: bool = False) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "responses": _responses(schema, not_found),
        }
    }


def _search_parameters() -> list[dict]:
    return [
        _query(
            "q", "Words, each must match (name, description, services, places).", {"type": "string", "maxLength": 200}
        ),
        _SERVICE,
        _MATCH,
        _query("population", "Population code.", {"type": "string", "enum": sorted(vocabulary.POPULATION_CODES)}),
        _query("language", "ISO 639 code of a language a service is offered in.", _STRING),
        _query("country", "Member country (ISO 3166-1 alpha-2).", _STRING),
        _query(
            "district",
            "Consular district: its code, or a consulate's city or name in any case and without accents "
            "(houston, Tapachula); organisations serving it (any of the districts the name gives).",
            _STRING,
        ),
        _query("network", "Network code.", _STRING),
        _BBOX,
        _query("sort", "Order.", {"type": "string", "enum": list(SORTS)}),
        _query("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        _query("per_page", "Results per page.", {"type": "integer", "minimum": 1, "maximum": 100}),
    ]


def json_api_openapi(server_url: str) -> dict:
    """The document, with `server_url` (ending in /api/v1) as the server."""
    organisation_id = {"name": "organisation_id", "in": "path", "required": True, "schema": _STRING}
    district_code = {"name": "code", "in": "path", "required": True, "schema": _STRING}
    line_list = {"type": "array", "items": _ORGANISATION_LINE}
    paths = {
        "/organisations": _operation(
            "searchOrganisations",
            "Search the published organisations (the directory's filters).",
            _search_parameters(),
            _object(
                {
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "organisations": line_list,
                }
            ),
        ),
        "/organisations/{organisation_id}": _operation(
            "getOrganisation",
            "One published organisation with its services and sites (hidden sites approximate).",
            [organisation_id],
            _object({"id": _STRING, "name": _STRING, "services": {"type": "array"}, "sites": {"type": "array"}}),
            not_found=True,
        ),
        "/nearest": _operation(
            "nearestOrganisations",
            "The organisations nearest a point, by their nearest site (km).",
            [_LON, _LAT, _query("k", "How many.", {"type": "integer", "minimum": 1, "maximum": 50}), _SERVICE, _MATCH],
            _object({"lon": {"type": "number"}, "lat": {"type": "number"}, "organisations": line_list}),
        ),
        "/locate": _operation(
            "locatePoint",
            "The admin units and consular districts that contain a point.",
            [_LON, _LAT],
            _object({"admin_units": {"type": "array"}, "districts": {"type": "array", "items": _DISTRICT}}),
        ),
        "/districts": _operation(
            "listDistricts",
            "Consular districts (of one sending country).",
            [_query("country", "Sending country (ISO 3166-1 alpha-2).", _STRING)],
            _object({"districts": {"type": "array", "items": _DISTRICT}}),
        ),
        "/districts/{code}/organisations": _operation(
            "districtOrganisations",
            "The published organisations serving a consular district, largest share first.",
            [
                district_code,
                _SERVICE,
                _MATCH,
                _query("limit", "Page size.", {"type": "integer", "minimum": 1, "maximum": 100}),
                _query("offset", "Organisations to skip.", {"type": "integer", "minimum": 0, "maximum": 100000}),
                _BBOX,
            ],
            _object({"district": _DISTRICT, "total": {"type": "integer"}, "organisations": line_list}),
            not_found=True,
        ),
        **crisis_paths(_ERROR, _SAMPLE_DATA),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CAMMINA Directory JSON API",
            "version": "1.0.0",
            "description": "JSON API of the CAMMINA Directory (read-only: POST /crisis/report changes nothing): "
            "organisations helping migrants and the "
            "consular districts they serve. Organisations that hide their exact location are shown at an "
            "approximate position. Errors are JSON with a message.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
    }
