"""A coverage part of a snapshot (organisations.entry_data) in words, in the reader's language, as the
review, history and merge pages say it: "Chiapas", "Guatemala (the whole country)", "Harris
(Texas)", "10 km around Sede 34", "a drawn area of about 1,250 km²" (the part's own label, when it
says more, after it). Never a code, a path or a coordinate: a unit or country the directory does not
know is named as "an unknown area", and a site by its name, its city or its number.

`PlaceNames` looks the units and countries up once per page (a history lists many revisions)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.i18n import current_language, format_km, format_number, unit_name
from geo.projection import area_km2
from geo.validate import GeometryError, geometry_from_geojson


class PlaceNames:
    """Names of admin units (by code) and countries (by code) in the reader's language, read once."""

    def __init__(self) -> None:
        self._units: dict[str, str] = {}
        self._countries: dict[str, str] = {}

    def unit(self, code: Any) -> str:
        code = str(code or "").upper()
        if code not in self._units:
            self._units[code] = _unit_words(code)
        return self._units[code]

    def country(self, code: Any) -> str:
        code = str(code or "").upper()
        if code not in self._countries:
            country = db.session.get(Country, code) if len(code) == 2 else None
            self._countries[code] = country.name(current_language()) if country is not None else ""
        return self._countries[code]


def _unit_words(code: str) -> str:
    """ "Chiapas", "Harris (Texas)" (a county with its state); "" when unknown."""
    parent = aliased(AdminUnit)
    row = db.session.execute(
        select(
            AdminUnit.level,
            AdminUnit.name_local,
            AdminUnit.name_es,
            AdminUnit.name_en,
            parent.name_local.label("parent_local"),
            parent.name_es.label("parent_es"),
            parent.name_en.label("parent_en"),
        )
        .outerjoin(parent, AdminUnit.parent_id == parent.id)
        .where(AdminUnit.code == code)
    ).first()
    if row is None:
        return ""
    name = unit_name(row)
    if row.level > 1 and row.parent_local:
        state = unit_name(SimpleNamespace(name_local=row.parent_local, name_es=row.parent_es, name_en=row.parent_en))
        return _("%(unit)s (%(parent)s)", unit=name, parent=state)
    return name


def site_words(snapshot: dict[str, Any] | None, index: Any) -> str:
    """A site of the snapshot by its place in `locations`: its name, else its city, else "site 2"."""
    sites = (snapshot or {}).get("locations") or []
    if isinstance(index, int) and 0 <= index < len(sites) and isinstance(sites[index], dict):
        site = sites[index]
        named = str(site.get("name") or "").strip() or str(site.get("city") or "").strip()
        if named:
            return named
    number = index + 1 if isinstance(index, int) and index >= 0 else 0
    return _("site %(number)s", number=format_number(number)) if number else _("a site that was removed")


def drawn_area_km2(geometry: Any) -> float | None:
    """The area of a drawn part's GeoJSON geometry in km² (equal-area projection), None when unreadable."""
    if not isinstance(geometry, dict):
        return None
    try:
        return float(area_km2(geometry_from_geojson(geometry)))
    except (GeometryError, TypeError, ValueError, KeyError):
        return None


def _rounded_area(km2: float) -> str:
    """An area rounded as people say it: two significant digits ("1,200", "35", "0.4")."""
    if km2 >= 100:
        digits = len(str(int(km2))) - 2
        return format_km(round(km2, -digits), 0)
    if km2 >= 1:
        return format_km(round(km2), 0)
    return format_km(km2, 1)


def part_words(part: dict[str, Any], snapshot: dict[str, Any] | None, names: PlaceNames | None = None) -> str:
    """One coverage part in words (see the module docstring)."""
    names = names or PlaceNames()
    kind = part.get("kind")
    if kind == "admin_unit":
        text = names.unit(part.get("unit")) or _("an area the directory does not know")
    elif kind == "country":
        country = names.country(part.get("country"))
        unknown = _("a country the directory does not know")
        text = _("%(country)s (the whole country)", country=country) if country else unknown
    elif kind == "radius":
        text = _(
            "%(km)s km around %(site)s",
            km=_distance(part.get("radius_km")),
            site=site_words(snapshot, part.get("location", 0)),
        )
    else:
        area = drawn_area_km2(part.get("geometry"))
        text = (
            _("a drawn area of about %(area)s km²", area=_rounded_area(area)) if area else _("an area drawn on the map")
        )
    label = str(part.get("label") or "").strip()
    if label and label.casefold() not in text.casefold():
        text = _("%(part)s, “%(label)s”", part=text, label=label)
    return text


def _distance(value: Any) -> str:
    try:
        km = float(value)
    except (TypeError, ValueError):
        return "?"
    return format_km(km, 0 if km == int(km) else 1)
