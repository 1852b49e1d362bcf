"""One admin unit's or one country's outline, for the coverage editor's map: the units ticked in its
checklist are drawn as they are ticked (static/js/directory-map-editor.js fetches
/maps/units/<code>.geojson and /maps/countries/<code>.geojson, cached by the browser and revalidated
by ETag like every layer of maps.views). Names are the directory's (i18n.unit_name), written
HTML-safe by geo.geojson."""

from __future__ import annotations

import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.geography.places import member_cities
from directory_app.i18n import unit_name
from geo.geojson import feature, feature_collection, point_feature

# The offline base map's place names: the gazetteer's cities in tiers by population, fetched by zoom
# (static/js/directory-map.js: tier 0 from the start, the others as the reader zooms in).
CITY_TIERS = (1_000_000, 200_000, 50_000, 5_000)


def unit_exists(code: str) -> bool:
    return db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == code)) is not None


def country_exists(code: str) -> bool:
    return db.session.scalar(select(Country.code).where(Country.code == code)) is not None


def unit_outline(code: str) -> str:
    """The unit of ISO 3166-2 (or US FIPS) `code` at display detail, (unit_exists first)."""
    unit = db.session.scalars(select(AdminUnit).where(AdminUnit.code == code)).one()
    geometry = shapely.from_wkb(unit.display_wkb) if unit.display_wkb else None
    properties = {"value": f"unit:{unit.code}", "code": unit.code, "name": unit_name(unit), "level": unit.level}
    return feature_collection([feature(f"unit:{unit.code}", properties, geometry, precision=4)])


def country_outline(code: str, lang: str) -> str:
    """The member country `code` at display detail, (country_exists first)."""
    country = db.session.get_one(Country, code)
    geometry = shapely.from_wkb(country.display_wkb) if country.display_wkb else None
    properties = {"value": f"country:{code}", "code": code, "name": country.name(lang), "level": 0}
    return feature_collection([feature(f"country:{code}", properties, geometry, precision=3)])


def city_names(tier: int) -> str:
    """The gazetteer's cities (geography.places.member_cities) of population tier `tier` (0: a million
    and more, then 200,000, 50,000, 5,000), as points with their name and population."""
    top = CITY_TIERS[tier - 1] if tier > 0 else None
    floor = CITY_TIERS[tier]
    cities = [c for c in member_cities() if c[4] >= floor and (top is None or c[4] < top)]
    cities.sort(key=lambda c: -c[4])
    return feature_collection(
        point_feature(n, {"name": name, "population": population}, lon, lat)
        for n, (name, _country, lon, lat, population, _alternates) in enumerate(cities)
    )
