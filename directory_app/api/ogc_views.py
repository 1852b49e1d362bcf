"""OGC API - Features under /ogc/ (landing page, /conformance, /collections, items, one item,
queryables, /api).

JSON (GeoJSON for features, JSON Schema for queryables) or HTML, chosen by `f=json|html` or else by
the Accept header. Readable by GDAL's OAPIF driver and so by QGIS: `ogrinfo OAPIF:https://host/ogc`.
Every endpoint refuses a parameter it does not know (ogc_params.refuse_unknown)."""

from __future__ import annotations

import orjson
from flask import Blueprint, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.access import viewer_key
from directory_app.api import ogc_cql, ogc_extents, ogc_params
from directory_app.api import ogc_documents as docs
from directory_app.api import ogc_features as features
from directory_app.api.common import prepare_api_blueprint
from directory_app.api.ogc_openapi import ogc_openapi
from directory_app.api.params import ApiProblem, int_param, path_text, text_param
from directory_app.errors import OGC_EXCEPTION_CODES
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
    body = {"error": problem.message, "status": problem.status, "description": problem.message}
    body["code"] = OGC_EXCEPTION_CODES.get(problem.status, "NoApplicableCode")  # OGC API exception format
    if problem.parameter:
        body["parameter"] = problem.parameter
    return jsonify(body), problem.status


@bp.after_request
def _vary_on_accept(response):
    response.vary.add("Accept")  # JSON or HTML from the same URL: caches must keep both
    return response


def _base() -> str:
    return public_url("ogc.landing").rstrip("/")


def _respond(document: dict, template: str, media_type: str = "application/json", crs=None, **context):
    if _wants_html():
        response = make_response(render_template(template, document=document, title=TITLE, **context))
    else:
        response = _json_response(document, media_type)
    if crs is not None:
        response.headers["Content-Crs"] = f"<{crs.uri}>"  # Part 2: the CRS of the features
    return response


# As jsonify writes them (keys sorted; dates, dataclasses and other types through Flask's provider), with
# orjson: a page of 100 features in 0.1 ms where json's encoder took 1 ms, a quarter of the page's time.
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _json_response(document: dict, media_type: str):
    body = orjson.dumps(document, default=current_app.json.default, option=_JSON_OPTIONS)
    return current_app.response_class(body, mimetype=media_type)


def _known(*names) -> None:
    ogc_params.refuse_unknown(request.args, names)


@bp.get("/")
def landing():
    _known()
    return _respond(docs.landing_page(_base(), TITLE), "ogc/landing.html")


@bp.get("/conformance")
def conformance():
    _known()
    return _respond(docs.conformance(), "ogc/conformance.html")


@bp.get("/api")
def api():
    _known()
    document = ogc_openapi(_base())
    if _wants_html():
        return render_template(
            "api/openapi.html", spec=document, spec_url=f"{_base()}/api", title=_("OGC API - Features: OpenAPI 3.0")
        )
    response = jsonify(document)
    response.content_type = "application/vnd.oai.openapi+json;version=3.0"  # GDAL checks the version
    return response


@bp.get("/collections")
def collections():
    _known()
    viewer = features.Viewer(viewer_key())
    extents = {key: ogc_extents.extent(key, viewer) for key in docs.COLLECTIONS}
    return _respond(docs.collections_document(_base(), extents), "ogc/collections.html")


def _collection_info(collection_id: str) -> docs.CollectionInfo:
    info = docs.COLLECTIONS.get(collection_id)
    if info is None:
        raise ApiProblem(_("There is no collection '%(id)s'.", id=collection_id[:80]), 404)
    return info


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    info = _collection_info(collection_id)
    _known()
    document = docs.collection_document(_base(), info, ogc_extents.extent(info.id, features.Viewer(viewer_key())))
    return _respond(document, "ogc/collection.html", info=info)


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    info = _collection_info(collection_id)
    _known()
    return _respond(docs.queryables_document(_base(), info), "ogc/queryables.html", docs.SCHEMA_JSON, info=info)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    info = _collection_info(collection_id)
    _known(*ogc_params.ITEMS, *info.filters)
    query = _item_query(info)
    shape = _feature_shape(info)
    page = _fetch(info.id, query, None)
    document = docs.items_document(_base(), info, query, page, request.args.to_dict(), shape)
    return _respond(document, "ogc/items.html", docs.GEOJSON, shape.crs, info=info, query=query)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    info = _collection_info(collection_id)
    _known(*ogc_params.ITEM)
    shape = _feature_shape(info)
    found, _count = _fetch(info.id, features.ItemQuery(limit=1), path_text(feature_id))
    if not found:
        raise ApiProblem(_("There is no feature '%(id)s' in this collection.", id=feature_id[:100]), 404)
    document = docs.item_document(_base(), info, found[0], shape)
    return _respond(document, "ogc/item.html", docs.GEOJSON, shape.crs, info=info)


def _fetch(collection_id: str, query: features.ItemQuery, feature_id: str | None) -> tuple[list[dict], int]:
    if collection_id == "organisations":
        version = current_app.extensions["page_cache"].version()  # read anyway (sample data's header)
        return features.organisation_sites(query, features.Viewer(viewer_key()), feature_id, version)
    if collection_id == "consulates":
        return features.consulates(query, feature_id)
    return features.districts(query, feature_id)


def _feature_shape(info: docs.CollectionInfo) -> docs.FeatureShape:
    return docs.FeatureShape(
        crs=ogc_params.crs_param(request.args, "crs"),
        properties=ogc_params.properties_param(request.args, info.properties),
    )


def _item_query(info: docs.CollectionInfo) -> features.ItemQuery:
    args = request.args
    limit = int_param(args, "limit", docs.DEFAULT_LIMIT, 1, 10**9)
    language = text_param(args, "filter-lang", 20) or "cql2-text"
    if language not in ogc_params.FILTER_LANGUAGES:
        raise ApiProblem(
            _("'filter-lang' must be one of %(names)s.", names=", ".join(ogc_params.FILTER_LANGUAGES)),
            parameter="filter-lang",
        )
    text = text_param(args, "filter", ogc_cql.MAX_FILTER + 1)
    return features.ItemQuery(
        boxes=ogc_params.bbox_boxes(args, ogc_params.crs_param(args, "bbox-crs")),
        limit=min(limit, docs.MAX_LIMIT),  # OGC: a larger limit is served at the maximum
        offset=int_param(args, "offset", 0, 0, 10**7),
        filters={name: _filter_value(name) for name in info.filters if text_param(args, name)},
        interval=ogc_params.datetime_interval(args),
        cql=ogc_cql.parse(text, "cql2-json" if language == "cql2-json" else "cql2-text") if text else None,
        filter_crs=ogc_params.crs_param(args, "filter-crs"),
        sortby=ogc_params.sortby_param(args, info.queryables),
        hits=ogc_params.hits_param(args),
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
