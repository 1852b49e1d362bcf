"""What an HSDS import keeps elsewhere and what it cannot keep, record by record.

The reader of another publisher's document (transfer.hsds_read) marks every field it uses through a
Tracker; whatever the document holds that no step used is listed at the end ("not kept: wait_time,
accreditations"), so that nothing HSDS carries is dropped without the preview saying so. Items the
reader leaves out on purpose (a site without a valid position, a duplicate of a phone already kept)
are marked whole, with their own note.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _


@dataclass(frozen=True)
class Note:
    """One line of the preview about one record: `subject` (the organization, "service 'X'"...) and
    what happens to it; `kept` True: kept, elsewhere than in HSDS (additional information, hours text);
    False: not kept."""

    subject: str
    text: str
    kept: bool


STRUCTURE = {
    "id",
    "organization_id",
    "service_id",
    "location_id",
    "contact_id",
    "phone_id",
    "service_at_location_id",
    "program_id",
    "link_id",
    "taxonomy_term_id",
    "taxonomy_id",
    "resource_id",
}
"""Ids that only link HSDS objects to each other: never listed as not kept (what they link is)."""


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


class Tracker:
    """Which fields of a document were used, and the notes about it."""

    def __init__(self) -> None:
        self._used: set[tuple[int, str]] = set()
        self._whole: set[int] = set()
        self._subjects: dict[int, str] = {}
        self._held: list[object] = []  # the objects whose id() is a key above stay alive
        self.notes: list[Note] = []

    def name(self, item: dict, subject: str) -> None:
        """What the notes about `item` (and about what it holds) call it."""
        self._held.append(item)
        self._subjects[id(item)] = subject

    def subject(self, item: dict) -> str:
        return self._subjects.get(id(item), _("organization"))

    def get(self, item: dict, key: str):
        """item[key] (None when absent), marked as used."""
        self._held.append(item)
        self._used.add((id(item), key))
        return item.get(key)

    def text(self, item: dict, key: str) -> str:
        value = self.get(item, key)
        return "" if value is None else str(value).strip()

    def items(self, item: dict, key: str) -> list[dict]:
        """The objects of a list field (anything else in it is listed as not kept)."""
        value = self.get(item, key)
        if isinstance(value, dict):
            return [value]
        if not isinstance(value, list):
            if not _empty(value):
                self.lost(item, _("%(field)s is not a list: not kept", field=key))
            return []
        return [entry for entry in value if isinstance(entry, dict)]

    def use(self, item: dict, *keys: str) -> None:
        for key in keys:
            self.get(item, key)

    def whole(self, item: dict) -> None:
        """Every field of `item` and of what it holds counts as used (a duplicate, an item left out
        with its own note)."""
        self._held.append(item)
        self._whole.add(id(item))

    def kept(self, item: dict, text: str) -> None:
        self._add(Note(self.subject(item), text, True))

    def lost(self, item: dict, text: str) -> None:
        self._add(Note(self.subject(item), text, False))

    def _add(self, note: Note) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def leftovers(self, document: dict) -> list[Note]:
        """The notes, after listing what the document holds that nothing used."""
        self._walk(document, None)
        return list(self.notes)

    def _walk(self, item: dict, parent: str | None) -> None:
        if id(item) in self._whole:
            return
        subject = self._subjects.get(id(item)) or parent or _("organization")
        unused = []
        for key, value in item.items():
            if _empty(value):
                continue
            if (id(item), key) not in self._used and key not in STRUCTURE:
                unused.append(key)
            elif isinstance(value, dict):
                self._walk(value, subject)
            elif isinstance(value, list):
                for entry in value:
                    if isinstance(entry, dict):
                        self._walk(entry, subject)
        if unused:
            self._add(Note(subject, _("not kept: %(fields)s", fields=", ".join(unused)), False))
