"""Editing an organisation: create, edit, still correct, archive; a save over a newer version is merged
three ways (organisations.edit_merge). Each view finds the organisation from the URL, checks
may_edit, and hands the entry's data to the change workflow (organisations.editing: review's,
applied or proposed); the request commits once at the end. The edit and coverage pages say when a
change of the entry is already waiting for review (by whom, since when), and offer its author to
amend it.

Routes (blueprint "organisations"):
    GET/POST /organisations/new                    organisations.create
    GET/POST /organisations/<uuid>/edit            organisations.edit
    POST     /organisations/<uuid>/edit/merge      organisations.merge_edit   (edit_merge: the conflict page)
    POST     /organisations/<uuid>/verify          organisations.verify       ("still correct")
    GET/POST /organisations/<uuid>/archive         organisations.archive_organisation
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.exceptions import Forbidden

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import PermissionDenied, may_publish
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.forms import extra_form_fields
from directory_app.geography.models import Country
from directory_app.organisations.display import country_name, reader_language
from directory_app.organisations.edit_forms import (
    ENTRY_LANGUAGES,
    ActionForm,
    CreateForm,
    EditForm,
    form_to_data,
    form_values,
    with_extra_fields,
)
from directory_app.organisations.edit_merge import save_over_newer
from directory_app.organisations.editing import (
    VersionConflict,
    acting_user,
    change_workflow,
    editable_organisation,
    finish,
    may_edit_organisation,
    opened_snapshot,
)
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.language_names import picker_options
from directory_app.organisations.views import bp

bp.add_app_template_global(may_edit_organisation)  # the organisation page's edit bar (templates/edit/_bar.html)


def language_picker_options() -> list[list[str]]:
    """The languages the picker offers, named in the reader's language (language_names.picker_options)."""
    return picker_options(reader_language())


bp.add_app_template_global(language_picker_options)  # the service languages' picker (templates/edit/form.html)


@bp.errorhandler(PermissionDenied)
def _permission_denied(_error):
    """A service's refusal becomes the site's 403 page (which the audit log records)."""
    return current_app.handle_http_exception(Forbidden())


def _empty_snapshot(country_code: str | None) -> dict:
    return {"country_code": country_code, "kind": "ngo", "status": "published", "coverage": []}


def languages_of(snapshot: dict) -> dict:
    """Template variables: the entry's original language and the others its texts may be given in."""
    original = snapshot.get("original_language") or "es"
    return {"original_language": original, "other_languages": [lang for lang in ENTRY_LANGUAGES if lang != original]}


def attach_error(form, exc: ValidationError) -> None:
    """Show the service's message next to the field it names ("services[0].fees" -> services-0-fees)."""
    path = (exc.field or "").replace("lon/lat", "lat")
    field = form
    try:
        for part in path.replace("]", "").replace("[", ".").split("."):
            field = field[int(part)] if part.isdigit() else field[part]
        field.errors = list(field.errors) + [exc.message]
    except (KeyError, IndexError, TypeError, ValueError):
        form.form_errors.append(f"{exc.field}: {exc.message}" if exc.field else exc.message)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def create():
    user = acting_user()
    if not (may_publish(user) or user.role == Role.COUNTRY_CONTACT):
        abort(403)
    base = _empty_snapshot(user.country_code)
    form = with_extra_fields(CreateForm)(data=None if request.method == "POST" else form_values(base, None))
    countries = db.session.scalars(db.select(Country).order_by(Country.code)).all()
    form.country_code.choices = [(c.code, country_name(c)) for c in countries]
    status = 200
    if form.validate_on_submit():
        data = form_to_data(form, base)
        data["country_code"] = form.country_code.data if may_publish(user) else user.country_code
        try:
            return finish(
                change_workflow().submit_change(user, None, data, base_version=None, comment=form.comment.data)
            )
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
    if request.method == "POST":
        status = 400
    return render_template(
        "edit/form.html",
        form=form,
        org=None,
        choose_country=may_publish(user),
        extra_fields=extra_form_fields(form),
        **languages_of(base),
    ), status


@bp.route("/organisations/<organisation_uuid>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    current = snapshot_of(org)
    form = with_extra_fields(EditForm)(data=None if request.method == "POST" else form_values(current, org.version))
    if form.validate_on_submit():
        # read on top of the version the form was opened on, so its rows keep their items' ids
        data = form_to_data(form, opened_snapshot(org, form.version.data, current) or current)
        try:
            try:
                return finish(
                    change_workflow().submit_change(
                        acting_user(), org, data, base_version=form.version.data, comment=form.comment.data
                    )
                )
            except VersionConflict:
                db.session.rollback()
                return save_over_newer(organisation_uuid, data, form.version.data, form.comment.data)
        except ValidationError as exc:  # shown in the form; saved again, it is merged again
            db.session.rollback()
            attach_error(form, exc)
            org = editable_organisation(organisation_uuid)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "edit/form.html",
        form=form,
        org=org,
        choose_country=False,
        extra_fields=extra_form_fields(form),
        pending=change_workflow().pending_proposals(org),
        **languages_of(current),
    ), status


@bp.post("/organisations/<organisation_uuid>/verify")
@login_required
def verify(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    if not ActionForm().validate():
        abort(400)
    try:
        change_workflow().mark_verified(acting_user(), org)
    except VersionConflict:
        db.session.rollback()
        abort(409)
    db.session.commit()
    flash(_("Thank you: the entry is marked as verified today."))
    if request.form.get("back") == "dashboard":
        return redirect(url_for("review.dashboard"))
    return redirect(url_for("organisations.organisation_page", organisation_uuid=org.uuid))


@bp.route("/organisations/<organisation_uuid>/archive", methods=["GET", "POST"])
@login_required
def archive_organisation(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    form = ActionForm(data={"version": org.version} if request.method == "GET" else None)
    if form.validate_on_submit():
        if form.version.data is None:
            abort(400)
        try:
            outcome = change_workflow().archive(
                acting_user(), org, base_version=form.version.data, comment=form.comment.data
            )
        except VersionConflict:
            db.session.rollback()
            flash(_("Someone changed this entry since you opened this page. Please look at it again."))
            return redirect(url_for("organisations.archive_organisation", organisation_uuid=organisation_uuid), 303)
        return finish(outcome)
    return render_template("edit/archive.html", org=org, form=form), 400 if request.method == "POST" else 200
