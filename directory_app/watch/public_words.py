"""A published change of an organisation in words, with public data only (watch messages and feeds).

The words are review's (organisations.entry_words.describe_changes: phones, hours, services, coverage
... in the reader's language). Before they are said, both versions lose what the public page does not
show: the external identifier, and, when the organisation hides its exact location (in either version),
its sites' street address, postal code and position (so no "moved on the map by" either). "Last
verified" is left out: marking an entry as still correct changes nothing a reader acts on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from directory_app.organisations.entry_words import describe_changes

PUBLISHED = "published"
NOT_SAID = ("external_id", "last_verified", "status")
HIDDEN_SITE_KEYS = ("address", "postal_code", "lon", "lat", "precision")


@dataclass(frozen=True)
class PublicChange:
    """What a change did for the public: "changed" (with `lines`), "published" (it appeared: new, or
    restored from the archive) or "archived" (it left the directory)."""

    kind: str
    lines: tuple[str, ...] = ()


def public_snapshot(snapshot: dict[str, Any] | None, hidden: bool) -> dict[str, Any]:
    """A copy of `snapshot` without what the public may not read (see the module docstring)."""
    data = copy.deepcopy(snapshot or {})
    for key in NOT_SAID:
        data.pop(key, None)
    if hidden:
        for site in data.get("locations") or []:
            if isinstance(site, dict):
                for key in HIDDEN_SITE_KEYS:
                    site.pop(key, None)
    return data


def is_public(snapshot: dict[str, Any] | None) -> bool:
    return bool(snapshot) and str(snapshot.get("status")) == PUBLISHED


def public_change(before: dict[str, Any] | None, after: dict[str, Any]) -> PublicChange | None:
    """The change from `before` (None: a new entry) to `after` as the public may read it; None when
    the entry was not public before nor after, or nothing it shows changed."""
    was, now = is_public(before), is_public(after)
    if not was and not now:
        return None
    if was and not now:
        return PublicChange("archived")
    if now and not was:
        return PublicChange("published")
    hidden = bool((before or {}).get("hide_exact_location")) or bool(after.get("hide_exact_location"))
    lines = describe_changes(public_snapshot(before, hidden), public_snapshot(after, hidden))
    if not lines:
        return None
    return PublicChange("changed", tuple(line.text for line in lines))
