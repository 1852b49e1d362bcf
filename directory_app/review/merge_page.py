"""What the reviewer's merge page shows: each conflict of organisations.entry_merge as a row with the
published value (who changed it, when) and the proposed one (who, when), and the proposal's other
changes, applied as they are (rows in words: organisations.entry_conflicts, shared with the edit
pages). Words for the reviewer, not the author: "Published now", "Proposed by"."""

from __future__ import annotations

from directory_app.organisations import entry_conflicts
from directory_app.organisations.entry_conflicts import ConflictRow, applied_labels
from directory_app.organisations.entry_labels import field_label
from directory_app.organisations.entry_merge import MergeResult
from directory_app.review.models import ChangeProposal, Revision

__all__ = ["ConflictRow", "applied_labels", "conflict_rows", "kept_labels"]


def conflict_rows(
    merge: MergeResult,
    proposal: ChangeProposal,
    published: dict,
    revisions: list[Revision],
    chosen: dict[str, str] | None = None,
) -> list[ConflictRow]:
    return entry_conflicts.conflict_rows(merge, published, proposal.snapshot, revisions, chosen)


def kept_labels(proposal: ChangeProposal) -> list[str]:
    """The fields a partial approval kept as published, in the reader's language."""
    return [field_label(path) for path in proposal.kept_published or []]
