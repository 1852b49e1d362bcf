"""What the reviewer's merge page shows: each conflict of organisations.entry_merge as a row with the published
value (who changed it, when) and the proposed one (who, when), and the proposal's other changes,
applied as they are. Words for the reviewer, not the author: "Published now", "Proposed by"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from directory_app.organisations.coverage_words import PlaceNames
from directory_app.organisations.entry_labels import field_label
from directory_app.organisations.entry_merge import ABSENT, Conflict, MergeResult
from directory_app.organisations.entry_words import path_words
from directory_app.review.models import ChangeProposal, Revision


@dataclass(frozen=True)
class ConflictRow:
    key: str
    path: str
    label: str
    published: str
    proposed: str
    changed_by: str
    changed_at: datetime | None
    choice: str | None  # "published" / "proposed" once chosen (kept when the page comes back)


def _who(user) -> str:
    return (user.name or user.email) if user is not None else _("imported data")


def _value_text(conflict: Conflict, value: Any, snapshot: dict, path: str, names: PlaceNames) -> str:
    """A side's value in words (an item one side removed: "(removed)")."""
    if value is ABSENT:
        return _("(removed)") if conflict.whole_item else ""
    return path_words(path, value, snapshot, names)[1]


def _label(conflict: Conflict, published: dict, proposed: dict, names: PlaceNames) -> str:
    """The conflict's field in words, named from the side that still has it."""
    if conflict.published is ABSENT:
        return path_words(conflict.proposed_path or conflict.path, conflict.proposed, proposed, names)[0]
    return path_words(conflict.path, conflict.published, published, names)[0]


def _changed_by(conflict: Conflict, revisions: list[Revision]) -> Revision | None:
    """The newest revision since the proposal's base that changed this field (else the newest)."""
    for revision in revisions:
        names = {change.get("path") or change.get("field_name") for change in revision.changes or []}
        if any(name == conflict.path or str(name).startswith(f"{conflict.path}.") for name in names):
            return revision
    return revisions[0] if revisions else None


def conflict_rows(
    merge: MergeResult,
    proposal: ChangeProposal,
    published: dict,
    revisions: list[Revision],
    chosen: dict[str, str] | None = None,
) -> list[ConflictRow]:
    rows = []
    names = PlaceNames()
    for conflict in merge.conflicts:
        revision = _changed_by(conflict, revisions)
        choice = (chosen or {}).get(conflict.key)
        rows.append(
            ConflictRow(
                key=conflict.key,
                path=conflict.path,
                label=_label(conflict, published, proposal.snapshot, names),
                published=_value_text(conflict, conflict.published, published, conflict.path, names),
                proposed=_value_text(
                    conflict, conflict.proposed, proposal.snapshot, conflict.proposed_path or conflict.path, names
                ),
                changed_by=_who(revision.author) if revision is not None else "",
                changed_at=revision.created_at if revision is not None else None,
                choice=choice if choice in ("published", "proposed") else None,
            )
        )
    return rows


def applied_labels(merge: MergeResult) -> list[str]:
    """The proposal's changes applied without conflict, in words (each field once)."""
    return list(dict.fromkeys(field_label(path) for path in merge.applied))


def kept_labels(proposal: ChangeProposal) -> list[str]:
    """The fields a partial approval kept as published, in the reader's language."""
    return [field_label(path) for path in proposal.kept_published or []]
