"""Review, history and freshness pages.

Routes (blueprint "review"):
    GET  /review                                   review.queue            TS: pending proposals
    GET  /review/stale                             review.stale            TS: stale entries per country
    GET  /review/<id>                              review.proposal_page    TS, or a contact of its country
    GET  /review/<id>/coverage.geojson             review.proposal_coverage   (same readers)
    POST /review/<id>/approve | /reject | /merge   TS only (/merge: the decisions of the merge page)
    GET/POST /review/<id>/amend                    review.amend_proposal_page   its author, while pending
    GET  /my-entries                               review.dashboard        contacts (own country), TS (?country=)
    GET  /organisations/<uuid>/history             review.history          whoever may edit it
    GET  /organisations/<uuid>/history.json        review.history_metadata HSDS metadata records
    GET/POST /organisations/<uuid>/history/<n>/restore review.restore_revision  (GET: the differences
                                                   from the current version and a confirm button)
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import may_publish, require_role
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.edit_forms import ActionForm
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.entry_words import describe_changes
from directory_app.review.blueprint import acting_user, bp, editable_organisation, may_see_proposal
from directory_app.review.coverage_layers import compare_coverage, comparison_features
from directory_app.review.forms import ReviewForm
from directory_app.review.history_words import revision_changes
from directory_app.review.labels import field_label
from directory_app.review.maps import comparison_labels, proposal_map
from directory_app.review.merge_page import applied_labels, conflict_rows, kept_labels
from directory_app.review.metadata import metadata_records
from directory_app.review.models import APPROVED_STATUSES, ChangeProposal, ProposalStatus
from directory_app.review.queries import (
    base_snapshot,
    changed_since,
    entries_by_staleness,
    find_proposal,
    find_revision,
    proposals,
    proposals_by_entry,
    revisions_of,
    stale_report,
)
from directory_app.review.services import (
    ProposalConflict,
    UnchosenConflicts,
    VersionConflict,
    approve,
    reject,
    restore,
    review_merge,
)


@bp.get("/review")
@require_role(Role.TS_ADMIN)
def queue():
    return render_template("review/queue.html", groups=proposals_by_entry(proposals(status=ProposalStatus.PENDING)))


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
    pending = proposal.status == ProposalStatus.PENDING
    outdated = proposal.organisation is not None and proposal.organisation.version != proposal.base_version
    may_decide = may_publish(current_user) and pending
    start = (base_snapshot(proposal) or current) if current is not None else None
    return (
        render_template(
            "review/proposal.html",
            proposal=proposal,
            map_html=proposal_map(proposal),
            changes=describe_changes(start, proposal.snapshot),  # what its author changed, in words
            coverage=compare_coverage(current, proposal.snapshot),
            coverage_labels=comparison_labels(),
            outdated=outdated,
            conflicts=len(review_merge(proposal).conflicts) if may_decide and outdated else 0,
            kept=kept_labels(proposal),
            form=form,
            may_decide=may_decide,
            may_amend=pending and proposal.organisation is not None and proposal.author_id == current_user.id,
        ),
        status,
    )


@bp.get("/review/<int:proposal_id>/coverage.geojson")
@login_required
def proposal_coverage(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    current = snapshot_of(proposal.organisation) if proposal.organisation is not None else None
    return jsonify({"type": "FeatureCollection", "features": comparison_features(current, proposal.snapshot)})


@bp.post("/review/<int:proposal_id>/approve")
@require_role(Role.TS_ADMIN)
def approve_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ReviewForm()
    if not form.validate():
        return _render_proposal(proposal, form, 400)
    return _decide_approval(proposal_id, form.comment.data, None, None)


@bp.post("/review/<int:proposal_id>/merge")
@require_role(Role.TS_ADMIN)
def merge_proposal(proposal_id: int):
    """The merge page's decisions: one "choice-<conflict key>" per field changed on both sides."""
    proposal = _proposal_or_404(proposal_id)
    form = ActionForm()
    if not form.validate() or form.version.data is None or proposal.organisation is None:
        abort(400)
    choices = {name[len("choice-") :]: value for name, value in request.form.items() if name.startswith("choice-")}
    return _decide_approval(proposal_id, form.comment.data, choices, form.version.data)


def _decide_approval(proposal_id: int, comment: str, choices: dict | None, version: int | None):
    """Approve (with the merge page's choices, made on `version`); the merge page when fields
    changed on both sides are not all decided (400 when the page was sent without them)."""
    proposal = _proposal_or_404(proposal_id)
    try:
        revision = approve(acting_user(), proposal, comment, choices=choices, base_version=version)
    except ProposalConflict:
        db.session.rollback()
        flash(_("This proposal was already decided by someone else."))
        return _render_proposal(_proposal_or_404(proposal_id), ReviewForm(formdata=None), 409)
    except UnchosenConflicts as exc:
        db.session.rollback()
        if choices is None:
            return _merge_page(_proposal_or_404(proposal_id), exc.merge, comment, None, 200)
        names = ", ".join(field_label(conflict.path) for conflict in exc.missing)
        flash(_("Choose, for each field changed on both sides, which version to publish: %(fields)s", fields=names))
        return _merge_page(_proposal_or_404(proposal_id), exc.merge, comment, choices, 400)
    except VersionConflict:
        db.session.rollback()
        flash(_("The entry changed again while you were deciding. Look at the fields changed on both sides again."))
        proposal = _proposal_or_404(proposal_id)
        return _merge_page(proposal, review_merge(proposal), comment, None, 409)
    except ValidationError as exc:
        db.session.rollback()
        flash(_("The proposal cannot be applied: %(problem)s", problem=str(exc)))
        return _render_proposal(_proposal_or_404(proposal_id), ReviewForm(formdata=None), 400)
    db.session.commit()
    kept = kept_labels(proposal)
    if kept:
        flash(_("Approved in part: %(fields)s kept as published.", fields=", ".join(kept)))
    elif revision is None:
        flash(_("Approved: the published entry already said the same."))
    else:
        flash(_("The change is published."))
    return redirect(url_for("review.history", organisation_uuid=proposal.organisation.uuid))


def _merge_page(proposal: ChangeProposal, merge, comment: str, chosen: dict | None, status: int):
    """The fields both the proposal and a later change changed, to decide one by one (none chosen
    beforehand), and the proposal's other changes, applied as they are."""
    published = snapshot_of(proposal.organisation)
    return (
        render_template(
            "review/merge.html",
            proposal=proposal,
            org=proposal.organisation,
            rows=conflict_rows(merge, proposal, published, changed_since(proposal), chosen),
            applied=applied_labels(merge),
            version=proposal.organisation.version,
            comment=comment,
            form=ActionForm(formdata=None),
        ),
        status,
    )


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
        approved=proposals(status=APPROVED_STATUSES, country_code=country, limit=20),
        kept_labels=kept_labels,
        form=ActionForm(formdata=None),
    )


@bp.get("/organisations/<organisation_uuid>/history")
@login_required
def history(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    revisions = revisions_of(org)
    return render_template(
        "review/history.html",
        org=org,
        revisions=revisions,
        changes=revision_changes(revisions),
        form=ActionForm(data={"version": org.version}),
    )


@bp.get("/organisations/<organisation_uuid>/history.json")
@login_required
def history_metadata(organisation_uuid: str):
    org = editable_organisation(organisation_uuid)
    return jsonify(metadata_records(org, revisions_of(org)))


@bp.route("/organisations/<organisation_uuid>/history/<int:number>/restore", methods=["GET", "POST"])
@login_required
def restore_revision(organisation_uuid: str, number: int):
    """GET: what restoring the revision would change, and a button to confirm; POST: restore it (a
    proposal for a country contact)."""
    org = editable_organisation(organisation_uuid)
    revision = find_revision(org, number)
    if revision is None:
        abort(404)
    if request.method == "GET":
        return render_template(
            "review/restore.html",
            org=org,
            revision=revision,
            changes=describe_changes(snapshot_of(org), revision.snapshot),
            form=ActionForm(data={"version": org.version}),
        )
    form = ActionForm()
    if not form.validate() or form.version.data is None:
        abort(400)
    note = form.comment.data or _("Restore of revision %(number)d", number=number)
    try:
        outcome = restore(acting_user(), org, revision, base_version=form.version.data, comment=note)
    except VersionConflict:
        db.session.rollback()
        flash(_("Someone changed this entry since you opened its history. Please look at it again."))
        return redirect(url_for("review.restore_revision", organisation_uuid=organisation_uuid, number=number), 303)
    except ValidationError as exc:
        db.session.rollback()
        flash(_("This version cannot be restored: %(problem)s", problem=str(exc)))
        return redirect(url_for("review.history", organisation_uuid=organisation_uuid), 303)
    db.session.commit()
    if outcome.proposal is not None:
        flash(_("The restore was sent to the Technical Secretariat for review."))
        return redirect(url_for("review.proposal_page", proposal_id=outcome.proposal.id))
    if outcome.revision is None:
        flash(_("Nothing to restore: the entry is already as in revision %(number)d.", number=number))
    else:
        flash(_("Revision %(number)d is restored.", number=number))
    return redirect(url_for("review.history", organisation_uuid=organisation_uuid))


from directory_app.review import amend_views  # noqa: E402, F401  (its route)
