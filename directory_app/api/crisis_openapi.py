"""The crisis paths of the JSON API's OpenAPI document (api.openapi merges them in)."""

from __future__ import annotations

from directory_app import vocabulary

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "required": required or list(properties), "properties": properties}


_GEOJSON = {
    "type": "object",
    "description": "A GeoJSON Geometry, Feature or FeatureCollection of polygons, in longitude/latitude (WGS 84).",
    "required": ["type"],
    "properties": {"type": _STRING},
}
REQUEST = {
    "type": "object",
    "description": "Exactly one of: `area` (GeoJSON), `units` (admin unit codes such as MX-CHP or US-48201, "
    "at most 400) or `circle` (a point and a radius of at most 1000 km). Refusals of bad or huge geometry are "
    "those of coverage uploads (50,000 vertices, 12 million km²).",
    "properties": {
        "area": _GEOJSON,
        "units": {"type": "array", "items": _STRING, "maxItems": 400},
        "circle": _object(
            {
                "lon": {"type": "number", "minimum": -180, "maximum": 180},
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "radius_km": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 1000},
            }
        ),
    },
    "example": {"circle": {"lon": -92.26, "lat": 14.91, "radius_km": 50}},
}
_DISTRICT = _object(
    {
        "code": _STRING,
        "sending_country": _STRING,
        "host_country": _STRING,
        "district_share": {**_SHARE, "description": "Share of the district's area inside the crisis area."},
        "area_share": {**_SHARE, "description": "Share of the crisis area inside the district."},
        "overlap_km2": {"type": "number"},
        "consulate": _object(
            {
                "name": _STRING,
                "city": _STRING,
                "phone": _NULLABLE_STRING,
                "email": _NULLABLE_STRING,
                "url": _NULLABLE_STRING,
            }
        ),
    }
)
_ORGANISATION = _object(
    {
        "id": {"type": "string", "format": "uuid"},
        "name": _STRING,
        "country": _STRING,
        "url": _STRING,
        "area_share": {**_SHARE, "description": "Share of the crisis area its coverage covers."},
        "overlap_km2": {"type": "number"},
        "phones": {"type": "array", "items": _STRING},
        "emails": {"type": "array", "items": _STRING},
        "website": _NULLABLE_STRING,
        "last_verified": {"type": "string", "format": "date", "nullable": True},
        "site_inside": {"type": "boolean", "description": "One of its sites lies inside the area."},
        "sites": {
            "type": "array",
            "description": "Sites; an organisation that hides its location is at an approximate point unless the "
            "reader is a signed-in consular user or the TS.",
            "items": _object({"lon": {"type": "number"}, "lat": {"type": "number"}}),
        },
        "services": {"type": "array", "items": {"type": "string", "enum": sorted(vocabulary.SERVICE_CODES)}},
    }
)
_GROUP = _object({"code": _STRING, "label": _STRING, "organisations": {"type": "array", "items": _STRING}})
REPORT = _object(
    {
        "exact_locations": {"type": "boolean"},
        "area": _GEOJSON,
        "area_km2": {"type": "number"},
        "districts": {"type": "array", "items": _DISTRICT},
        "organisations": {"type": "array", "items": _ORGANISATION},
        "services": {"type": "array", "items": _GROUP},
        "gaps": {"type": "array", "items": _object({"code": _STRING, "label": _STRING})},
    }
)
_CRISIS = _object(
    {
        "id": {"type": "string", "format": "uuid"},
        "name": _STRING,
        "kind": {"type": "string", "enum": ["hurricane", "earthquake", "fire", "flood", "raid", "other"]},
        "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date", "nullable": True},
        "notes": _STRING,
        "area_source": {"type": "string", "enum": ["drawn", "upload", "units", "circle"]},
        "area_description": _STRING,
        "archived": {"type": "boolean"},
    }
)


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def crisis_paths(error: dict, sample_data: dict) -> dict:
    """The paths /crisis/report (POST) and /crises/{crisis_id} (GET)."""
    report = {**REPORT, "properties": {**REPORT["properties"], "sample_data": sample_data}}
    saved = {
        **report,
        "required": ["crisis", *report["required"]],
        "properties": {"crisis": _CRISIS, **report["properties"]},
    }
    return {
        "/crisis/report": {
            "post": {
                "operationId": "crisisReport",
                "summary": "For an affected area: the consular districts it meets, the published organisations "
                "whose coverage meets it (by service, with the share of the area) and the services nobody offers.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": REQUEST}}},
                "responses": {
                    "200": _json(report, "OK"),
                    "400": _json(error, "The area is missing, unreadable or refused (the message says why)."),
                    "415": _json(error, "The body is not JSON."),
                },
            }
        },
        "/crises/{crisis_id}": {
            "get": {
                "operationId": "getCrisis",
                "summary": "A saved crisis with its report as of now (consular users and the TS, signed in).",
                "parameters": [{"name": "crisis_id", "in": "path", "required": True, "schema": _STRING}],
                "responses": {
                    "200": _json(saved, "OK"),
                    "401": _json(error, "Not signed in."),
                    "403": _json(error, "Not a consular user or the TS."),
                    "404": _json(error, "Unknown id."),
                },
            }
        },
    }
