"""Editing an organisation: what the edit pages share (the entry a form was opened on, what a save
says and where it goes), and the change workflow they hand a change to.

How a change is saved is review's: applied at once for the Technical Secretariat, a proposal for a
country contact, every applied change a revision of the history. Review sits on the floor above
organisations, so the edit pages do not import it: the app factory hands its workflow down
(`init_change_workflow(app, review.workflow.WORKFLOW)`), as it hands the audit log's recorder to
errors. `change_workflow()` gives it to a view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app.accounts.permissions import may_edit
from directory_app.extensions import db
from directory_app.organisations.models import Organisation

EXTENSION = "directory_change_workflow"


class VersionConflict(Exception):
    """The organisation changed since `base_version`: the caller merges three ways (edit_merge)."""

    def __init__(self, organisation: Organisation, base_version: int | None):
        # No attribute of the organisation is read here: after a failed flush the session must be
        # rolled back first.
        super().__init__(f"the organisation changed since version {base_version}")
        self.organisation = organisation
        self.base_version = base_version


@dataclass(frozen=True)
class Outcome:
    """What a change became: a revision (applied) or a proposal (waiting for review); neither when
    it changed nothing."""

    organisation: Organisation | None
    revision: Any = None
    proposal: Any = None


class ChangeWorkflow(Protocol):
    """What the edit pages ask of the workflow (review.workflow gives it)."""

    def submit_change(
        self, user, organisation: Organisation | None, data: dict, *, base_version: int | None, comment: str = ""
    ) -> Outcome: ...

    def archive(self, user, organisation: Organisation, *, base_version: int | None, comment: str = "") -> Outcome: ...

    def mark_verified(self, user, organisation: Organisation) -> Any: ...

    def pending_proposals(self, organisation: Organisation) -> list: ...

    def snapshot_at(self, organisation: Organisation, version: int) -> dict | None: ...

    def changed_since(self, organisation: Organisation, version: int) -> list: ...


def init_change_workflow(app, workflow: ChangeWorkflow) -> None:
    """Give the application's edit pages the workflow that saves their changes."""
    app.extensions[EXTENSION] = workflow


def change_workflow() -> ChangeWorkflow:
    return current_app.extensions[EXTENSION]


def opened_snapshot(organisation: Organisation, version: int | None, current: dict) -> dict | None:
    """The entry as the form opened on `version` showed it: `current` when it is still that version,
    else the history's snapshot of it (None when unknown). A form's values are read on top of it, so
    that its rows keep the ids of the items they showed (edit_forms.form_to_data)."""
    if version is None:
        return None
    if int(version) == organisation.version:
        return current
    return change_workflow().snapshot_at(organisation, int(version))


def finish(outcome: Outcome, notes: list[str] = ()):
    """Commit, tell the user what happened (and any `notes`, such as geometry repairs or changes of
    others kept) and go where they can see it."""
    db.session.commit()
    for note in notes:
        flash(note)
    if outcome.proposal is not None:
        flash(_("Sent for review. The published entry stays as it is until the Secretariat approves."))
        return redirect(url_for("review.proposal_page", proposal_id=outcome.proposal.id))
    if outcome.revision is None:
        flash(_("Nothing was changed: the entry is as it was."))
        return redirect(url_for("organisations.organisation_page", organisation_uuid=outcome.organisation.uuid))
    flash(_("The change is published."))
    return redirect(url_for("organisations.organisation_page", organisation_uuid=outcome.organisation.uuid))


def acting_user():
    """The signed-in user as a model object (services keep references to it)."""
    return current_user._get_current_object()


def find_organisation_for_edit(organisation_uuid: str) -> Organisation | None:
    """The organisation with this uuid whatever its status (who may edit it is the caller's check)."""
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.uuid == organisation_uuid)
        .options(
            selectinload(Organisation.services),
            selectinload(Organisation.locations),
            selectinload(Organisation.contacts),
            selectinload(Organisation.phones),
            selectinload(Organisation.coverage_parts),
            selectinload(Organisation.networks),
        )
    )


def editable_organisation(organisation_uuid: str) -> Organisation:
    """The organisation of the URL: 404 when unknown, 403 when the user may not edit it (checked on
    the server, never from a form field)."""
    try:
        canonical = str(UUID(organisation_uuid))
    except ValueError:
        abort(404)
    organisation = find_organisation_for_edit(canonical)
    if organisation is None:
        abort(404)
    if not may_edit(current_user, organisation):
        abort(403)
    return organisation


def may_edit_organisation(organisation) -> bool:
    """For templates (the organisation page's edit bar)."""
    return may_edit(current_user, organisation)
