"""Our HSDS profile and the documents that describe the HSDS API: /hsds/profile (the page the `profile`
URI of /hsds/ names), /hsds/openapi.json (the `openapi_url`) and /hsds/docs (the same, readable).
Routes of the hsds blueprint (api.hsds_views), registered by api.blueprints."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_babel import gettext as _

from directory_app.api.hsds_openapi import OPEN_REFERRAL_OPENAPI, hsds_openapi
from directory_app.api.hsds_params import MAX_MINIMAL, MAX_PROXIMITY_M
from directory_app.api.hsds_views import bp
from directory_app.i18n import format_number
from directory_app.public_links import public_url


def _document() -> dict:
    return hsds_openapi(public_url("hsds.api_info").rstrip("/"), public_url("hsds.profile"))


@bp.get("/profile")
def profile():
    return render_template(
        "api/hsds_profile.html",
        openapi_url=public_url("hsds.openapi"),
        docs_url=public_url("hsds.docs"),
        api_url=public_url("hsds.api_info"),
        open_referral_url=OPEN_REFERRAL_OPENAPI,
        max_minimal=format_number(MAX_MINIMAL),
        max_metres=format_number(MAX_PROXIMITY_M),
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(_document())


@bp.get("/docs")
def docs():
    return render_template(
        "api/openapi.html",
        spec=_document(),
        spec_url=public_url("hsds.openapi"),
        title=_("CAMMINA Directory HSDS 3.0 API"),
    )
