"""Following districts and organisations.

Routes (blueprint "watch"; every one needs a signed-in account, every POST a CSRF token):
    POST /districts/<code>/follow | /unfollow          watch.follow_district | watch.unfollow_district
    POST /organisations/<uuid>/follow | /unfollow      watch.follow_organisation | watch.unfollow_organisation
    GET  /watches                                      watch.watches   what I follow, with unfollow buttons
    GET  /districts/<code>/feed.atom                   watch.district_feed (feeds.py; public)
    GET  /organisations/<uuid>/still-correct           watch.still_correct (reminder_views.py)
    GET/POST /admin/reminders                          watch.schedule (reminder_views.py; TS only)
"""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.i18n import current_language
from directory_app.organisations.models import Organisation, Status
from directory_app.watch.follows import find_watch, follow, unfollow, watches_of
from directory_app.watch.forms import FollowForm

bp = Blueprint("watch", __name__)


def _district(code: str) -> ConsularDistrict:
    district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
    if district is None:
        abort(404)
    return district


def _organisation(organisation_uuid: str) -> Organisation:
    """A published organisation (what the public page shows), else 404."""
    try:
        canonical = str(UUID(organisation_uuid))
    except ValueError:
        abort(404)
    organisation = db.session.scalar(select(Organisation).where(Organisation.uuid == canonical))
    if organisation is None or organisation.status != Status.PUBLISHED:
        abort(404)
    return organisation


def _checked_form() -> FollowForm:
    form = FollowForm()
    if not form.validate():
        abort(400)
    return form


def _back(form: FollowForm, page_url: str):
    return redirect(url_for("watch.watches") if form.back.data == "watches" else page_url)


@bp.post("/districts/<code>/follow")
@login_required
def follow_district(code: str):
    form = _checked_form()
    district = _district(code)
    follow(current_user, district=district)
    db.session.commit()
    return _back(form, url_for("referrals.district_page", code=district.code))


@bp.post("/districts/<code>/unfollow")
@login_required
def unfollow_district(code: str):
    form = _checked_form()
    district = _district(code)
    unfollow(current_user, district=district)
    db.session.commit()
    return _back(form, url_for("referrals.district_page", code=district.code))


@bp.post("/organisations/<organisation_uuid>/follow")
@login_required
def follow_organisation(organisation_uuid: str):
    form = _checked_form()
    organisation = _organisation(organisation_uuid)
    follow(current_user, organisation=organisation)
    db.session.commit()
    return _back(form, url_for("organisations.organisation_page", organisation_uuid=organisation.uuid))


@bp.post("/organisations/<organisation_uuid>/unfollow")
@login_required
def unfollow_organisation(organisation_uuid: str):
    form = _checked_form()
    try:
        canonical = str(UUID(organisation_uuid))
    except ValueError:
        abort(404)
    organisation = db.session.scalar(select(Organisation).where(Organisation.uuid == canonical))
    if organisation is None:
        abort(404)
    unfollow(current_user, organisation=organisation)  # also one archived since it was followed
    db.session.commit()
    if organisation.status != Status.PUBLISHED:
        return redirect(url_for("watch.watches"))
    return _back(form, url_for("organisations.organisation_page", organisation_uuid=organisation.uuid))


@bp.get("/watches")
@login_required
def watches():
    """What the signed-in person follows, each with its unfollow button."""
    rows = watches_of(current_user, current_language())
    return render_template("watch/watches.html", rows=rows, form=FollowForm())


def is_following(kind: str, key: str) -> bool:
    """For templates: does the signed-in person follow this district (code) or organisation (uuid)?"""
    if not current_user.is_authenticated:
        return False
    if kind == "district":
        district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == key))
        return district is not None and find_watch(current_user, district=district) is not None
    organisation = db.session.scalar(select(Organisation).where(Organisation.uuid == key))
    return organisation is not None and find_watch(current_user, organisation=organisation) is not None


def template_globals() -> dict:
    """The globals of templates/watch/_follow.html (included by the district and organisation pages)."""
    return {"is_following": is_following}
