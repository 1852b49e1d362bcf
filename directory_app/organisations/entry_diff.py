"""Differences between two versions of an organisation's data (snapshots, the stored JSON of
organisations.entry_data); merging three of them is organisations.entry_merge.

A field path names one value: "name", "services[0].fees", "coverage[1].geometry",
"translations.description.fr", "extra.<code>". The groups are the entry's top-level fields
(entry_data.FIELDS), in the order pages show them.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.organisations.entry_data import EXTRA, FIELDS, ITEM_ID, LIST_FIELDS, EntryData


def value_text(value: Any) -> str:
    """A value as a diff shows it: yes/no, a list of codes joined, anything nested as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        if all(not isinstance(v, (dict, list)) for v in value) and isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def flatten(snapshot: dict[str, Any]) -> dict[str, str]:
    """field path -> text. Lists of plain values (networks, populations, languages) stay one field.
    The items' ids (ITEM_ID) are no field: they say which item is which (entry_merge), nobody
    edits them."""
    flat: dict[str, str] = {}
    for field in FIELDS:
        value = snapshot.get(field)
        if field in LIST_FIELDS:
            for i, item in enumerate(value or []):
                for key, sub in item.items():
                    if key != ITEM_ID:
                        _put(flat, f"{field}[{i}].{key}", sub)
        elif field == EXTRA:
            for code, text in (value or {}).items():
                flat[f"{EXTRA}.{code}"] = value_text(text)
        else:
            _put(flat, field, value)
    return flat


def _put(flat: dict[str, str], path: str, value: Any) -> None:
    """Texts by language ({field: {language: text}}) become one path each: translations.description.fr."""
    if path.endswith("translations") and isinstance(value, dict):
        for field, texts in value.items():
            for language, text in (texts or {}).items():
                flat[f"{path}.{field}.{language}"] = value_text(text)
    else:
        flat[path] = value_text(value)


def group_of(path: str) -> str:
    """The top-level group of a field path: "services[0].fees" -> "services"."""
    return path.split("[", 1)[0].split(".", 1)[0]


def _order(path: str) -> tuple:
    group = group_of(path)
    index = int(path.split("[", 1)[1].split("]", 1)[0]) if "[" in path else -1
    return (FIELDS.index(group) if group in FIELDS else len(FIELDS), index, path)


def diff_snapshots(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    """The changed fields, as HSDS metadata-like dicts {field_name, previous_value,
    replacement_value}; everything counts as new when there is no `before`. Additional information
    is named readably ("Additional information: <label>")."""
    return _readable(_changes(before, after))


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    old, new = flatten(before or {}), flatten(after)
    # Only the additional fields `after` names change (a snapshot without a code leaves it alone).
    named = {f"{EXTRA}.{code}" for code in _extra(after)}
    old = {path: text for path, text in old.items() if not path.startswith(f"{EXTRA}.") or path in named}
    changes = []
    for path in sorted(set(old) | set(new), key=_order):
        previous, replacement = old.get(path, ""), new.get(path, "")
        if previous != replacement:
            changes.append({"field_name": path, "previous_value": previous, "replacement_value": replacement})
    return changes


def _extra(snapshot: dict[str, Any] | None) -> dict:
    value = (snapshot or {}).get(EXTRA)
    return value if isinstance(value, dict) else {}


def _readable(changes: list[dict[str, str]]) -> list[dict[str, str]]:
    """The changes with "extra.<code>" named "Additional information: <label>" (reader's language);
    those keep the code path as "path"."""
    prefix = f"{EXTRA}."
    if not any(change["field_name"].startswith(prefix) for change in changes):
        return changes
    from directory_app.organisations.entry_labels import extra_labels

    labels = extra_labels()
    readable = []
    for change in changes:
        if change["field_name"].startswith(prefix):
            code = change["field_name"][len(prefix) :]
            label = _("Additional information: %(label)s", label=labels.get(code, code))
            change = dict(change, field_name=label, path=change["field_name"])  # path: for the TS
        readable.append(change)
    return readable


def has_snapshot_shape(snapshot: Any) -> bool:
    """True when `snapshot` (from a browser: the conflict page's "yours") reads as an entry's data,
    so that only the services' validation messages, never a crash, can follow."""
    try:
        EntryData.from_json(snapshot)
    except ValidationError:
        return False
    return True
