"""The public map and the GeoJSON layers that every map of the directory fetches.

Each layer endpoint is one line of request handling around maps.layers; responses carry an ETag
of the data version, are gzip-compressed and answered 304 when the browser has them already."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory_app.accounts import access
from directory_app.embedded_maps import language
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.maps import area_layers, layers, site_points
from directory_app.maps.cache import layer_response
from directory_app.maps.public_map import public_map_context
from directory_app.organisations import site_boxes
from directory_app.organisations.display import template_helpers
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.profile import may_see_unpublished
from directory_app.organisations.search import matching_organisation_ids, parse_directory_query
from directory_app.organisations.service_choice import read_service_choice
from directory_app.request_params import bounding_box

bp = Blueprint("maps", __name__)
bp.context_processor(template_helpers)


@bp.get("/map")
def public_map():
    return render_template("maps/public_map.html", **public_map_context(request.args))


@bp.get("/maps/organisations.geojson")
def organisation_points():
    return _organisations_layer("organisations.geojson", layers.organisation_points)


@bp.get("/maps/organisation-points.json")
def organisation_point_table():
    """The organisations layer of the maps: [lon, lat, exact, site id] rows (maps.site_points)."""
    return _organisations_layer("organisation-points.json", site_points.point_table)


def _organisations_layer(name: str, build):
    """The sites of the organisations the directory's filters choose, written by `build(ids, rule,
    sites)`, cached per filters, box and kind of reader. With `bbox` (west,south,east,north), only the
    sites whose position shown to this reader lies in it (organisations.site_boxes, through an index):
    a hidden site is found at its public position only by who may not see the exact one."""
    query, problems = parse_directory_query(request.args)
    if problems:
        abort(400, description=" ".join(problems))
    box = bounding_box(request.args)
    viewer = access.viewer_key()
    key = f"{name}?{sorted(query.url_args(sort='name', page=1).items())}&bbox={box}&viewer={viewer}"
    rule = access.exact_location_rule()
    ids, sites = matching_organisation_ids(query), None
    if box is not None:
        ids = ids.where(Organisation.id.in_(site_boxes.organisations_shown_in_boxes(viewer, (box,))))
        sites = site_boxes.sites_shown_in_boxes(viewer, (box,))
    return layer_response(
        key,
        layers.organisations_version(),
        lambda: build(ids, rule, sites),
        private=viewer != "public",
        keep=box is None,
    )


@bp.get("/maps/sites/<int:site_id>.json")
def site_details(site_id: int):
    """One site of the organisations layer with what its tooltip and popup show (maps.site_points)."""
    query, _problems = parse_directory_query(MultiDict())
    owner = site_points.visible_owner(site_id, matching_organisation_ids(query))
    if owner is None:
        abort(404)
    viewer = access.viewer_key()
    rule = access.exact_location_rule()
    return layer_response(
        f"sites/{site_id}.json&viewer={viewer}",
        layers.organisations_version(),
        lambda: site_points.site_feature(site_id, owner, rule),
        private=viewer != "public",
    )


@bp.get("/maps/districts.geojson")
def districts():
    lang = language()
    country = request.args.get("country") or None
    if country and country not in layers.sending_countries_with_districts():
        abort(400, description=_("No consular districts for the sending country '%(country)s'.", country=country))
    low_zoom = _low_zoom()
    return layer_response(
        f"districts.geojson?{lang}&{country}&low={low_zoom}",
        layers.districts_version(),
        lambda: layers.districts_overview(lang, country, low_zoom=low_zoom),
    )


def _low_zoom() -> bool:
    """`detail=low`: the layer for a map's first views (zoom 4 and less, geo.simplify.low_zoom_coverage),
    which directory-map.js draws until the reader zooms in."""
    detail = request.args.get("detail") or ""
    if detail not in ("", "low"):
        abort(400, description=_("Unknown detail '%(detail)s': leave it out or use 'low'.", detail=detail))
    return detail == "low"


@bp.get("/maps/districts/<code>.geojson")
def district(code: str):
    found = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
    if found is None:
        abort(404)
    lang = language()
    return layer_response(
        f"district/{code}.geojson?{lang}", layers.districts_version(), lambda: layers.district_outline(found, lang)
    )


@bp.get("/maps/district-counts.json")
def district_counts():
    choice, problems = read_service_choice(request.args)
    if problems:
        abort(400, description=" ".join(problems))
    version = f"{layers.organisations_version()}/{layers.districts_version()}"
    return layer_response(f"district-counts.json?{choice.key()}", version, lambda: layers.district_counts(choice))


@bp.get("/maps/organisations/<organisation_uuid>/coverage.geojson")
def organisation_coverage(organisation_uuid: str):
    organisation = _visible_organisation(organisation_uuid)
    exact = access.sees_exact_location(organisation)
    return layer_response(
        f"coverage/{organisation.uuid}.geojson?exact={exact}",
        f"{organisation.version}:{organisation.updated_at}",
        lambda: layers.organisation_coverage(organisation, exact),
        private=access.viewer_key() != "public",
    )


@bp.get("/maps/consulates.geojson")
def consulates():
    lang = language()
    return layer_response(
        f"consulates.geojson?{lang}", layers.districts_version(), lambda: layers.consulate_points(lang)
    )


@bp.get("/maps/units/<code>.geojson")
def unit_outline(code: str):
    """One admin unit (the coverage editor draws the units ticked in its checklist)."""
    if not area_layers.unit_exists(code):
        abort(404)
    lang = language()
    return layer_response(
        f"unit/{code}.geojson?{lang}", layers.districts_version(), lambda: area_layers.unit_outline(code)
    )


@bp.get("/maps/countries/<code>.geojson")
def country_outline(code: str):
    """One member country (the coverage editor draws it when the whole country is ticked)."""
    if not area_layers.country_exists(code):
        abort(404)
    lang = language()
    return layer_response(
        f"country/{code}.geojson?{lang}", layers.districts_version(), lambda: area_layers.country_outline(code, lang)
    )


@bp.get("/maps/base.geojson")
def base_layer():
    lang = language()
    low_zoom = _low_zoom()
    return layer_response(
        f"base.geojson?{lang}&low={low_zoom}",
        layers.districts_version(),
        lambda: layers.base_layer(lang, low_zoom=low_zoom),
    )


@bp.get("/maps/places/<int:tier>.geojson")
def city_names(tier: int):
    """The offline base map's city names, a population tier at a time (maps.area_layers.CITY_TIERS)."""
    if tier >= len(area_layers.CITY_TIERS):
        abort(404)
    return layer_response(f"places/{tier}.geojson", "gazetteer", lambda: area_layers.city_names(tier))


def _visible_organisation(organisation_uuid: str) -> Organisation:
    try:
        canonical = str(UUID(organisation_uuid))
    except ValueError:
        abort(404)
    organisation = db.session.scalar(select(Organisation).where(Organisation.uuid == canonical))
    if organisation is None:
        abort(404)
    if organisation.status != Status.PUBLISHED and not may_see_unpublished():
        abort(404)
    return organisation
