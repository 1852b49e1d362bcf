"""What the review pages and services read: proposal queues (by entry), pending proposals of an entry, the
version a proposal was made on (its base snapshot) and what changed since, history, entries by
staleness, stale report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import nulls_first, select
from sqlalchemy.orm import selectinload

from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.organisations.display import STALE_AFTER_MONTHS, months_before
from directory_app.organisations.models import Organisation, Status
from directory_app.review.models import ChangeKind, ChangeProposal, ProposalStatus, Revision


def find_proposal(proposal_id: int) -> ChangeProposal | None:
    return db.session.get(ChangeProposal, proposal_id)


def proposals(
    *,
    status: ProposalStatus | tuple[ProposalStatus, ...] | None = None,
    country_code: str | None = None,
    limit: int = 200,
) -> list[ChangeProposal]:
    """Proposals (of one status, or of any of several), oldest first when pending (a queue), newest
    first otherwise."""
    query = select(ChangeProposal).options(selectinload(ChangeProposal.author))
    if isinstance(status, tuple):
        query = query.where(ChangeProposal.status.in_(status))
    elif status is not None:
        query = query.where(ChangeProposal.status == status)
    if country_code is not None:
        query = query.where(ChangeProposal.country_code == country_code)
    order = ChangeProposal.created_at.asc() if status is ProposalStatus.PENDING else ChangeProposal.created_at.desc()
    return list(db.session.scalars(query.order_by(order, ChangeProposal.id).limit(limit)))


@dataclass(frozen=True)
class EntryProposals:
    """The proposals of one entry (or one new entry), in the queue's order."""

    organisation: Organisation | None
    proposals: list[ChangeProposal]

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation is not None else self.proposals[0].name


def proposals_by_entry(queue: list[ChangeProposal]) -> list[EntryProposals]:
    """The queue grouped by the entry the proposals change, entries in the order of their oldest
    proposal; each proposal of a new organisation is an entry of its own."""
    groups: dict[object, list[ChangeProposal]] = {}
    for proposal in queue:
        key = proposal.organisation_id if proposal.organisation_id is not None else ("new", proposal.id)
        groups.setdefault(key, []).append(proposal)
    return [EntryProposals(items[0].organisation, items) for items in groups.values()]


def revisions_of(organisation: Organisation) -> list[Revision]:
    """The organisation's history, newest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.organisation_id == organisation.id)
            .options(selectinload(Revision.author), selectinload(Revision.approved_by))
            .order_by(Revision.number.desc())
        )
    )


def base_snapshot(proposal: ChangeProposal) -> dict[str, Any] | None:
    """The organisation as it was at the proposal's base version (snapshot_at); None when unknown:
    every difference is then a conflict."""
    if proposal.organisation_id is None or proposal.base_version is None:
        return None
    return snapshot_at(proposal.organisation_id, proposal.base_version)


def snapshot_at(organisation_id: int, version: int) -> dict[str, Any] | None:
    """The organisation as it was at `version`: the snapshot of the last revision at or before it
    (versions move without a revision only for what no snapshot holds), or the baseline when history
    starts later; None when unknown. The base of a three-way merge (a proposal's, or an edit form's
    saved over a newer version)."""
    of_organisation = select(Revision).where(Revision.organisation_id == organisation_id)
    revision = db.session.scalar(
        of_organisation.where(Revision.version <= version)
        .order_by(Revision.version.desc(), Revision.number.desc())
        .limit(1)
    )
    if revision is None:
        first = db.session.scalar(of_organisation.order_by(Revision.number).limit(1))
        revision = first if first is not None and first.kind is ChangeKind.BASELINE else None
    return None if revision is None else revision.snapshot


def changed_since(proposal: ChangeProposal) -> list[Revision]:
    """The revisions recorded after the proposal's base version, newest first (who changed what)."""
    if proposal.organisation_id is None or proposal.base_version is None:
        return []
    return revisions_since(proposal.organisation_id, proposal.base_version)


def revisions_since(organisation_id: int, version: int) -> list[Revision]:
    """The organisation's revisions recorded after `version`, newest first, with their authors."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.organisation_id == organisation_id, Revision.version > version)
            .options(selectinload(Revision.author))
            .order_by(Revision.number.desc())
        )
    )


def pending_proposals(organisation: Organisation) -> list[ChangeProposal]:
    """The organisation's proposals waiting for review, oldest first."""
    return list(
        db.session.scalars(
            select(ChangeProposal)
            .where(ChangeProposal.organisation_id == organisation.id, ChangeProposal.status == ProposalStatus.PENDING)
            .order_by(ChangeProposal.created_at, ChangeProposal.id)
        )
    )


def find_revision(organisation: Organisation, number: int) -> Revision | None:
    return db.session.scalar(
        select(Revision).where(Revision.organisation_id == organisation.id, Revision.number == number)
    )


@dataclass(frozen=True)
class EntryFreshness:
    uuid: str
    name: str
    country_code: str
    status: str
    last_verified: date | None


def entries_by_staleness(country_code: str | None, limit: int = 500) -> list[EntryFreshness]:
    """Entries that are not archived, never-verified first, then the longest unverified."""
    query = select(
        Organisation.uuid, Organisation.name, Organisation.country_code, Organisation.status, Organisation.last_verified
    ).where(Organisation.status != Status.ARCHIVED)
    if country_code is not None:
        query = query.where(Organisation.country_code == country_code)
    query = query.order_by(nulls_first(Organisation.last_verified.asc()), Organisation.sort_name, Organisation.id)
    return [EntryFreshness(u, n, c, str(s), v) for u, n, c, s, v in db.session.execute(query.limit(limit))]


@dataclass(frozen=True)
class CountryStaleness:
    country: Country
    published: int
    stale: list[EntryFreshness]


def stale_report(today: date | None = None, months: int = STALE_AFTER_MONTHS) -> list[CountryStaleness]:
    """Per member country: published entries not verified in the last `months` months (or never)."""
    cutoff = months_before(today or date.today(), months)
    rows = db.session.execute(
        select(
            Organisation.uuid,
            Organisation.name,
            Organisation.country_code,
            Organisation.status,
            Organisation.last_verified,
        )
        .where(Organisation.status == Status.PUBLISHED)
        .order_by(nulls_first(Organisation.last_verified.asc()), Organisation.sort_name, Organisation.id)
    ).all()
    report = []
    for country in db.session.scalars(select(Country).order_by(Country.code)):
        mine = [EntryFreshness(u, n, c, str(s), v) for u, n, c, s, v in rows if c == country.code]
        stale = [e for e in mine if e.last_verified is None or e.last_verified < cutoff]
        report.append(CountryStaleness(country, len(mine), stale))
    return report
