"""OGC API - Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) documents: landing page, conformance,
collections and item pages with their links. Plain functions of a base URL and the features; the
Flask views (ogc_views) only adapt the request, as in pygeoapi."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from directory_app import vocabulary
from directory_app.api import ogc_features
from directory_app.geography.models import ConsulateKind

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class CollectionInfo:
    id: str
    title: str
    description: str
    properties: dict[str, str]  # name -> JSON type
    filters: dict[str, str]  # query parameter -> description


COLLECTIONS = {
    info.id: info
    for info in (
        CollectionInfo(
            "organisations",
            "Organisations (sites)",
            "One point per site of each published organisation helping migrants. Sites of organisations "
            "that hide their exact location are at an approximate position (exact_position false).",
            {
                "organisation_id": "string",
                "name": "string",
                "site": "string",
                "city": "string",
                "region": "string",
                "country": "string",
                "services": "string",
                "exact_position": "boolean",
            },
            {
                "country": "ISO 3166-1 alpha-2 code of the organisation's country",
                "service": "service category code (" + ", ".join(sorted(vocabulary.SERVICE_CODES)) + ")",
            },
        ),
        CollectionInfo(
            "consulates",
            "Consulates",
            "Consular offices of the member countries (one point each).",
            {
                "code": "string",
                "name_es": "string",
                "name_en": "string",
                "kind": "string",
                "city": "string",
                "host_country": "string",
                "sending_countries": "string",
            },
            {
                "country": "host country (ISO 3166-1 alpha-2)",
                "sending_country": "a country the office serves (ISO 3166-1 alpha-2)",
                "kind": "office kind (" + ", ".join(k.value for k in ConsulateKind) + ")",
            },
        ),
        CollectionInfo(
            "districts",
            "Consular districts",
            "The area each consulate is responsible for, per sending country (simplified display geometry).",
            {
                "code": "string",
                "sending_country": "string",
                "consulate": "string",
                "consulate_name_es": "string",
                "consulate_name_en": "string",
                "city": "string",
                "host_country": "string",
                "approximate": "boolean",
                "area_km2": "number",
            },
            {"country": "sending country (ISO 3166-1 alpha-2)", "consulate": "consulate code"},
        ),
    )
}


def _link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def _format_links(url: str, media_type: str, title: str, args: dict | None = None) -> list[dict]:
    """self (JSON-like) and alternate (HTML) links of one resource."""
    query = dict(args or {})
    return [
        _link(f"{url}?{urlencode(query | {'f': 'json'})}", "self", media_type, f"{title} (JSON)"),
        _link(f"{url}?{urlencode(query | {'f': 'html'})}", "alternate", "text/html", f"{title} (HTML)"),
    ]


def landing_page(base: str, title: str) -> dict:
    return {
        "title": title,
        "description": "Civil-society organisations helping migrants, consulates and consular districts of the "
        "Regional Conference on Migration member countries, as OGC API - Features.",
        "links": [
            *_format_links(base + "/", "application/json", "Landing page"),
            _link(f"{base}/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "OpenAPI 3.0"),
            _link(f"{base}/api?f=html", "service-doc", "text/html", "API documentation"),
            _link(f"{base}/conformance", "conformance", "application/json", "Conformance classes"),
            _link(f"{base}/collections", "data", "application/json", "Collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def collection_document(base: str, info: CollectionInfo, extent: list[float] | None) -> dict:
    url = f"{base}/collections/{info.id}"
    document = {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            *_format_links(url, "application/json", info.title),
            _link(f"{url}/items?f=json", "items", GEOJSON, f"{info.title}: features"),
            _link(f"{url}/items?f=html", "items", "text/html", f"{info.title}: features (HTML)"),
        ],
    }
    if extent:
        document["extent"] = {"spatial": {"bbox": [extent], "crs": CRS84}}
    return document


def collections_document(base: str, extents: dict[str, list[float] | None]) -> dict:
    return {
        "links": _format_links(f"{base}/collections", "application/json", "Collections"),
        "collections": [collection_document(base, info, extents.get(info.id)) for info in COLLECTIONS.values()],
    }


def items_document(
    base: str, info: CollectionInfo, query: ogc_features.ItemQuery, features: list[dict], matched: int
) -> dict:
    """A page of features with numberMatched/numberReturned and self/alternate/next/prev links."""
    url = f"{base}/collections/{info.id}/items"
    args = dict(query.filters)
    if query.bbox:
        args["bbox"] = ",".join(f"{v:g}" for v in query.bbox)
    args["limit"] = query.limit
    links = _format_links(url, GEOJSON, info.title, args | {"offset": query.offset})
    links.append(_link(f"{base}/collections/{info.id}", "collection", "application/json", info.title))
    if query.offset + len(features) < matched:
        next_args = args | {"offset": query.offset + query.limit, "f": "json"}
        links.append(_link(f"{url}?{urlencode(next_args)}", "next", GEOJSON, "Next page"))
    if query.offset > 0:
        prev_args = args | {"offset": max(0, query.offset - query.limit), "f": "json"}
        links.append(_link(f"{url}?{urlencode(prev_args)}", "prev", GEOJSON, "Previous page"))
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    }


def item_document(base: str, info: CollectionInfo, feature: dict) -> dict:
    url = f"{base}/collections/{info.id}/items/{quote(str(feature['id']), safe='')}"
    links = _format_links(url, GEOJSON, str(feature["id"]))
    links.append(_link(f"{base}/collections/{info.id}", "collection", "application/json", info.title))
    return feature | {"links": links}
