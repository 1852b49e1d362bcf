"""The conflicts of a three-way merge (organisations.entry_merge) in words, for the pages where a
person decides them: the reviewer's merge page (review.merge_page) and the edit pages' page for a
save over a newer version (organisations.edit_merge). Each conflict is a row with the field in
words, the value published now (who changed it, when, if the history knows) and the other value;
nothing is chosen beforehand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from directory_app.organisations.coverage_words import PlaceNames
from directory_app.organisations.entry_labels import field_label
from directory_app.organisations.entry_merge import ABSENT, Conflict, MergeResult
from directory_app.organisations.entry_words import describe_changes, path_words

CHOICES = ("published", "proposed")  # a conflict's form value: keep the published value, or take the other


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


def who(user) -> str:
    """A revision's author in words (an import has none)."""
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


def _changed_by(conflict: Conflict, revisions: list) -> Any:
    """The newest of `revisions` (newest first) that changed this field (else the newest)."""
    for revision in revisions:
        names = {change.get("path") or change.get("field_name") for change in revision.changes or []}
        if any(name == conflict.path or str(name).startswith(f"{conflict.path}.") for name in names):
            return revision
    return revisions[0] if revisions else None


def conflict_rows(
    merge: MergeResult,
    published: dict,
    proposed: dict,
    revisions: list,
    chosen: dict[str, str] | None = None,
) -> list[ConflictRow]:
    """One row per conflict of `merge`; `revisions` (the history since the base, newest first:
    objects with changes, author, created_at) say who changed the published value and when."""
    rows = []
    names = PlaceNames()
    for conflict in merge.conflicts:
        revision = _changed_by(conflict, revisions)
        choice = (chosen or {}).get(conflict.key)
        rows.append(
            ConflictRow(
                key=conflict.key,
                path=conflict.path,
                label=_label(conflict, published, proposed, names),
                published=_value_text(conflict, conflict.published, published, conflict.path, names),
                proposed=_value_text(
                    conflict, conflict.proposed, proposed, conflict.proposed_path or conflict.path, names
                ),
                changed_by=who(revision.author) if revision is not None else "",
                changed_at=revision.created_at if revision is not None else None,
                choice=choice if choice in CHOICES else None,
            )
        )
    return rows


def unchosen(merge: MergeResult, chosen: dict[str, str] | None) -> list[Conflict]:
    """The conflicts without a choice."""
    return [c for c in merge.conflicts if (chosen or {}).get(c.key) not in CHOICES]


def taken(chosen: dict[str, str] | None) -> set[str]:
    """The conflict keys whose other (proposed) value is taken."""
    return {key for key, choice in (chosen or {}).items() if choice == "proposed"}


def applied_labels(merge: MergeResult) -> list[str]:
    """The changes applied without conflict, in words (each field once)."""
    return list(dict.fromkeys(field_label(path) for path in merge.applied))


def labels_of_changes(before: dict | None, after: dict) -> list[str]:
    """What changed from `before` to `after`, named in words, each once ("Email", "Phone")."""
    return list(dict.fromkeys(line.what for line in describe_changes(before, after)))


def joined(labels: Iterable[str]) -> str:
    return ", ".join(labels)
