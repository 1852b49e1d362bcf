"""One definition of an organisation's data (an "entry"): its fields, their kinds, labels and limits,
and its stored JSON form.

What forms, proposals, revisions, diffs, the merge, exports and imports carry is an `EntryData`:
the organisation's fields (scalars), its lists of items with ids (services, sites, contact people,
phones, coverage parts) and its additional information (`extra`, {code: text}). Its JSON form is the
one proposals and revisions have always stored (`to_json` / `from_json`, the keys of
`organisations.services.create_organisation`), so stored ones keep loading.

ABSENT and empty are two values: ABSENT says nothing (the stored value is left as it is: a column
a file lacks, a key an older snapshot lacks), empty clears ("" / [] / None). `from_json(data)`
reads a whole snapshot (a missing key is empty, as stored snapshots were always read, except
`extra` and `original_language`, which older snapshots lack and which are left alone);
`from_json(data, partial=True)` reads what a file's row says (a missing key is ABSENT).

Each field's metadata (`spec(name)`) gives its label (lazy gettext), its kind, its length limit,
whether it is required, and whether an empty value clears it (`clearable`; an import's empty cell in
a field that is not clearable says nothing). Validation against these is in entry_checks.py; the
organisation's rows are written from an EntryData by organisations.services, the one write path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from directory_app.errors import ValidationError
from directory_app.organisations.entry_fields import (
    ABSENT,
    EXTRA_KIND,
    ITEM_ID,
    LIST,
    SCALAR,
    Spec,
    read_by_language,
    read_text,
    read_texts,
)
from directory_app.organisations.entry_fields import spec_field as _field
from directory_app.organisations.entry_items import (
    COVERAGE_KEYS,
    TEXT_FIELDS,
    ContactData,
    CoverageData,
    Item,
    PhoneData,
    ServiceData,
    SiteData,
)

__all__ = [
    "ABSENT",
    "CLEARABLE",
    "COVERAGE_KEYS",
    "EXTRA",
    "FIELDS",
    "ITEM_ID",
    "ITEM_LABELS",
    "ITEM_TYPES",
    "LIST_FIELDS",
    "SCALAR_FIELDS",
    "TEXT_FIELDS",
    "ContactData",
    "CoverageData",
    "EntryData",
    "Item",
    "PhoneData",
    "ServiceData",
    "SiteData",
    "Spec",
    "empty",
    "spec",
]


@dataclass
class EntryData:
    """An organisation's data. Every field may be ABSENT (not said); see the module docstring."""

    id: str | Any = ABSENT  # the organisation's uuid (exports, imports); not part of a snapshot
    name: str | Any = _field(_l("Name"), max_length=300, required=True, clearable=False)
    alternate_name: str | Any = _field(_l("Acronym or other name"), max_length=300)
    description: str | Any = _field(_l("Description"), max_length=10_000)
    kind: str | Any = _field(_l("Kind of organisation"), max_length=40, required=True, clearable=False)
    website: str | Any = _field(_l("Website"), max_length=300)
    email: str | Any = _field(_l("Email"), max_length=254)
    country_code: str | Any = _field(_l("Country"), max_length=2, required=True, clearable=False)
    status: str | Any = _field(_l("Status"), clearable=False)
    hide_exact_location: bool | Any = _field(_l("Do not publish the exact location of the sites"), clearable=False)
    last_verified: str | None | Any = _field(_l("Last verified"))  # ISO date, None for none
    external_id: str | Any = _field(_l("External identifier"), max_length=100, clearable=False)
    networks: list[str] | Any = _field(_l("Networks"))
    original_language: str | Any = _field(_l("Language the entry is written in"), max_length=3, clearable=False)
    translations: dict | Any = _field(_l("Texts in other languages"))  # {field: {language: text}}
    services: list[ServiceData] | Any = _field(_l("Services"), kind=LIST)
    locations: list[SiteData] | Any = _field(_l("Sites"), kind=LIST)
    contacts: list[ContactData] | Any = _field(_l("Contact people"), kind=LIST)
    phones: list[PhoneData] | Any = _field(_l("Phones"), kind=LIST)
    coverage: list[CoverageData] | Any = _field(_l("Coverage"), kind=LIST)
    extra: dict[str, str] | Any = _field(_l("Additional information"), kind=EXTRA_KIND)

    @classmethod
    def from_json(cls, data: Any, *, partial: bool = False) -> EntryData:
        """The data of stored JSON (a snapshot) or, with `partial`, of what a row says. ValidationError
        (naming the field) when it is not shaped like one: a list that is not a list of objects..."""
        if isinstance(data, EntryData):
            return data
        if not isinstance(data, dict):
            raise ValidationError(str(_l("Give a JSON object.")))
        values: dict[str, Any] = {}
        for name in FIELDS:
            if name in data:
                values[name] = _read(name, data[name])
            elif not partial and name not in LEFT_ALONE_WHEN_MISSING:
                values[name] = empty(name)
        if data.get(ITEM_ID):
            values[ITEM_ID] = str(data[ITEM_ID])
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The stored JSON form: every field that is said, in the definition's order."""
        data: dict[str, Any] = {} if self.id is ABSENT else {ITEM_ID: self.id}
        for name in FIELDS:
            value = getattr(self, name)
            if value is ABSENT:
                continue
            if name in LIST_FIELDS:
                value = [item.to_json() for item in value]
            elif isinstance(value, (list, dict)):
                value = _copy(value)
            data[name] = value
        return data

    def said(self) -> list[str]:
        """The fields that are not ABSENT, in order."""
        return [name for name in FIELDS if getattr(self, name) is not ABSENT]

    def overlay(self, other: EntryData) -> EntryData:
        """This data with every field `other` says (not ABSENT) replaced by other's."""
        changes = {f.name: getattr(other, f.name) for f in dataclasses.fields(other)}
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not ABSENT})

    def completed(self) -> EntryData:
        """Every ABSENT field (the id aside) given its empty value: the data of a new organisation."""
        return dataclasses.replace(self, **{name: empty(name) for name in FIELDS if getattr(self, name) is ABSENT})


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


ITEM_TYPES: dict[str, type[Item]] = {
    "services": ServiceData,
    "locations": SiteData,
    "contacts": ContactData,
    "phones": PhoneData,
    "coverage": CoverageData,
}
_SPECS: dict[str, Spec] = {f.name: f.metadata["spec"] for f in dataclasses.fields(EntryData) if "spec" in f.metadata}
FIELDS: tuple[str, ...] = tuple(_SPECS)
"""Every field of an entry (the organisation's id aside), in the order pages show them."""
SCALAR_FIELDS: tuple[str, ...] = tuple(name for name, s in _SPECS.items() if s.kind == SCALAR)
LIST_FIELDS: tuple[str, ...] = tuple(name for name, s in _SPECS.items() if s.kind == LIST)
EXTRA = "extra"
CLEARABLE: tuple[str, ...] = tuple(name for name, s in _SPECS.items() if s.kind == SCALAR and s.clearable)
"""Scalar fields an empty value clears (an import's empty cell); in the others it says nothing."""
LEFT_ALONE_WHEN_MISSING = ("original_language", EXTRA)
"""Keys older stored snapshots lack: a whole snapshot without them leaves them as they are."""
ITEM_LABELS: dict[str, dict[str, Any]] = {name: item.labels() for name, item in ITEM_TYPES.items()}


def spec(name: str) -> Spec:
    """The definition of a field of an entry."""
    return _SPECS[name]


def empty(name: str) -> Any:
    """The empty value of a field: what clears it."""
    if name in LIST_FIELDS or name == "networks":
        return []
    if name in ("translations", EXTRA):
        return {}
    if name == "hide_exact_location":
        return False
    if name == "last_verified":
        return None
    return ""


def _read(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            raise ValidationError(str(_l("Give a JSON list of objects.")), field=name)
        return [ITEM_TYPES[name].from_json(item, f"{name}[{i}]") for i, item in enumerate(value)]
    if name == "networks":
        return read_texts(value, name)
    if name == "translations":
        return read_by_language(value, name)
    if name == EXTRA:
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
            raise ValidationError(str(_l("Give a JSON object.")), field=name)
        return {str(code): read_text(text) for code, text in value.items()}
    if isinstance(value, (dict, list)):
        raise ValidationError(str(_l("Give a value, not a list or an object.")), field=name)
    if name == "hide_exact_location":
        return value if isinstance(value, bool) else bool(value)
    if name == "last_verified":
        return None if value in (None, "") else value if isinstance(value, str) else _date_text(value)
    return read_text(value)


def _date_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
