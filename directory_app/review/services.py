"""The editing workflow: who may change an organisation, how, and what is kept.

- `submit_change`: a country contact's change becomes a ChangeProposal (the published version stays
  online); the Technical Secretariat's change is applied at once. Both are checked against the version
  the form was opened on (VersionConflict: never a silent overwrite).
- `approve` / `reject`: the TS decides on a proposal; a proposal is decided once (ProposalConflict for
  the second TS). A proposal made on an older version is merged three ways (organisations.entry_merge) with what
  was published since: what only the proposal changed is applied, what only others changed stays;
  fields both changed differently must each be decided (`choices`), else UnchosenConflicts. Fields
  kept as published make the status "approved in part", and the proposal lists them.
- `amend_proposal`: the author of a pending proposal replaces its snapshot (same proposal).
- `restore`, `archive`: changes like any other (same rules); nothing is deleted.
- `mark_verified`: "still correct" sets last_verified at once (also for contacts), recorded.
Every applied change is a Revision with the snapshot after it and the field changes; a save that
changes nothing records none (and a proposal that changes nothing is not sent). The request's
single commit happens in the view; these functions only flush.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from directory_app import events
from directory_app.accounts.models import User
from directory_app.accounts.permissions import (
    PermissionDenied,
    check_may_edit,
    check_may_publish,
    may_create_in,
    may_publish,
)
from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.organisations.editing import Outcome, VersionConflict
from directory_app.organisations.entry_diff import diff_snapshots
from directory_app.organisations.entry_merge import Conflict, MergeResult, three_way_merge
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.services import save_entry, set_last_verified
from directory_app.review.models import ChangeKind, ChangeProposal, ProposalStatus, Revision
from directory_app.review.queries import base_snapshot


class ProposalConflict(Exception):
    """The proposal was already approved or rejected (by someone else)."""


class UnchosenConflicts(Exception):
    """Fields both the proposal and a later change changed differently, not all decided: `merge`
    holds them all, `missing` those without a choice."""

    def __init__(self, merge: MergeResult, missing: list[Conflict]):
        super().__init__(f"{len(missing)} conflicting field(s) not decided")
        self.merge = merge
        self.missing = missing


def record(kind: str, *, user: User | None, organisation_id: int | None, detail: str = "") -> None:
    """Write an entry of the audit log (directory_app.audit)."""
    from directory_app.audit import record_event

    record_event(kind, user=user, organisation_id=organisation_id, detail=detail)


def submit_change(
    user: User,
    organisation: Organisation | None,
    data: dict[str, Any],
    *,
    base_version: int | None,
    comment: str = "",
    kind: ChangeKind | None = None,
) -> Outcome:
    """Apply (TS) or propose (country contact) `data` as the organisation's new state; a new
    organisation when `organisation` is None. A contact never changes the country nor (in an
    update) the status. Raises PermissionDenied, VersionConflict or ValidationError."""
    data = dict(data)
    kind = kind or (ChangeKind.CREATE if organisation is None else ChangeKind.UPDATE)
    publishes = may_publish(user)
    if organisation is None:
        if not publishes:
            data["country_code"] = user.country_code
        if not may_create_in(user, str(data.get("country_code") or "").upper()):
            raise PermissionDenied("You may not create organisations in this country.")
        data["status"] = str(Status.PUBLISHED)
    else:
        check_may_edit(user, organisation)
        if not publishes:
            data["country_code"] = organisation.country_code
            if kind is ChangeKind.UPDATE:
                data["status"] = str(organisation.status)
        check_version(organisation, base_version)
    if publishes:
        revision = apply_snapshot(organisation, data, kind=kind, author=user, approver=user, comment=comment)
        return Outcome(organisation if revision is None else revision.organisation, revision=revision)
    if not validate_snapshot(organisation, data):
        return Outcome(organisation)  # nothing to review
    if organisation is not None:
        ensure_baseline(organisation)  # the version it is made on stays known (the merge's base)
    proposal = ChangeProposal(
        organisation=organisation,
        country_code=data["country_code"],
        kind=kind,
        snapshot=data,
        base_version=None if organisation is None else organisation.version,
        author_id=user.id,
        comment=comment or "",
    )
    db.session.add(proposal)
    db.session.flush()
    events.proposal_submitted.send(proposal)
    return Outcome(organisation, proposal=proposal)


def check_version(organisation: Organisation, base_version: int | None) -> None:
    """VersionConflict unless the organisation is still at `base_version`."""
    if base_version is None or int(base_version) != organisation.version:
        raise VersionConflict(organisation, base_version)


def validate_snapshot(organisation: Organisation | None, data: dict[str, Any]) -> bool:
    """Raise ValidationError when `data` could not be applied; changes nothing (a savepoint that is
    always rolled back), so that a proposal cannot fail at approval time for bad input. True when
    applying it would change the organisation (always for a new one)."""
    before = None if organisation is None else snapshot_of(organisation)
    savepoint = db.session.begin_nested()
    try:
        written = write_snapshot(organisation, data)
        db.session.flush()
        return before is None or bool(diff_snapshots(before, snapshot_of(written)))
    except StaleDataError:
        raise VersionConflict(organisation, None) from None
    finally:
        savepoint.rollback()


def write_snapshot(organisation: Organisation | None, data: dict[str, Any]) -> Organisation:
    """Create or update the organisation from the snapshot through the one write path
    (organisations.services.save_entry): texts in other languages and additional information
    included (a snapshot without "extra" leaves the additional information alone)."""
    return save_entry(organisation, data)


def apply_snapshot(
    organisation: Organisation | None,
    data: dict[str, Any],
    *,
    kind: ChangeKind,
    author: User | None,
    approver: User | None,
    comment: str = "",
    proposal: ChangeProposal | None = None,
) -> Revision | None:
    """Make `data` the organisation's state (or create it) and record the Revision; None (and the
    organisation untouched, its version too) when `data` changes nothing."""
    before = None
    if organisation is None:
        organisation = write_snapshot(None, data)
        db.session.flush()
    else:
        ensure_baseline(organisation)
        before = snapshot_of(organisation)
        events.entry_writing.send(organisation)
        savepoint = db.session.begin_nested()
        try:  # another request changed the rows since they were read: the version counter says so
            write_snapshot(organisation, data)
            db.session.flush()
        except StaleDataError:
            savepoint.rollback()
            raise VersionConflict(organisation, None) from None
        if not diff_snapshots(before, snapshot_of(organisation)):
            savepoint.rollback()
            return None
        savepoint.commit()
    return _add_revision(
        organisation, kind, before, author=author, approver=approver, comment=comment, proposal=proposal
    )


def _add_revision(
    organisation: Organisation,
    kind: ChangeKind,
    before: dict | None,
    *,
    author: User | None,
    approver: User | None,
    comment: str,
    proposal: ChangeProposal | None = None,
) -> Revision:
    after = snapshot_of(organisation)
    last = db.session.scalar(select(func.max(Revision.number)).where(Revision.organisation_id == organisation.id))
    revision = Revision(
        organisation_id=organisation.id,
        number=(last or 0) + 1,
        version=organisation.version,
        kind=kind,
        author_id=author.id if author else None,
        approved_by_id=approver.id if approver else None,
        proposal_id=proposal.id if proposal else None,
        comment=comment or "",
        snapshot=after,
        changes=diff_snapshots(before, after) if kind is not ChangeKind.BASELINE else [],
    )
    db.session.add(revision)
    try:
        db.session.flush()
    except IntegrityError:  # another request recorded this revision number first: it changed the entry
        raise VersionConflict(organisation, None) from None
    if kind is not ChangeKind.BASELINE:
        events.entry_published.send(organisation, before=before, after=after, kind=str(kind), revision=revision)
    return revision


def record_revision(
    organisation: Organisation, kind: ChangeKind, before: dict | None, *, user: User | None, comment: str
) -> Revision:
    """Record a change written elsewhere (an import by the TS or the command line): the revision's
    author and approver are `user` (None from the command line), its changes those from `before`."""
    return _add_revision(organisation, kind, before, author=user, approver=user, comment=comment)


def ensure_baseline(organisation: Organisation) -> None:
    """Keep the state of an organisation that has no history yet (imported or demo data) as its
    first revision, so that the state before the first recorded change can be restored too."""
    exists = db.session.scalar(select(Revision.id).where(Revision.organisation_id == organisation.id).limit(1))
    if exists is None:
        revision = _add_revision(organisation, ChangeKind.BASELINE, None, author=None, approver=None, comment="")
        # the time of that state (its import or last write), not of the change about to be made
        revision.created_at = organisation.updated_at or organisation.created_at or revision.created_at
        db.session.flush()


def approve(
    user: User,
    proposal: ChangeProposal,
    comment: str = "",
    *,
    choices: dict[str, str] | None = None,
    base_version: int | None = None,
) -> Revision | None:
    """Publish a pending proposal, merged three ways with what was published since it was made.
    `choices`: conflict key -> "published" or "proposed", decided on a page that showed the
    organisation at `base_version`. Raises PermissionDenied, ProposalConflict, VersionConflict (the
    entry changed since that page), UnchosenConflicts, ValidationError. None when, as merged, it
    changes nothing."""
    check_may_publish(user)
    if proposal.status is not ProposalStatus.PENDING:
        raise ProposalConflict(f"proposal {proposal.id} is already {proposal.status}")
    organisation = proposal.organisation
    data, kept = dict(proposal.snapshot), []
    if organisation is not None and organisation.version != proposal.base_version:
        if choices is not None:
            check_version(organisation, base_version)
        merge = review_merge(proposal, choices)
        missing = [c for c in merge.conflicts if (choices or {}).get(c.key) not in ("published", "proposed")]
        if missing:
            raise UnchosenConflicts(merge, missing)
        data = merge.snapshot
        kept = [c.path for c in merge.conflicts if choices[c.key] == "published"]
    status = ProposalStatus.APPROVED_IN_PART if kept else ProposalStatus.APPROVED
    _decide(proposal, status, user, comment, kept_published=kept or None)
    revision = apply_snapshot(
        organisation,
        data,
        kind=proposal.kind,
        author=proposal.author,
        approver=user,
        comment=comment or proposal.comment,
        proposal=proposal,
    )
    if proposal.organisation_id is None and revision is not None:
        proposal.organisation_id = revision.organisation_id
    organisation_id = revision.organisation_id if revision is not None else proposal.organisation_id
    record("approval", user=user, organisation_id=organisation_id, detail=f"proposal {proposal.id}")
    events.proposal_decided.send(proposal)
    return revision


def review_merge(proposal: ChangeProposal, choices: dict[str, str] | None = None) -> MergeResult:
    """The proposal merged with the organisation as published now, from the version it was made on;
    conflicts resolved by `choices` (key -> "proposed" takes the proposal's value)."""
    current = snapshot_of(proposal.organisation)
    if proposal.organisation.version == proposal.base_version:
        base = current
    else:
        base = base_snapshot(proposal)
    take = {key for key, choice in (choices or {}).items() if choice == "proposed"}
    return three_way_merge(base, current, proposal.snapshot, take)


def amend_proposal(user: User, proposal: ChangeProposal, data: dict[str, Any], *, comment: str = "") -> None:
    """The author replaces their pending proposal's snapshot with `data` (same proposal, same base
    version: the review merges it as before). ProposalConflict once it is decided; the country and
    status stay the organisation's. Recorded in the audit log and as `amended_at`."""
    if proposal.author_id != user.id or proposal.organisation is None:
        raise PermissionDenied("Only the author may amend this proposal.")
    check_may_edit(user, proposal.organisation)
    data = dict(data, country_code=proposal.organisation.country_code)
    if proposal.kind is ChangeKind.UPDATE:
        data["status"] = str(proposal.organisation.status)
    validate_snapshot(proposal.organisation, data)
    result = db.session.execute(
        update(ChangeProposal)
        .where(ChangeProposal.id == proposal.id, ChangeProposal.status == ProposalStatus.PENDING)
        .values(snapshot=data, comment=comment or proposal.comment, amended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(proposal)
    if result.rowcount != 1:
        raise ProposalConflict(f"proposal {proposal.id} is already {proposal.status}")
    record("proposal_amended", user=user, organisation_id=proposal.organisation_id, detail=f"proposal {proposal.id}")


def reject(user: User, proposal: ChangeProposal, comment: str = "") -> None:
    """Turn a pending proposal down with a comment the author sees."""
    check_may_publish(user)
    _decide(proposal, ProposalStatus.REJECTED, user, comment)
    record("rejection", user=user, organisation_id=proposal.organisation_id, detail=f"proposal {proposal.id}")
    events.proposal_decided.send(proposal)


def _decide(
    proposal: ChangeProposal, status: ProposalStatus, user: User, comment: str, *, kept_published: list | None = None
) -> None:
    """Move the proposal out of PENDING with one conditional UPDATE: of two reviewers deciding at
    once, the second finds no pending row and gets ProposalConflict."""
    result = db.session.execute(
        update(ChangeProposal)
        .where(ChangeProposal.id == proposal.id, ChangeProposal.status == ProposalStatus.PENDING)
        .values(
            status=status,
            reviewer_id=user.id,
            review_comment=comment or "",
            reviewed_at=utcnow(),
            kept_published=kept_published,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(proposal)
        raise ProposalConflict(f"proposal {proposal.id} is already {proposal.status}")
    db.session.refresh(proposal)


def restore(user: User, organisation: Organisation, revision: Revision, *, base_version: int | None, comment: str = ""):
    """Make an earlier revision's snapshot current again: a change like any other (a proposal for
    a country contact, applied for the TS)."""
    if revision.organisation_id != organisation.id:
        raise PermissionDenied("This revision belongs to another organisation.")
    note = comment or f"restore of revision {revision.number}"
    outcome = submit_change(
        user, organisation, revision.snapshot, base_version=base_version, comment=note, kind=ChangeKind.RESTORE
    )
    if outcome.revision is not None:
        record("restore", user=user, organisation_id=organisation.id, detail=note)
    return outcome


def archive(user: User, organisation: Organisation, *, base_version: int | None, comment: str = "") -> Outcome:
    """Take an organisation off the public directory without deleting anything."""
    data = snapshot_of(organisation)
    data["status"] = str(Status.ARCHIVED)
    outcome = submit_change(
        user, organisation, data, base_version=base_version, comment=comment, kind=ChangeKind.ARCHIVE
    )
    if outcome.revision is not None:
        record("archive", user=user, organisation_id=organisation.id, detail=comment)
    return outcome


def mark_verified(user: User, organisation: Organisation, today: date | None = None) -> Revision:
    """ "Still correct": set last_verified to today, at once (a contact of the country may do it too)."""
    check_may_edit(user, organisation)
    ensure_baseline(organisation)
    before = snapshot_of(organisation)
    set_last_verified(organisation, today or date.today())
    try:
        db.session.flush()
    except StaleDataError:
        raise VersionConflict(organisation, None) from None
    return _add_revision(organisation, ChangeKind.VERIFY, before, author=user, approver=None, comment="")
