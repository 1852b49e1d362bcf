"""OGC API - Features under /ogc/ (landing page, /conformance, /collections, items, one item, /api).

JSON (GeoJSON for features) or HTML, chosen by `f=json|html` or else by the Accept header. Readable
by GDAL's OAPIF driver and so by QGIS: `ogrinfo OAPIF:https://host/ogc`."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.access import viewer_key
from directory_app.api import ogc_documents as docs
from directory_app.api import ogc_features as features
from directory_app.api.common import prepare_api_blueprint
from directory_app.api.ogc_openapi import ogc_openapi
from directory_app.api.params import ApiProblem, bbox_param, int_param, path_text, problem_response, text_param
from directory_app.extensions import db
from directory_app.geography.models import ConsulateKind, Country
from directory_app.public_links import public_url

bp = prepare_api_blueprint(Blueprint("ogc", __name__, url_prefix="/ogc"))
TITLE = "CAMMINA Directory: OGC API - Features"
JSON_TYPES = ("application/json", "application/geo+json", "application/vnd.oai.openapi+json")


def _wants_html() -> bool:
    fmt = text_param(request.args, "f", 10).lower()
    if fmt:
        if fmt not in ("json", "html"):
            raise ApiProblem(_("'f' must be json or html."), parameter="f")
        return fmt == "html"
    best = request.accept_mimetypes.best_match([*JSON_TYPES, "text/html"])
    return best == "text/html"


@bp.errorhandler(ApiProblem)
def _problem(problem: ApiProblem):
    if request.args.get("f") == "html" or (
        "f" not in request.args
        and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    ):
        return render_template("error.html", code=problem.status, message=problem.message), problem.status
    return problem_response(problem)


@bp.after_request
def _vary_on_accept(response):
    response.vary.add("Accept")  # JSON or HTML from the same URL: caches must keep both
    return response


def _base() -> str:
    return public_url("ogc.landing").rstrip("/")


def _respond(document: dict, template: str, media_type: str = "application/json", **context):
    if _wants_html():
        return render_template(template, document=document, title=TITLE, **context)
    response = jsonify(document)
    response.mimetype = media_type
    return response


@bp.get("/")
def landing():
    return _respond(docs.landing_page(_base(), TITLE), "ogc/landing.html")


@bp.get("/conformance")
def conformance():
    return _respond(docs.conformance(), "ogc/conformance.html")


@bp.get("/api")
def api():
    document = ogc_openapi(_base())
    if _wants_html():
        return render_template(
            "api/openapi.html", spec=document, spec_url=f"{_base()}/api", title=_("OGC API - Features: OpenAPI 3.0")
        )
    response = jsonify(document)
    response.mimetype = "application/vnd.oai.openapi+json"
    return response


@bp.get("/collections")
def collections():
    extents = {key: features.spatial_extent(key) for key in docs.COLLECTIONS}
    return _respond(docs.collections_document(_base(), extents), "ogc/collections.html")


def _collection_info(collection_id: str) -> docs.CollectionInfo:
    info = docs.COLLECTIONS.get(collection_id)
    if info is None:
        raise ApiProblem(_("There is no collection '%(id)s'.", id=collection_id[:80]), 404)
    return info


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    info = _collection_info(collection_id)
    document = docs.collection_document(_base(), info, features.spatial_extent(info.id))
    return _respond(document, "ogc/collection.html", info=info)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    info = _collection_info(collection_id)
    query = _item_query(info)
    found, matched = _fetch(info.id, query, None)
    document = docs.items_document(_base(), info, query, found, matched)
    return _respond(document, "ogc/items.html", docs.GEOJSON, info=info, query=query)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    info = _collection_info(collection_id)
    found, _count = _fetch(info.id, features.ItemQuery(limit=1), path_text(feature_id))
    if not found:
        raise ApiProblem(_("There is no feature '%(id)s' in this collection.", id=feature_id[:100]), 404)
    return _respond(docs.item_document(_base(), info, found[0]), "ogc/item.html", docs.GEOJSON, info=info)


def _fetch(collection_id: str, query: features.ItemQuery, feature_id: str | None) -> tuple[list[dict], int]:
    if collection_id == "organisations":
        return features.organisation_sites(query, features.Viewer(viewer_key()), feature_id)
    if collection_id == "consulates":
        return features.consulates(query, feature_id)
    return features.districts(query, feature_id)


def _item_query(info: docs.CollectionInfo) -> features.ItemQuery:
    args = request.args
    crs = text_param(args, "bbox-crs")
    if crs and crs != docs.CRS84:
        raise ApiProblem(_("Only bbox-crs %(crs)s is supported.", crs=docs.CRS84), parameter="bbox-crs")
    limit = int_param(args, "limit", docs.DEFAULT_LIMIT, 1, 10**9)
    return features.ItemQuery(
        bbox=bbox_param(args),
        limit=min(limit, docs.MAX_LIMIT),  # OGC: a larger limit is served at the maximum
        offset=int_param(args, "offset", 0, 0, 10**7),
        filters={name: _filter_value(name) for name in info.filters if text_param(args, name)},
    )


def _filter_value(name: str) -> str:
    raw = text_param(request.args, name, 80)
    if name in ("country", "sending_country"):
        code = raw.upper()
        if len(code) != 2 or db.session.scalar(select(Country.code).where(Country.code == code)) is None:
            raise ApiProblem(_("'%(value)s' is not a member country code.", value=raw), parameter=name)
        return code
    if name == "service" and raw not in vocabulary.SERVICE_CODES:
        raise ApiProblem(_("'%(value)s' is not a service category.", value=raw), parameter=name)
    if name == "kind" and raw not in {k.value for k in ConsulateKind}:
        raise ApiProblem(_("'%(value)s' is not a kind of consular office.", value=raw), parameter=name)
    return raw
