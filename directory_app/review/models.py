"""Change proposals and revisions.

A snapshot is the whole organisation in the `create_organisation` data format (JSON): applying it
rebuilds the organisation, so every revision can be restored and every proposal published as is.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import UuidMixin, utcnow


def _str_enum(enum_cls: type[enum.Enum]) -> Enum:
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ChangeKind(enum.StrEnum):
    BASELINE = "baseline"  # the state an organisation had before its first recorded change
    CREATE = "create"
    UPDATE = "update"
    RESTORE = "restore"
    ARCHIVE = "archive"
    VERIFY = "verify"  # "still correct": only last_verified changes


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    APPROVED_IN_PART = "approved_in_part"  # some fields kept as published (ChangeProposal.kept_published)
    REJECTED = "rejected"


APPROVED_STATUSES = (ProposalStatus.APPROVED, ProposalStatus.APPROVED_IN_PART)


class ChangeProposal(UuidMixin, db.Model):
    """A country contact's change, waiting for the Technical Secretariat. `organisation_id` is None
    for a new organisation until it is approved; `base_version` is the organisation's version the
    change was made on (None for a new organisation): the Revision of that version holds the base of
    the three-way merge at review (organisations.entry_merge). `kept_published`: the field paths the reviewer kept
    as published when approving in part; `amended_at`: when its author last replaced its snapshot."""

    __tablename__ = "change_proposal"
    __table_args__ = (Index("ix_change_proposal_queue", "status", "country_code", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    kind: Mapped[ChangeKind] = mapped_column(_str_enum(ChangeKind))
    snapshot: Mapped[dict] = mapped_column(JSON)
    base_version: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProposalStatus] = mapped_column(_str_enum(ProposalStatus), default=ProposalStatus.PENDING)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kept_published: Mapped[list | None] = mapped_column(JSON)
    amended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation = relationship("Organisation")
    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])

    @property
    def name(self) -> str:
        return str(self.snapshot.get("name") or "")


class Revision(db.Model):
    """One applied change of an organisation: who made it, who approved it, the snapshot after it
    and the field-by-field changes from the snapshot before it. `number` counts from 1 per
    organisation; `version` is the organisation's version counter after the change."""

    __tablename__ = "revision"
    __table_args__ = (Index("ix_revision_organisation_number", "organisation_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ChangeKind] = mapped_column(_str_enum(ChangeKind))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("change_proposal.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[list] = mapped_column(JSON)  # [{field_name, previous_value, replacement_value}]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation = relationship("Organisation")
    author = relationship("User", foreign_keys=[author_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    proposal = relationship(ChangeProposal)
