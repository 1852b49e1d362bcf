"""The items of an organisation's lists (organisations.entry_data): services, sites, contact people,
phones and coverage parts. Each carries its row's uuid as "id"; a key its JSON lacks takes the
item's default (an item is said whole)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from directory_app.errors import ValidationError
from directory_app.organisations.entry_fields import (
    ITEM_ID,
    Spec,
    read_by_language,
    read_index,
    read_text,
    read_texts,
)
from directory_app.organisations.entry_fields import spec_field as _field


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
        return read_text(value)

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
            return read_texts(value, where)
        if name == "translations":
            return read_by_language(value, where)
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
            return read_index(value)
        if name == "type":
            return read_text(value) or "voice"
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
