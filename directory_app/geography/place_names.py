"""A point named in words, offline (reverse geocoding from our own admin units and gazetteer): what a
map click is called ("Tapachula, Chiapas, Mexico"; "Harris County, Texas, United States, 12 km from
Houston") instead of its coordinates."""

from __future__ import annotations

from flask_babel import gettext as _

from directory_app.geography.models import AdminUnit
from directory_app.geography.places import current_gazetteer
from directory_app.geography.units import units_at
from directory_app.i18n import format_km

IN_PLACE_KM = 5.0  # a city this near is where the point is
NEAR_PLACE_KM = 30.0  # a city this near is named as a landmark


def _unit_label(unit: AdminUnit, lang: str) -> str:
    name = unit.name(lang) if lang in ("es", "en") else unit.name_local
    if unit.country_code == "US" and unit.level == 2:
        if unit.code.startswith("US-22"):
            return _("%(name)s Parish", name=name)
        return _("%(name)s County", name=name)
    return name


def describe_point(lon: float, lat: float, lang: str) -> str | None:
    """The point in words: the city it is in (within IN_PLACE_KM), else its county or state with the
    distance to the nearest city (within NEAR_PLACE_KM); then the state and the country. None when the
    point is outside every admin unit and far from every city (at sea, outside the member countries)."""
    gazetteer = current_gazetteer()
    units = units_at(lon, lat)  # the leaf unit, then its parent
    country = units[0].country_code if units else None
    area = [_unit_label(u, lang) for u in units]
    if country:
        area.append(gazetteer.country_name(country, lang))
    near = gazetteer.nearest_city(lon, lat, NEAR_PLACE_KM, country)
    if near is not None:
        city = near[0]
        holder = gazetteer.unit_name(city.unit_id, lang) if city.unit_id is not None else ""
        named = ", ".join(p for p in (city.name, holder, gazetteer.country_name(city.country_code, lang)) if p)
        if near[1] <= IN_PLACE_KM:
            return named
        if not area:  # off the coast
            return _("%(km)s km from %(place)s", km=format_km(near[1], 0), place=named)
        return _("%(area)s, %(km)s km from %(place)s", area=", ".join(area), km=format_km(near[1], 0), place=city.name)
    return ", ".join(area) or None
