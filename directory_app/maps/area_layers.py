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
from directory_app.i18n import unit_name
from geo.geojson import feature, feature_collection


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
