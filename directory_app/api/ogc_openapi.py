"""The OpenAPI 3.0 document of the OGC API - Features endpoints (served at /ogc/api)."""

from __future__ import annotations

from directory_app.api.ogc_documents import COLLECTIONS, DEFAULT_LIMIT, MAX_LIMIT

_FORMAT = {
    "name": "f",
    "in": "query",
    "required": False,
    "description": "Output format (else chosen by the Accept header).",
    "schema": {"type": "string", "enum": ["json", "html"]},
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "description": f"Features per page (larger values are served at {MAX_LIMIT}).",
    "style": "form",
    "explode": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
}
_OFFSET = {
    "name": "offset",
    "in": "query",
    "required": False,
    "description": "Features to skip (the next and prev links carry it).",
    "schema": {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0},
}
_BBOX = {
    "name": "bbox",
    "in": "query",
    "required": False,
    "description": "Only features that have a geometry that intersects the bounding box (lon/lat, CRS84).",
    "style": "form",
    "explode": False,
    "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
}


def _ok(description: str, media_type: str = "application/json") -> dict:
    return {
        "200": {"description": description, "content": {media_type: {"schema": {"type": "object"}}, "text/html": {}}},
        "400": {"description": "Bad parameter (JSON message)."},
    }


def _not_found() -> dict:
    return {"404": {"description": "No such collection or feature."}}


def _collection_paths(collection_id: str) -> dict:
    info = COLLECTIONS[collection_id]
    filters = [
        {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": "string"}}
        for name, description in info.filters.items()
    ]
    base = f"/collections/{collection_id}"
    feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        base: {
            "get": {
                "summary": f"{info.title}: metadata",
                "operationId": f"describe_{collection_id}",
                "parameters": [_FORMAT],
                "responses": _ok("Collection"),
            }
        },
        f"{base}/items": {
            "get": {
                "summary": f"{info.title}: features",
                "description": info.description,
                "operationId": f"get_{collection_id}_features",
                "tags": [collection_id],
                "parameters": [_LIMIT, _OFFSET, _BBOX, _FORMAT, *filters],
                "responses": _ok("A page of features (GeoJSON FeatureCollection).", "application/geo+json"),
            }
        },
        f"{base}/items/{{featureId}}": {
            "get": {
                "summary": f"{info.title}: one feature",
                "operationId": f"get_{collection_id}_feature",
                "tags": [collection_id],
                "parameters": [feature_id, _FORMAT],
                "responses": _ok("One feature (GeoJSON).", "application/geo+json") | _not_found(),
            }
        },
    }


def ogc_openapi(base: str) -> dict:
    """The OpenAPI 3.0.3 document, with `base` (the landing page URL without a slash) as server."""
    paths = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "parameters": [_FORMAT],
                "responses": _ok("Landing page"),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "parameters": [_FORMAT],
                "responses": _ok("Conformance"),
            }
        },
        "/api": {
            "get": {
                "summary": "This document",
                "operationId": "getApi",
                "parameters": [_FORMAT],
                "responses": _ok("OpenAPI 3.0", "application/vnd.oai.openapi+json"),
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "getCollections",
                "parameters": [_FORMAT],
                "responses": _ok("Collections"),
            }
        },
    }
    for collection_id in COLLECTIONS:
        paths |= _collection_paths(collection_id)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CAMMINA Directory: OGC API - Features",
            "version": "1.0.0",
            "description": "Organisations helping migrants, consulates and consular districts (Part 1 Core, GeoJSON).",
        },
        "servers": [{"url": base}],
        "paths": paths,
    }
