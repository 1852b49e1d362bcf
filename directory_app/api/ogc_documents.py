"""OGC API - Features documents: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0: landing page, conformance,
collections, items and item pages with their links), Part 2 (the CRS lists of each collection, the
features in the CRS asked for) and Part 3 (queryables as JSON Schema). Plain functions of a base URL
and the features; the Flask views (ogc_views) only adapt the request, as in pygeoapi."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from directory_app import vocabulary
from directory_app.api import ogc_cql, ogc_crs, ogc_features
from directory_app.geography.models import ConsulateKind

# Exactly what is implemented: Part 1, Part 2 (CRS), Part 3 (filtering with CQL2, queryables) and the
# CQL2 classes of ogc_cql. `sortby` and `properties` follow drafts that have no final class yet.
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    *ogc_cql.CONFORMANCE,
]
CRS84 = ogc_crs.CRS84
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class CollectionInfo:
    id: str
    title: str
    description: str
    properties: dict[str, str]  # name -> JSON type
    filters: dict[str, str]  # query parameter -> description
    lists: tuple[str, ...] = ()  # properties that are comma-separated lists: not queryable nor sortable

    @property
    def queryables(self) -> list[str]:
        return [name for name in self.properties if name not in self.lists]


COLLECTIONS = {
    info.id: info
    for info in (
        CollectionInfo(
            "organisations",
            "Organisations (sites)",
            "One point per site of each published organisation helping migrants. Sites of organisations "
            "that hide their exact location are at an approximate position (exact_position false). "
            "`datetime` and the temporal extent are the organisation's last update (property `updated`).",
            {
                "organisation_id": "string",
                "name": "string",
                "site": "string",
                "city": "string",
                "region": "string",
                "country": "string",
                "services": "string",
                "exact_position": "boolean",
                "updated": "date-time",
            },
            {
                "country": "ISO 3166-1 alpha-2 code of the organisation's country",
                "service": "service category code (" + ", ".join(sorted(vocabulary.SERVICE_CODES)) + ")",
            },
            ("services",),
        ),
        CollectionInfo(
            "consulates",
            "Consulates",
            "Consular offices of the member countries (one point each). `datetime` and the temporal extent are "
            "the office's last update (property `updated`).",
            {
                "code": "string",
                "name_es": "string",
                "name_en": "string",
                "kind": "string",
                "city": "string",
                "host_country": "string",
                "sending_countries": "string",
                "updated": "date-time",
            },
            {
                "country": "host country (ISO 3166-1 alpha-2)",
                "sending_country": "a country the office serves (ISO 3166-1 alpha-2)",
                "kind": "office kind (" + ", ".join(k.value for k in ConsulateKind) + ")",
            },
            ("sending_countries",),
        ),
        CollectionInfo(
            "districts",
            "Consular districts",
            "The area each consulate is responsible for, per sending country (simplified display geometry). "
            "`provenance` is official (every unit from an official source), approximate (every unit to the "
            "nearest consulate) or mixed (`official_units` of `units`); `source` names the sources and "
            "`source_date` the newest date they state. "
            "`datetime` and the temporal extent are the district's last update (property `updated`).",
            {
                "code": "string",
                "sending_country": "string",
                "consulate": "string",
                "consulate_name_es": "string",
                "consulate_name_en": "string",
                "city": "string",
                "host_country": "string",
                "approximate": "boolean",
                "provenance": "string",
                "official_units": "integer",
                "units": "integer",
                "source": "string",
                "source_date": "date",
                "area_km2": "number",
                "updated": "date-time",
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


Extent = tuple[list[float] | None, list[str | None] | None]  # ogc_features.extent


def collection_document(base: str, info: CollectionInfo, extent: Extent) -> dict:
    url = f"{base}/collections/{info.id}"
    document = {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "itemType": "feature",
        "crs": list(ogc_crs.SUPPORTED),
        "storageCrs": CRS84,
        "links": [
            *_format_links(url, "application/json", info.title),
            _link(f"{url}/items?f=json", "items", GEOJSON, f"{info.title}: features"),
            _link(f"{url}/items?f=html", "items", "text/html", f"{info.title}: features (HTML)"),
            _link(f"{url}/queryables?f=json", QUERYABLES_REL, SCHEMA_JSON, f"{info.title}: queryables"),
        ],
    }
    spatial, temporal = extent
    if spatial:
        document["extent"] = {"spatial": {"bbox": [spatial], "crs": CRS84}}
        if temporal:
            document["extent"]["temporal"] = {"interval": [temporal], "trs": TRS}
    return document


def collections_document(base: str, extents: dict[str, Extent]) -> dict:
    return {
        "links": _format_links(f"{base}/collections", "application/json", "Collections"),
        "collections": [collection_document(base, info, extents.get(info.id)) for info in COLLECTIONS.values()],
    }


def items_document(
    base: str,
    info: CollectionInfo,
    query: ogc_features.ItemQuery,
    page: tuple[list[dict], int],
    request_args: dict[str, str],
    shape: FeatureShape,
) -> dict:
    """A page of features with numberMatched/numberReturned and self/alternate/next/prev links (which
    repeat the request's own parameters: filters, crs, sortby...); for `resulttype=hits` no feature and
    no next link."""
    features, matched = page
    features = [shape.apply(feature) for feature in features]
    url = f"{base}/collections/{info.id}/items"
    args = {name: value for name, value in request_args.items() if name not in ("offset", "f")}
    args["limit"] = query.limit
    links = _format_links(url, GEOJSON, info.title, args | {"offset": query.offset})
    links.append(_link(f"{base}/collections/{info.id}", "collection", "application/json", info.title))
    if not query.hits and query.offset + len(features) < matched:
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


def item_document(base: str, info: CollectionInfo, feature: dict, shape: FeatureShape) -> dict:
    url = f"{base}/collections/{info.id}/items/{quote(str(feature['id']), safe='')}"
    links = _format_links(url, GEOJSON, str(feature["id"]))
    links.append(_link(f"{base}/collections/{info.id}", "collection", "application/json", info.title))
    return shape.apply(feature) | {"links": links}


@dataclass(frozen=True)
class FeatureShape:
    """How features are written: in which CRS (Part 2 `crs`) and with which properties (`properties`;
    None for all)."""

    crs: ogc_crs.Crs = ogc_crs.DEFAULT
    properties: tuple[str, ...] | None = None

    def apply(self, feature: dict) -> dict:
        """The feature as this shape writes it: itself when CRS84 with every property (the features
        may be shared, kept by ogc_features: a document is written, never changed in place), else a new
        dict."""
        if self.crs.is_crs84 and self.properties is None:
            return feature
        out = dict(feature)
        if not self.crs.is_crs84:
            out["geometry"] = ogc_crs.geometry_to(feature["geometry"], self.crs)
        if self.properties is not None:
            out["properties"] = {name: feature["properties"][name] for name in self.properties}
        return out


_JSON_TYPES = {"date-time": {"type": "string", "format": "date-time"}, "date": {"type": "string", "format": "date"}}
_GEOMETRY = {"organisations": "geometry-point", "consulates": "geometry-point", "districts": "geometry-multipolygon"}


def queryables_document(base: str, info: CollectionInfo) -> dict:
    """Part 3 queryables: a JSON Schema of the properties a filter (and sortby) may name."""
    url = f"{base}/collections/{info.id}/queryables"
    properties = {
        "geometry": {"title": "geometry", "format": _GEOMETRY[info.id], "description": _GEOMETRY_NOTE[info.id]}
    }
    for name in info.queryables:
        kind = info.properties[name]
        properties[name] = {"title": name, **_JSON_TYPES.get(kind, {"type": kind})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": f"{info.title}: queryables",
        "properties": properties,
        "additionalProperties": False,
    }


_GEOMETRY_NOTE = {
    "organisations": "The position of the site as published to the reader (approximate for sites whose "
    "organisation hides its exact location).",
    "consulates": "The position of the office.",
    "districts": "The district's area (its display geometry, before the simplification of the features).",
}
