"""Our own HSDS exports edited outside the directory: the visible fields win over the embedded record.

An organization our export wrote carries its complete record (the `cammina_record` attribute) beside
the HSDS fields made from it. A person who corrects a name or a phone number in the JSON (or in the
CSV package's tables) edits the visible field and leaves the record as it was: the edit is what they
meant. So each visible field that our export writes from one field of the record is compared with what
the export would have written from the record; where they differ, the HSDS value replaces the record's,
and the preview says so, naming the field, both values and which one wins.

Compared (by id for the items): the organization's name, alternate_name, description, email and
website; each service's name, description, eligibility_description and fees_description; each
contact's name, title, department and email; each phone's number (wherever the document nests it).
A field the document leaves out says nothing (our export leaves out empty values). Other fields are
read from the record only: they have no one-to-one HSDS field (coverage, hours, hidden positions...).
"""

from __future__ import annotations

from flask_babel import gettext as _

from directory_app.organisations.display import website_href
from directory_app.transfer.hsds_notes import Note


def _email(value) -> str | None:
    return value if value and "@" in value else None


def _text(value) -> str | None:
    return value or None


ORGANIZATION = {  # HSDS field: (record field, what our export writes from the record's value)
    "name": ("name", _text),
    "alternate_name": ("alternate_name", _text),
    "description": ("description", _text),
    "email": ("email", _email),
    "website": ("website", website_href),
}
ITEMS = {  # record list: {HSDS field: (record field, what our export writes)}
    "services": {
        "name": ("name", _text),
        "description": ("description", _text),
        "eligibility_description": ("eligibility", _text),
        "fees_description": ("fees", _text),
    },
    "contacts": {
        "name": ("name", _text),
        "title": ("title", _text),
        "department": ("department", _text),
        "email": ("email", _email),
    },
    "phones": {"number": ("number", _text)},
}


def apply_visible_edits(document: dict, record: dict) -> tuple[dict, list[Note]]:
    """The record with the HSDS fields that differ from it (see the module docstring), and a note for
    each one."""
    record = dict(record)
    notes: list[Note] = []
    notes += _compare(document, record, ORGANIZATION, _("organization"))
    found = _items(document)
    for name, fields in ITEMS.items():
        stored = record.get(name)
        if not isinstance(stored, list):
            continue
        items = []
        for item in stored:
            edited = found[name].get(str(item.get("id") or "")) if isinstance(item, dict) else None
            if edited is None:
                items.append(item)
                continue
            item = dict(item)
            notes += _compare(edited, item, fields, _subject(name, item))
            items.append(item)
        record[name] = items
    return record, notes


def _compare(hsds: dict, record: dict, fields: dict, subject: str) -> list[Note]:
    notes = []
    for key, (field, exported) in fields.items():
        if key not in hsds or not isinstance(hsds[key], (str, int, float)):
            continue
        visible = str(hsds[key]).strip()
        if (exported(record.get(field) or "") or "") == visible:
            continue
        notes.append(
            Note(
                subject,
                _(
                    "%(field)s: the HSDS field says “%(hsds)s”, the CAMMINA record “%(record)s”: the HSDS field "
                    "wins (it was edited outside the directory)",
                    field=key,
                    hsds=visible[:120],
                    record=str(record.get(field) or "")[:120],
                ),
                True,
            )
        )
        record[field] = visible
    return notes


def _items(document: dict) -> dict[str, dict[str, dict]]:
    """{list: {id: HSDS object}} of the services, contacts and phones, wherever the document nests them."""
    found: dict[str, dict[str, dict]] = {name: {} for name in ITEMS}

    def add(name: str, item) -> None:
        if isinstance(item, dict) and item.get("id"):
            found[name].setdefault(str(item["id"]), item)

    def listed(item, key: str) -> list:
        value = item.get(key) if isinstance(item, dict) else None
        return value if isinstance(value, list) else []

    for service in listed(document, "services"):
        add("services", service)
        for phone in listed(service, "phones"):
            add("phones", phone)
    for contact in listed(document, "contacts"):
        add("contacts", contact)
        for phone in listed(contact, "phones"):
            add("phones", phone)
    for phone in listed(document, "phones"):
        add("phones", phone)
    for location in listed(document, "locations"):
        for phone in listed(location, "phones"):
            add("phones", phone)
    return found


def _subject(name: str, item: dict) -> str:
    label = str(item.get("name") or item.get("number") or item.get("category") or "?")[:80]
    if name == "services":
        return _("service '%(name)s'", name=label)
    if name == "contacts":
        return _("contact '%(name)s'", name=label)
    return _("phone '%(number)s'", number=label)
