"""Crisis reports in the JSON API (issue 19): POST an affected area, get the report; GET a saved crisis.

POST /api/v1/crisis/report takes a JSON body (Content-Type application/json, which a foreign web page
cannot send without a CORS preflight this API does not grant): {"area": GeoJSON}, {"units": [codes]} or
{"circle": {"lon", "lat", "radius_km"}}. It changes nothing, so it needs no CSRF token; the reader is
public (hidden sites approximate) unless signed in as a consular user or the TS.
GET /api/v1/crises/<id>: a saved crisis with its report as of now, for consular users and the TS."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from directory_app.accounts.access import sees_all_exact_locations
from directory_app.api.json_api import bp
from directory_app.api.params import ApiProblem
from directory_app.crisis.areas import AreaError, area_from_json
from directory_app.crisis.report import build_report
from directory_app.crisis.report_json import report_document
from directory_app.crisis.services import get_crisis, may_see_crises
from directory_app.extensions import csrf
from directory_app.geo_messages import geo_text
from directory_app.organisations.sample_data import mark_document
from directory_app.public_links import public_url
from geo.validate import GeometryError


def _page_url(organisation_uuid: str) -> str:
    return public_url("organisations.organisation_page", organisation_uuid=organisation_uuid)


@bp.post("/crisis/report")
@csrf.exempt
def crisis_report():
    if not request.is_json:
        raise ApiProblem(_("Send the area as JSON (Content-Type: application/json)."), 415)
    body = request.get_json(silent=True)
    if body is None:
        raise ApiProblem(_("The request body is not valid JSON."))
    try:
        area = area_from_json(body)
    except GeometryError as exc:
        raise ApiProblem(geo_text(exc), parameter=_given(body)) from None
    except AreaError as exc:
        raise ApiProblem(str(exc), parameter=_given(body)) from None
    report = build_report(area, exact=sees_all_exact_locations())
    return jsonify(mark_document(report_document(report, _page_url)))


def _given(body) -> str | None:
    if isinstance(body, dict):
        return next((key for key in ("area", "units", "circle") if key in body), None)
    return None


@bp.get("/crises/<crisis_id>")
def saved_crisis(crisis_id: str):
    if not current_user.is_authenticated:
        raise ApiProblem(_("Sign in as a consular user or the Technical Secretariat to read saved crises."), 401)
    if not may_see_crises(current_user):
        raise ApiProblem(_("Only consular users and the Technical Secretariat read saved crises."), 403)
    crisis = get_crisis(current_user, crisis_id[:40])
    if crisis is None:
        raise ApiProblem(_("There is no saved crisis with this id."), 404)
    report = build_report(crisis.geometry, exact=True)
    return jsonify(mark_document(report_document(report, _page_url, crisis)))
