"""The coverage edit page: GET/POST /organisations/<uuid>/edit/coverage (organisations.edit_coverage).

The coverage editor itself (form and macro) is organisations.coverage_form.CoverageEditorForm and
templates/edit/_coverage_editor.html; this page adds the version the form was opened on and a
comment, and saves through the change workflow like every other change (organisations.editing: a
proposal for a country contact, published at once for the TS; merged three ways when the entry
changed meanwhile: organisations.edit_merge). An area drawn or uploaded now whose land lies mostly
outside the organisation's country is not saved at once: the page says so and asks to confirm
(organisations.coverage_outside), and says it again with the saved message."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.coverage_form import CoverageEditorForm
from directory_app.organisations.edit_merge import save_over_newer
from directory_app.organisations.editing import (
    VersionConflict,
    acting_user,
    change_workflow,
    editable_organisation,
    finish,
    opened_snapshot,
)
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.views import bp

MAX_COMMENT = 2_000


def _version_and_comment() -> tuple[int, str]:
    """The version and comment fields of the page (400 when the version is not a number)."""
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    return version, request.form.get("comment", "")[:MAX_COMMENT]


@bp.route("/organisations/<organisation_uuid>/edit/coverage", methods=["GET", "POST"])
@login_required
def edit_coverage(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    current = opened = snapshot_of(org)
    version, comment, status = org.version, "", 200
    if request.method == "POST":
        version, comment = _version_and_comment()
        status = 400
        # the parts and sites the page showed: those of the version it was opened on
        opened = opened_snapshot(org, version, current) or current
    form = CoverageEditorForm(org, parts=opened["coverage"], sites=opened["locations"])
    warnings: list[str] = []
    if form.validate_on_submit():
        warnings = form.outside_warnings()
        if warnings and not request.form.get("confirm_outside"):
            form.keep_upload_as_drawn()  # shown again to confirm: the file's area travels as drawn
            return _page(form, org, version, comment, warnings, 200)
        data = dict(opened, coverage=form.parts())
        try:
            try:
                outcome = change_workflow().submit_change(
                    acting_user(), org, data, base_version=version, comment=comment
                )
                return finish(outcome, form.messages + warnings)
            except VersionConflict:
                db.session.rollback()
                return save_over_newer(organisation_uuid, data, version, comment, form.messages + warnings)
        except ValidationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            org = editable_organisation(organisation_uuid)
    return _page(form, org, version, comment, warnings, status)


def _page(form, org, version: int, comment: str, warnings: list[str], status: int):
    """The page; `warnings` (areas mostly outside the country) ask to confirm before saving."""
    return render_template(
        "edit/coverage.html",
        form=form,
        org=org,
        version=version,
        comment=comment,
        outside_warnings=warnings,
        pending=change_workflow().pending_proposals(org),
    ), status
