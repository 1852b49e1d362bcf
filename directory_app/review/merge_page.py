"""What the reviewer's merge page shows: each conflict of review.merge as a row with the published
value (who changed it, when) and the proposed one (who, when), and the proposal's other changes,
applied as they are. Words for the reviewer, not the author: "Published now", "Proposed by"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from directory_app.organisations.entry_diff import group_of, value_text
from directory_app.organisations.entry_labels import field_label, item_field_label
from directory_app.review.coverage_layers import describe_part
from directory_app.review.merge import ABSENT, Conflict, MergeResult
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


def _item_text(group: str, item: Any, snapshot: dict) -> str:
    """A whole item (one side added, removed or changed it) in words."""
    if item is ABSENT or item is None:
        return _("(removed)")
    if group == "coverage":
        return describe_part(item, snapshot)
    parts = [
        f"{item_field_label(group, key)}: {value_text(value)}"
        for key, value in item.items()
        if key not in ("id", "translations") and value_text(value)
    ]
    return "; ".join(parts)


def _value_text(conflict: Conflict, value: Any, snapshot: dict) -> str:
    if conflict.whole_item:
        return _item_text(group_of(conflict.path), value, snapshot)
    return "" if value is ABSENT else value_text(value)


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
    for conflict in merge.conflicts:
        revision = _changed_by(conflict, revisions)
        choice = (chosen or {}).get(conflict.key)
        rows.append(
            ConflictRow(
                key=conflict.key,
                path=conflict.path,
                label=field_label(conflict.path),
                published=_value_text(conflict, conflict.published, published),
                proposed=_value_text(conflict, conflict.proposed, proposal.snapshot),
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
