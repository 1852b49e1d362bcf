"""Review, history and freshness pages.

Routes (blueprint "review"):
    GET  /review                                   review.queue            TS: pending proposals
    GET  /review/stale                             review.stale            TS: stale entries per country
    GET  /review/<id>                              review.proposal_page    TS, or a contact of its country
    GET  /review/<id>/coverage.geojson             review.proposal_coverage   (same readers)
    POST /review/<id>/approve | /reject | /merge   TS only
    GET  /my-entries                               review.dashboard        contacts (own country), TS (?country=)
    GET  /organisations/<uuid>/history             review.history          whoever may edit it
    GET  /organisations/<uuid>/history.json        review.history_metadata HSDS metadata records
    POST /organisations/<uuid>/history/<n>/restore review.restore_revision
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import may_publish, require_role
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.review.blueprint import acting_user, bp, editable_organisation, may_see_proposal
from directory_app.review.coverage_layers import coverage_features, describe_part
from directory_app.review.edit_views import conflict_page, merge_choices
from directory_app.review.forms import ActionForm, ReviewForm
from directory_app.review.metadata import metadata_records
from directory_app.review.models import ChangeProposal, ProposalStatus
from directory_app.review.queries import (
    entries_by_staleness,
    find_proposal,
    find_revision,
    proposals,
    revisions_of,
    stale_report,
)
from directory_app.review.services import ProposalConflict, VersionConflict, approve, reject, restore
from directory_app.review.snapshots import diff_snapshots, merge_snapshots, snapshot_of


@bp.get("/review")
@require_role(Role.TS_ADMIN)
def queue():
    return render_template("review/queue.html", proposals=proposals(status=ProposalStatus.PENDING))


@bp.get("/review/stale")
@require_role(Role.TS_ADMIN)
def stale():
    return render_template("review/stale.html", report=stale_report())


def _proposal_or_404(proposal_id: int) -> ChangeProposal:
    proposal = find_proposal(proposal_id)
    if proposal is None:
        abort(404)
    if not may_see_proposal(proposal):
        abort(403)
    return proposal


@bp.get("/review/<int:proposal_id>")
@login_required
def proposal_page(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    return _render_proposal(proposal, ReviewForm(formdata=None))


def _render_proposal(proposal: ChangeProposal, form: ReviewForm, status: int = 200):
    current = snapshot_of(proposal.organisation) if proposal.organisation is not None else None
    return (
        render_template(
            "review/proposal.html",
            proposal=proposal,
            changes=diff_snapshots(current, proposal.snapshot),
            current_parts=[describe_part(p, current) for p in (current or {}).get("coverage") or []],
            proposed_parts=[describe_part(p, proposal.snapshot) for p in proposal.snapshot.get("coverage") or []],
            outdated=proposal.organisation is not None and proposal.organisation.version != proposal.base_version,
            form=form,
            may_decide=may_publish(current_user) and proposal.status == ProposalStatus.PENDING,
        ),
        status,
    )


@bp.get("/review/<int:proposal_id>/coverage.geojson")
@login_required
def proposal_coverage(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    current = snapshot_of(proposal.organisation) if proposal.organisation is not None else None
    features = coverage_features(current, "current") + coverage_features(proposal.snapshot, "proposed")
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.post("/review/<int:proposal_id>/approve")
@require_role(Role.TS_ADMIN)
def approve_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ReviewForm()
    if not form.validate():
        return _render_proposal(proposal, form, 400)
    try:
        revision = approve(acting_user(), proposal, form.comment.data)
    except ProposalConflict:
        db.session.rollback()
        flash(_("This proposal was already decided by someone else."))
        return _render_proposal(_proposal_or_404(proposal_id), ReviewForm(formdata=None), 409)
    except VersionConflict:
        db.session.rollback()
        proposal = _proposal_or_404(proposal_id)
        return _proposal_conflict(proposal, form.comment.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(_("The proposal cannot be applied: %(problem)s", problem=str(exc)))
        return _render_proposal(_proposal_or_404(proposal_id), form, 400)
    db.session.commit()
    flash(_("The change is published."))
    return redirect(url_for("review.history", organisation_uuid=revision.organisation.uuid))


def _proposal_conflict(proposal: ChangeProposal, comment: str):
    return conflict_page(
        proposal.organisation,
        proposal.snapshot,
        comment,
        action=url_for("review.merge_proposal", proposal_id=proposal.id),
        title=_("The entry changed after this proposal was made"),
    )


@bp.post("/review/<int:proposal_id>/merge")
@require_role(Role.TS_ADMIN)
def merge_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ActionForm()
    if not form.validate() or form.version.data is None or proposal.organisation is None:
        abort(400)
    current = snapshot_of(proposal.organisation)
    merged = merge_snapshots(current, proposal.snapshot, merge_choices(proposal.snapshot, current))
    try:
        revision = approve(acting_user(), proposal, form.comment.data, merged=merged, base_version=form.version.data)
    except ProposalConflict:
        db.session.rollback()
        flash(_("This proposal was already decided by someone else."))
        return _render_proposal(_proposal_or_404(proposal_id), ReviewForm(formdata=None), 409)
    except VersionConflict:
        db.session.rollback()
        return _proposal_conflict(_proposal_or_404(proposal_id), form.comment.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(_("The merged version could not be saved: %(problem)s", problem=str(exc)))
        return _proposal_conflict(_proposal_or_404(proposal_id), form.comment.data)
    db.session.commit()
    flash(_("The merged change is published."))
    return redirect(url_for("review.history", organisation_uuid=revision.organisation.uuid))


@bp.post("/review/<int:proposal_id>/reject")
@require_role(Role.TS_ADMIN)
def reject_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ReviewForm()
    if not form.validate():
        return _render_proposal(proposal, form, 400)
    try:
        reject(acting_user(), proposal, form.comment.data)
    except ProposalConflict:
        db.session.rollback()
        flash(_("This proposal was already decided by someone else."))
        return _render_proposal(_proposal_or_404(proposal_id), ReviewForm(formdata=None), 409)
    db.session.commit()
    flash(_("The proposal is rejected; its author sees your comment."))
    return redirect(url_for("review.queue"))


@bp.get("/my-entries")
@require_role(Role.COUNTRY_CONTACT, Role.TS_ADMIN)
def dashboard():
    country = current_user.country_code
    if current_user.role == Role.TS_ADMIN:
        country = (request.args.get("country") or "").upper() or None
        if country is not None and (len(country) != 2 or not country.isalpha()):
            abort(400)
    return render_template(
        "review/dashboard.html",
        country=country,
        entries=entries_by_staleness(country),
        pending=proposals(status=ProposalStatus.PENDING, country_code=country),
        rejected=proposals(status=ProposalStatus.REJECTED, country_code=country, limit=50),
        approved=proposals(status=ProposalStatus.APPROVED, country_code=country, limit=20),
        form=ActionForm(formdata=None),
    )


@bp.get("/organisations/<organisation_uuid>/history")
@login_required
def history(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    return render_template(
        "review/history.html", org=org, revisions=revisions_of(org), form=ActionForm(data={"version": org.version})
    )


@bp.get("/organisations/<organisation_uuid>/history.json")
@login_required
def history_metadata(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    return jsonify(metadata_records(org, revisions_of(org)))


@bp.post("/organisations/<organisation_uuid>/history/<int:number>/restore")
@login_required
def restore_revision(organisation_uuid: str, number: int):
    org = editable_organisation(organisation_uuid)
    revision = find_revision(org, number)
    if revision is None:
        abort(404)
    form = ActionForm()
    if not form.validate() or form.version.data is None:
        abort(400)
    note = form.comment.data or _("Restore of revision %(number)d", number=number)
    try:
        outcome = restore(acting_user(), org, revision, base_version=form.version.data, comment=note)
    except VersionConflict:
        db.session.rollback()
        flash(_("Someone changed this entry since you opened its history. Please look at it again."))
        return redirect(url_for("review.history", organisation_uuid=organisation_uuid), 303)
    except ValidationError as exc:
        db.session.rollback()
        flash(_("This version cannot be restored: %(problem)s", problem=str(exc)))
        return redirect(url_for("review.history", organisation_uuid=organisation_uuid), 303)
    db.session.commit()
    if outcome.proposal is not None:
        flash(_("The restore was sent to the Technical Secretariat for review."))
        return redirect(url_for("review.proposal_page", proposal_id=outcome.proposal.id))
    flash(_("Revision %(number)d is restored.", number=number))
    return redirect(url_for("review.history", organisation_uuid=organisation_uuid))


from directory_app.review import coverage_views  # noqa: E402, F401  (registers review.edit_coverage)
