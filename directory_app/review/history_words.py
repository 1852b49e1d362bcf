"""The history page's changes in words: each revision against the one before it
(organisations.entry_words), rather than the field paths its stored `changes` keep for the HSDS
metadata and the merge."""

from __future__ import annotations

from directory_app.organisations.coverage_words import PlaceNames
from directory_app.organisations.entry_words import ChangeLine, describe_changes
from directory_app.review.models import Revision


def revision_changes(revisions: list[Revision]) -> dict[int, list[ChangeLine]]:
    """{revision number: its changes in words} for revisions given newest first; a revision that
    recorded no change (a baseline, a save that changed nothing) has none."""
    names = PlaceNames()  # one lookup of each unit and country for the whole page
    words: dict[int, list[ChangeLine]] = {}
    for position, revision in enumerate(revisions):
        if not revision.changes:
            words[revision.number] = []
            continue
        older = revisions[position + 1] if position + 1 < len(revisions) else None
        words[revision.number] = describe_changes(older.snapshot if older else None, revision.snapshot, names)
    return words
