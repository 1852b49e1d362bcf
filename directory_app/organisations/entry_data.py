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


class _Absent:
    """The value of a field the data does not say: leave the stored value as it is."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> _Absent:
        return self

    def __deepcopy__(self, memo: dict) -> _Absent:
        return self


ABSENT = _Absent()

SCALAR, LIST, EXTRA_KIND = "scalar", "list", "extra"
ITEM_ID = "id"  # every list item carries its row's uuid: the same item from one version to the next


@dataclass(frozen=True)
class Spec:
    """What the definition says about one field."""

    label: Any  # a lazy gettext string
    kind: str = SCALAR
    max_length: int | None = None
    required: bool = False
    clearable: bool = True  # an empty value clears it (False: an empty value says nothing)


def _field(label, default: Any = ABSENT, **spec) -> Any:
    factory = {"default_factory": default} if callable(default) else {"default": default}
    return dataclasses.field(metadata={"spec": Spec(label, **spec)}, **factory)


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _texts(value: Any, where: str) -> list[str]:
    if value is None or value == "":
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ValidationError(str(_l("Give a JSON list.")), field=where)
    return [str(v) for v in value]


def _by_language(value: Any, where: str) -> dict:
    """Texts by language: {field: {language: text}}."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, dict) or v is None for v in value.values()):
        raise ValidationError(str(_l("Give a JSON object.")), field=where)
    return {str(k): {str(lang): _text(t) for lang, t in (v or {}).items()} for k, v in value.items()}


def _index(value: Any) -> Any:
    """A reference to another list's item by its place (an int); anything else as given (checked later)."""
    return value


class Item:
    """A list item: its fields are dataclass fields with a Spec; "id" first."""

    @classmethod
    def from_json(cls, data: Any, where: str) -> Item:
        if not isinstance(data, dict):
            raise ValidationError(str(_l("Give a JSON list of objects.")), field=where)
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in data:
                values[f.name] = cls._read(f.name, data[f.name], f"{where}.{f.name}")
        return cls(**values)

    @classmethod
    def _read(cls, name: str, value: Any, where: str) -> Any:
        if name == ITEM_ID:
            return str(value) if value else None
        return _text(value)

    def to_json(self) -> dict[str, Any]:
        data = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == ITEM_ID and not value:
                continue
            data[f.name] = value
        return data

    @classmethod
    def labels(cls) -> dict[str, Any]:
        return {f.name: f.metadata["spec"].label for f in dataclasses.fields(cls) if "spec" in f.metadata}

    @classmethod
    def spec(cls, name: str) -> Spec:
        return next(f.metadata["spec"] for f in dataclasses.fields(cls) if f.name == name)


@dataclass
class ServiceData(Item):
    id: str | None = None
    category: str = _field(_l("Category"), "", max_length=40, required=True)
    name: str = _field(_l("Name"), "", max_length=300)
    description: str = _field(_l("Description"), "", max_length=10_000)
    eligibility: str = _field(_l("Eligibility"), "", max_length=5_000)
    fees: str = _field(_l("Fees"), "", max_length=2_000)
    schedule: str = _field(_l("Hours"), "", max_length=2_000)
    populations: list[str] = _field(_l("Population"), list)
    languages: list[str] = _field(_l("Languages"), list)
    translations: dict = _field(_l("Texts in other languages"), dict)

    @classmethod
    def _read(cls, name: str, value: Any, where: str) -> Any:
        if name in ("populations", "languages"):
            return _texts(value, where)
        if name == "translations":
            return _by_language(value, where)
        return super()._read(name, value, where)


@dataclass
class SiteData(Item):
    id: str | None = None
    name: str = _field(_l("Name"), "", max_length=300)
    address: str = _field(_l("Address"), "", max_length=300)
    city: str = _field(_l("City"), "", max_length=120)
    region: str = _field(_l("Region"), "", max_length=120)
    postal_code: str = _field(_l("Postal code"), "", max_length=20)
    country_code: str = _field(_l("Country"), "", max_length=2)  # "": the organisation's country
    lon: Any = _field(_l("Longitude"), None)  # a number (or what a person typed, checked on writing)
    lat: Any = _field(_l("Latitude"), None)
    # "exact", or "approximate" for the public point of a hidden site (exports; an import never
    # writes an approximate position over an exact one). None: not said.
    precision: str | None = _field(_l("Precision"), None)

    @classmethod
    def _read(cls, name: str, value: Any, where: str) -> Any:
        if name in ("lon", "lat"):
            return value
        if name == "precision":
            return None if value in (None, "") else str(value)
        return super()._read(name, value, where)

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if self.precision is None:
            del data["precision"]
        return data


@dataclass
class ContactData(Item):
    id: str | None = None
    name: str = _field(_l("Name"), "", max_length=200, required=True)
    title: str = _field(_l("Title"), "", max_length=200)
    department: str = _field(_l("Department"), "", max_length=200)
    email: str = _field(_l("Email"), "", max_length=254)


@dataclass
class PhoneData(Item):
    id: str | None = None
    number: str = _field(_l("Number"), "", max_length=40, required=True)
    type: str = _field(_l("Type"), "voice")
    extension: str = _field(_l("Extension"), "", max_length=10)
    description: str = _field(_l("Description"), "", max_length=200)
    contact: Any = _field(_l("Line of"), None)  # its contact person's place in `contacts`; None: the organisation's

    @classmethod
    def _read(cls, name: str, value: Any, where: str) -> Any:
        if name == "contact":
            return _index(value)
        if name == "type":
            return _text(value) or "voice"
        return super()._read(name, value, where)


COVERAGE_KEYS = {"country": ("country",), "admin_unit": ("unit",), "radius": ("location", "radius_km")}
"""The keys of a coverage part besides id, kind and label, by kind (any other kind: "geometry")."""


@dataclass
class CoverageData(Item):
    id: str | None = None
    kind: str = _field(_l("Kind"), "")
    label: str = _field(_l("Label"), "", max_length=200)
    country: str = _field(_l("Country"), "")
    unit: str = _field(_l("Administrative unit"), "")
    location: Any = _field(_l("Site"), 0)  # the place of its site in `locations`
    radius_km: Any = _field(_l("Radius (km)"), None)
    geometry: Any = _field(_l("Area drawn on the map"), None)  # GeoJSON (or a shapely geometry from a GIS file)

    @classmethod
    def _read(cls, name: str, value: Any, where: str) -> Any:
        if name in ("location", "radius_km", "geometry"):
            return value
        return super()._read(name, value, where)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {ITEM_ID: self.id} if self.id else {}
        data.update(kind=self.kind, label=self.label)
        for key in COVERAGE_KEYS.get(self.kind, ("geometry",)):
            value = getattr(self, key)
            if key == "geometry" and value is not None and not isinstance(value, dict):
                from shapely.geometry import mapping

                value = mapping(value)
            data[key] = value
        return data


TEXT_FIELDS = {"description": _l("Description"), "eligibility": _l("Eligibility"), "schedule": _l("Hours")}
"""Texts that have translations ({field: {language: text}}), with their labels."""


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
        return _texts(value, name)
    if name == "translations":
        return _by_language(value, name)
    if name == EXTRA:
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
            raise ValidationError(str(_l("Give a JSON object.")), field=name)
        return {str(code): _text(text) for code, text in value.items()}
    if isinstance(value, (dict, list)):
        raise ValidationError(str(_l("Give a value, not a list or an object.")), field=name)
    if name == "hide_exact_location":
        return value if isinstance(value, bool) else bool(value)
    if name == "last_verified":
        return None if value in (None, "") else value if isinstance(value, str) else _date_text(value)
    return _text(value)


def _date_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
