"""The JSON API under /api/v1/ for the directory's own questions: search, one organisation, nearest
organisations to a point, organisations serving a district, districts and admin units at a point.

Errors are JSON ({"error", "status"[, "parameter", "problems"]}): 400 for a bad parameter, 404 for
an unknown id. While the directory holds demo organisations, every answer says `"sample_data": true`
(organisations.sample_data). The OpenAPI 3 document is at /api/v1/openapi.json, readable docs at /api/v1/docs."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.access import exact_location_rule, sees_all_exact_locations, viewer_key
from directory_app.api import json_api_queries as answers
from directory_app.api.common import prepare_api_blueprint
from directory_app.api.openapi import json_api_openapi
from directory_app.api.params import (
    ApiProblem,
    bbox_param,
    canonical_uuid,
    float_param,
    int_param,
    path_text,
    text_param,
)
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.organisations.sample_data import mark_document
from directory_app.organisations.search import parse_directory_query
from directory_app.organisations.service_choice import ServiceChoice, raw_values, read_service_choice
from directory_app.public_links import public_url

bp = prepare_api_blueprint(Blueprint("json_api", __name__, url_prefix="/api/v1"))
MAX_PER_PAGE = 100
MAX_NEAREST = 50


def _page_url(organisation_uuid: str) -> str:
    return public_url("organisations.organisation_page", organisation_uuid=organisation_uuid)


def _server_url() -> str:
    """The OpenAPI server: the public address of /api/v1."""
    return public_url("json_api.search").rsplit("/", 1)[0]


def _service() -> ServiceChoice:
    """`service` (repeatable, or comma-separated) and `match` (any|all): the organisations offering any,
    or all, of these service categories."""
    choice, problems = read_service_choice(request.args)
    if problems:
        known = vocabulary.SERVICE_CODES
        parameter = "service" if any(v not in known for v in raw_values(request.args, "service")) else "match"
        raise ApiProblem(" ".join(problems), parameter=parameter)
    return choice


def _point() -> tuple[float, float]:
    return float_param(request.args, "lon", -180, 180), float_param(request.args, "lat", -90, 90)


@bp.get("/organisations")
def search():
    query, problems = parse_directory_query(request.args)
    if problems:
        return jsonify(error=" ".join(problems), problems=problems, status=400), 400
    per_page = int_param(request.args, "per_page", 25, 1, MAX_PER_PAGE)
    bbox = bbox_param(request.args)
    found = answers.search_organisations(query, per_page, _page_url, bbox, viewer_key())
    return jsonify(mark_document(found))


@bp.get("/organisations/<organisation_id>")
def organisation(organisation_id: str):
    try:
        canonical = canonical_uuid(organisation_id)
    except ApiProblem:
        canonical = None
    found = canonical and answers.organisation_detail(canonical, exact_location_rule(), _page_url)
    if not found:
        raise ApiProblem(_("There is no published organisation with this id."), 404)
    return jsonify(mark_document(found))


@bp.get("/nearest")
def nearest():
    lon, lat = _point()
    k = int_param(request.args, "k", 10, 1, MAX_NEAREST)
    return jsonify(mark_document(answers.nearest(lon, lat, k, _service(), sees_all_exact_locations(), _page_url)))


@bp.get("/locate")
def locate():
    lon, lat = _point()
    return jsonify(mark_document(answers.places_at(lon, lat)))


@bp.get("/districts")
def districts():
    raw = text_param(request.args, "country", 10)
    country = raw.upper() or None
    if country and (
        len(country) != 2 or db.session.scalar(select(Country.code).where(Country.code == country)) is None
    ):
        raise ApiProblem(_("'%(value)s' is not a member country code.", value=raw), parameter="country")
    return jsonify(mark_document({"districts": answers.list_districts(country)}))


@bp.get("/districts/<code>/organisations")
def district_organisations(code: str):
    limit = int_param(request.args, "limit", 25, 1, MAX_PER_PAGE)
    offset = int_param(request.args, "offset", 0, 0, 100_000)
    bbox = bbox_param(request.args)
    found = answers.district_organisations(
        path_text(code, 70), _service(), limit, offset, _page_url, bbox, viewer_key()
    )
    if found is None:
        raise ApiProblem(_("There is no consular district with the code '%(value)s'.", value=code[:70]), 404)
    return jsonify(mark_document(found))


@bp.get("/openapi.json")
def openapi():
    return jsonify(json_api_openapi(_server_url()))


@bp.get("/docs")
def docs():
    spec = json_api_openapi(_server_url())
    return render_template(
        "api/openapi.html",
        spec=spec,
        spec_url=public_url("json_api.openapi"),
        title=_("CAMMINA Directory JSON API"),
    )
