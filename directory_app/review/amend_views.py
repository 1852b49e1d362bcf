"""Amending a pending proposal: its author opens the organisation's edit form (organisations.edit_forms)
on the proposal (not on the published entry) and saving replaces the proposal's snapshot; the
proposal keeps its id and the version it was made on, so the review merges it as before
(review.services.amend_proposal).

Route (blueprint "review"):
    GET/POST /review/<id>/amend                    review.amend_proposal_page   its author, while pending
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.forms import extra_form_fields
from directory_app.organisations.edit_forms import EditForm, form_to_data, form_values, with_extra_fields
from directory_app.organisations.edit_views import attach_error, languages_of
from directory_app.review.blueprint import acting_user, bp, may_see_proposal
from directory_app.review.models import ProposalStatus
from directory_app.review.queries import find_proposal
from directory_app.review.services import ProposalConflict, amend_proposal


@bp.route("/review/<int:proposal_id>/amend", methods=["GET", "POST"])
@login_required
def amend_proposal_page(proposal_id: int):
    proposal = find_proposal(proposal_id)
    if proposal is None or proposal.organisation is None:
        abort(404)
    if not may_see_proposal(proposal) or proposal.author_id != acting_user().id:
        abort(403)
    if proposal.status is not ProposalStatus.PENDING:
        flash(_("This proposal was already decided: it can no longer be amended."))
        return redirect(url_for("review.proposal_page", proposal_id=proposal.id), 303)
    base = proposal.snapshot
    values = form_values(base, proposal.base_version) | {"comment": proposal.comment}
    form = with_extra_fields(EditForm)(data=None if request.method == "POST" else values)
    if form.validate_on_submit():
        try:
            amend_proposal(acting_user(), proposal, form_to_data(form, base), comment=form.comment.data)
            db.session.commit()
        except ProposalConflict:
            db.session.rollback()
            flash(_("This proposal was decided while you were amending it: your changes were not saved."))
            return redirect(url_for("review.proposal_page", proposal_id=proposal_id), 303)
        except ValidationError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            flash(_("Your proposal is amended. It is still waiting for review."))
            return redirect(url_for("review.proposal_page", proposal_id=proposal_id))
        proposal = find_proposal(proposal_id)
    return render_template(
        "edit/form.html",
        form=form,
        org=proposal.organisation,
        amending=proposal,
        choose_country=False,
        extra_fields=extra_form_fields(form),
        pending=[],
        **languages_of(base),
    ), 400 if request.method == "POST" else 200
