"""An organisation's field paths in words, in the reader's language, from the labels of the entry's
definition (organisations.entry_data): "services[0].name" -> "Service 1: Name" / "Servicio 1:
Nombre", "contacts[1].email" -> "Person 2: Email", "translations.description.fr" -> "Description
(fr)", "extra.<code>" -> "Additional information: <its label>"."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from directory_app.organisations.entry_data import EXTRA, FIELDS, ITEM_LABELS, TEXT_FIELDS, spec

_ITEM_PATH = re.compile(r"^(?P<group>[a-z_]+)\[(?P<index>\d+)\]\.(?P<rest>.+)$")
_WHOLE_ITEM = re.compile(r"^(?P<group>[a-z_]+)\[(?P<index>\d+)\]$")  # an item as a whole (entry_merge)


def item_name(group: str, number: int) -> str:
    """ "Service 1", "Site 2", "Person 3" (as the edit form heads its rows), "Phone 1", "Coverage part 1"."""
    if group == "services":
        return _("Service %(number)d", number=number)
    if group == "locations":
        return _("Site %(number)d", number=number)
    if group == "contacts":
        return _("Person %(number)d", number=number)
    if group == "phones":
        return _("Phone %(number)d", number=number)
    return _("Coverage part %(number)d", number=number)


def _texts_label(rest: str) -> str | None:
    """ "translations.description.fr" -> "Description (fr)"; None for anything else."""
    parts = rest.split(".")
    if len(parts) == 3 and parts[0] == "translations" and parts[1] in TEXT_FIELDS:
        return _("%(field)s (%(language)s)", field=TEXT_FIELDS[parts[1]], language=parts[2])
    return None


def extra_labels() -> dict[str, str]:
    """{code: label in the reader's language} of every additional field (English outside a request)."""
    from directory_app.extra_fields.services import definitions

    language = _language()
    return {field.code: field.label(language) for field in definitions(active_only=False)}


def _language() -> str:
    try:
        from directory_app.organisations.display import reader_language

        return reader_language()
    except Exception:  # outside a request (command line): English labels
        return "en"


def item_field_label(group: str, key: str) -> str:
    """The label of a field of a list's items ("phones", "contact" -> "Line of"), or the key."""
    label = ITEM_LABELS.get(group, {}).get(key)
    return str(label) if label is not None else key


def field_label(path: str | None) -> str:
    """A field path in words (see the module docstring); a top-level group ("services") -> "Services".
    Anything else (an unknown path, or a name already in words) as it is."""
    if not path:
        return ""
    path = str(path)
    if path in FIELDS:
        return str(spec(path).label)
    if path.startswith(f"{EXTRA}.") and len(path) > len(EXTRA) + 1:
        code = path[len(EXTRA) + 1 :]
        return _("Additional information: %(label)s", label=extra_labels().get(code, code))
    whole = _WHOLE_ITEM.match(path)
    if whole and whole["group"] in ITEM_LABELS:
        return item_name(whole["group"], int(whole["index"]) + 1)
    found = _ITEM_PATH.match(path)
    if found and found["group"] in ITEM_LABELS:
        group, rest = found["group"], found["rest"]
        known = ITEM_LABELS[group].get(rest) if rest != "translations" else None
        field = str(known) if known is not None else _texts_label(rest) if group == "services" else None
        if field is None:
            return path
        return _("%(part)s: %(field)s", part=item_name(group, int(found["index"]) + 1), field=field)
    return _texts_label(path) or path
