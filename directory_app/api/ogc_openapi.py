"""The OpenAPI 3.0 document of the OGC API - Features endpoints (served at /ogc/api)."""

from __future__ import annotations

from directory_app.api import ogc_crs
from directory_app.api.ogc_cql import MAX_FILTER
from directory_app.api.ogc_documents import COLLECTIONS, DEFAULT_LIMIT, MAX_LIMIT
from directory_app.api.ogc_params import FILTER_LANGUAGES, RESULT_TYPES

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
_RESULT_TYPE = {
    "name": "resulttype",
    "in": "query",
    "required": False,
    "description": "results (the default): the page of features; hits: only how many match (numberMatched), "
    "with no features.",
    "schema": {"type": "string", "enum": list(RESULT_TYPES), "default": "results"},
}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of messages and HTML pages (else chosen by the Accept-Language header).",
    "schema": {"type": "string", "enum": ["es", "en", "fr"]},
}
_BBOX = {
    "name": "bbox",
    "in": "query",
    "required": False,
    "description": "Only features whose geometry intersects the box: west, south, east, north (or west, south, "
    "lowest, east, north, highest; the features have no height) in bbox-crs and its axis order. A west edge east "
    "of the east edge crosses the antimeridian.",
    "style": "form",
    "explode": False,
    "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
}


def _crs_param(name: str, description: str) -> dict:
    schema = {"type": "string", "format": "uri", "enum": list(ogc_crs.SUPPORTED), "default": ogc_crs.CRS84}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_CRS = _crs_param("crs", "CRS of the features' coordinates (Part 2); the response says it in Content-Crs.")
_BBOX_CRS = _crs_param("bbox-crs", "CRS of bbox (Part 2).")
_FILTER_CRS = _crs_param("filter-crs", "CRS of the geometries in filter (Part 3).")
_DATETIME = {
    "name": "datetime",
    "in": "query",
    "required": False,
    "description": "Only features whose entry was last updated (property `updated`) at this RFC 3339 date-time or "
    "date, or within this interval: start/end, '..' for an open end.",
    "schema": {"type": "string"},
}
_FILTER = {
    "name": "filter",
    "in": "query",
    "required": False,
    "description": "A CQL2 filter on the queryables (/collections/{collectionId}/queryables): comparisons, LIKE, "
    "BETWEEN, IN, IS NULL, AND/OR/NOT, S_INTERSECTS and the other spatial functions on `geometry`.",
    "schema": {"type": "string", "maxLength": MAX_FILTER},
}
_FILTER_LANG = {
    "name": "filter-lang",
    "in": "query",
    "required": False,
    "description": "Encoding of filter: cql2-text (default) or cql2-json; cql-text, the name of drafts that GDAL's "
    "OAPIF driver sends, is read as cql2-text.",
    "schema": {"type": "string", "enum": list(FILTER_LANGUAGES), "default": "cql2-text"},
}


def _sortby(names: list[str]) -> dict:
    return {
        "name": "sortby",
        "in": "query",
        "required": False,
        "description": "Sort by these queryables, each with + (ascending, the default) or - before it.",
        "style": "form",
        "explode": False,
        "schema": {
            "type": "array",
            "items": {"type": "string", "enum": [p + n for n in names for p in ("", "+", "-")]},
        },
    }


def _properties(names: list[str]) -> dict:
    return {
        "name": "properties",
        "in": "query",
        "required": False,
        "description": "Only these properties in each feature (an empty value: none).",
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "items": {"type": "string", "enum": names}},
    }


def _ok(description: str, media_type: str = "application/json") -> dict:
    return {
        "200": {"description": description, "content": {media_type: {"schema": {"type": "object"}}, "text/html": {}}},
        "400": {"description": "Bad or unknown parameter (JSON message)."},
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
                "parameters": [_FORMAT, _LANG],
                "responses": _ok("Collection"),
            }
        },
        f"{base}/queryables": {
            "get": {
                "summary": f"{info.title}: queryables",
                "operationId": f"get_{collection_id}_queryables",
                "parameters": [_FORMAT, _LANG],
                "responses": _ok("The queryables (JSON Schema).", "application/schema+json"),
            }
        },
        f"{base}/items": {
            "get": {
                "summary": f"{info.title}: features",
                "description": info.description,
                "operationId": f"get_{collection_id}_features",
                "tags": [collection_id],
                "parameters": [
                    _LIMIT,
                    _OFFSET,
                    _RESULT_TYPE,
                    _BBOX,
                    _BBOX_CRS,
                    _DATETIME,
                    _CRS,
                    _FILTER,
                    _FILTER_LANG,
                    _FILTER_CRS,
                    _sortby(info.queryables),
                    _properties(list(info.properties)),
                    _FORMAT,
                    _LANG,
                    *filters,
                ],
                "responses": _ok("A page of features (GeoJSON FeatureCollection).", "application/geo+json"),
            }
        },
        f"{base}/items/{{featureId}}": {
            "get": {
                "summary": f"{info.title}: one feature",
                "operationId": f"get_{collection_id}_feature",
                "tags": [collection_id],
                "parameters": [feature_id, _CRS, _properties(list(info.properties)), _FORMAT, _LANG],
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
                "parameters": [_FORMAT, _LANG],
                "responses": _ok("Landing page"),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "parameters": [_FORMAT, _LANG],
                "responses": _ok("Conformance"),
            }
        },
        "/api": {
            "get": {
                "summary": "This document",
                "operationId": "getApi",
                "parameters": [_FORMAT, _LANG],
                "responses": _ok("OpenAPI 3.0", "application/vnd.oai.openapi+json"),
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "getCollections",
                "parameters": [_FORMAT, _LANG],
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
            "description": "Organisations helping migrants, consulates and consular districts (Part 1 Core, GeoJSON, "
            "HTML; Part 2 CRS; Part 3 queryables and CQL2 filters). Unknown parameters are refused (400).",
        },
        "servers": [{"url": base}],
        "paths": paths,
    }
