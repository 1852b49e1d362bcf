"""HSDS service areas as coverage parts of the organisation.

A service_area with a GeoJSON extent becomes a drawn area (polygon); one described in words becomes a
whole admin unit or member country when its extent or name says which: an ISO 3166-2 code ("MX-CHP",
"ISO 3166-2 MX-CHP", the county codes "US-06073" of our own exports), an ISO 3166-1 code of a member
country ("ISO 3166-1 GT"), or the name of exactly one admin unit or member country (in any of our
languages, without regard to accents or case). Anything else is not kept, and the preview says why.
"""

from __future__ import annotations

import json
import re

import shapely
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.models import AdminUnit, Country
from directory_app.organisations.models import CoverageKind
from directory_app.organisations.searchtext import fold
from geo.validate import GeometryError, check_polygonal, geometry_from_geojson

_UNIT_CODE = re.compile(r"\b([A-Z]{2}-[A-Z0-9]{1,5})\b")
_COUNTRY_CODE = re.compile(r"^(?:ISO 3166-1\s+)?([A-Z]{2})$")
_KIND_NAMES = {kind.value for kind in CoverageKind} | {"admin unit", "country", "radius"}


class Places:
    """Member countries and admin units by code and by folded name (read when first needed)."""

    def __init__(self) -> None:
        self._loaded = False
        self.countries: dict[str, str] = {}
        self.units: set[str] = set()
        self.unit_names: dict[str, set[str]] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for country in db_countries():
            self.countries[country.code] = country.code
            for name in (country.name_en, country.name_es, country.name_fr):
                self.countries[fold(name)] = country.code
        for code, *names in db_units():
            self.units.add(code)
            for name in {fold(n) for n in names if n}:
                self.unit_names.setdefault(name, set()).add(code)

    def part(self, text: str) -> dict | None:
        """The coverage part a text names, or None."""
        self._load()
        text = " ".join(str(text or "").split())
        if not text:
            return None
        for code in _UNIT_CODE.findall(text.upper()):
            if code in self.units:
                return {"kind": CoverageKind.ADMIN_UNIT.value, "unit": code}
        match = _COUNTRY_CODE.match(text.upper())
        if match and match[1] in self.countries:
            return {"kind": CoverageKind.COUNTRY.value, "country": match[1]}
        folded = fold(text)
        if folded in self.countries:
            return {"kind": CoverageKind.COUNTRY.value, "country": self.countries[folded]}
        units = self.unit_names.get(folded, set())
        if len(units) == 1:
            return {"kind": CoverageKind.ADMIN_UNIT.value, "unit": next(iter(units))}
        return None


def db_countries() -> list[Country]:
    return list(db.session.scalars(select(Country)))


def db_units() -> list:
    return list(db.session.execute(select(AdminUnit.code, AdminUnit.name_local, AdminUnit.name_es, AdminUnit.name_en)))


def area_part(area: dict, places: Places) -> tuple[dict | None, str]:
    """(the coverage part of a service_area, "") or (None, why it is not kept)."""
    extent, extent_type = area.get("extent"), str(area.get("extent_type") or "").strip().lower()
    name = " ".join(str(area.get("name") or "").split())
    label = "" if name.lower() in _KIND_NAMES else name[:200]
    if extent_type == "geojson" or isinstance(extent, dict):
        try:
            document = json.loads(extent) if isinstance(extent, str) else extent
            checked = check_polygonal(geometry_from_geojson(document))
        except ValueError:
            return None, _("its GeoJSON extent cannot be read: not kept")
        except GeometryError as exc:
            return None, _("its extent cannot be used (%(reason)s): not kept", reason=geo_text(exc))
        geometry = json.loads(shapely.to_geojson(checked.geometry))
        return {"kind": CoverageKind.POLYGON.value, "geometry": geometry, "label": label}, ""
    if extent_type and extent_type != "text" and extent:
        return None, _("extents of type '%(type)s' cannot be read: not kept", type=extent_type[:40])
    for text in (extent, name, area.get("description")):
        part = places.part(text) if isinstance(text, str) else None
        if part is not None:
            return part | {"label": label}, ""
    return None, _("no admin unit or member country recognised in its extent or name: not kept")


def same_part(a: dict, b: dict) -> bool:
    keys = ("kind", "unit", "country", "geometry")
    return all(a.get(key) == b.get(key) for key in keys)
