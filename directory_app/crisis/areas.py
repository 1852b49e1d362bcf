"""An affected area, in each way people have one: drawn (GeoJSON text), uploaded (GeoJSON, KML, KMZ,
zipped Shapefile), chosen admin units, or a point and a radius. Each function returns one valid
polygonal geometry in lon/lat (EPSG:4326), or raises GeometryError (geo's codes: show it with
directory_app.geo_messages.error_text) or AreaError (already in the reader's language). Bad or huge
geometry gets the same refusals as coverage uploads (geo.coverage_input)."""

from __future__ import annotations

import json

import shapely
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.crisis.shapefile import AreaError, area_from_zipped_shapefile, holds_shapefile
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit
from geo.coverage import union_of_units, union_parts
from geo.coverage_input import MAX_FILE_BYTES, check_coverage_geometry, read_coverage_file, read_drawn_geojson
from geo.crisis import MAX_CIRCLE_KM, geodesic_circle
from geo.validate import GeometryError

MAX_UNITS = 400
"""More admin units than this (all US counties of the Gulf states are about 400): choose whole states."""

__all__ = [
    "MAX_CIRCLE_KM",
    "MAX_UNITS",
    "AreaError",
    "GeometryError",
    "area_from_circle",
    "area_from_geojson_text",
    "area_from_json",
    "area_from_units",
    "area_from_upload",
]


def area_from_geojson_text(text: str) -> shapely.Geometry:
    """The union of the polygons of a GeoJSON text (a Geometry, Feature or FeatureCollection), as the
    map's drawing tool writes it."""
    checked = read_drawn_geojson(text)
    if not checked:
        raise AreaError(_("No area was given: draw one on the map, upload a file, choose units or give a circle."))
    return check_coverage_geometry(union_parts([c.geometry for c, _properties in checked])).geometry


def area_from_upload(filename: str, data: bytes) -> shapely.Geometry:
    """The area in an uploaded file: GeoJSON, KML, KMZ or a zipped Shapefile, judged from the content."""
    if len(data) > MAX_FILE_BYTES:
        raise GeometryError("named_file_too_large", name=filename[:100], mb=MAX_FILE_BYTES // 2**20)
    if holds_shapefile(data):
        return area_from_zipped_shapefile(data)
    return read_coverage_file(data, filename[:100]).geometry


def area_from_units(codes: list[str]) -> shapely.Geometry:
    """The union of the stored geometries of admin units given by code ("MX-CHP", "US-48201")."""
    wanted = list(dict.fromkeys(str(c).strip().upper() for c in codes if str(c).strip()))
    if not wanted:
        raise AreaError(_("Choose at least one administrative unit."))
    if len(wanted) > MAX_UNITS:
        raise AreaError(_("At most %(max)s units can be chosen; choose whole states instead.", max=MAX_UNITS))
    rows = db.session.execute(select(AdminUnit.code, AdminUnit.geom_wkb).where(AdminUnit.code.in_(wanted))).all()
    found = {code: wkb for code, wkb in rows}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise AreaError(
            _("Unknown administrative unit codes: %(codes)s", codes=", ".join(c[:20] for c in unknown[:10]))
        )
    geoms = [shapely.from_wkb(found[c]) for c in wanted if found[c]]
    if not geoms:
        raise AreaError(_("The chosen units have no stored boundary."))
    return check_coverage_geometry(union_of_units(geoms)).geometry


def area_from_circle(lon: float, lat: float, radius_km: float) -> shapely.Geometry:
    """The area within `radius_km` (at most MAX_CIRCLE_KM) of a point, measured on the ellipsoid."""
    try:
        radius = float(radius_km)
    except (TypeError, ValueError):
        raise AreaError(_("The radius must be a number of kilometres.")) from None
    return geodesic_circle(lon, lat, radius)


def area_from_json(body) -> shapely.Geometry:
    """The area of a JSON API request: {"area": GeoJSON}, {"units": [codes]} or
    {"circle": {"lon": .., "lat": .., "radius_km": ..}} (exactly one of them)."""
    if not isinstance(body, dict):
        raise AreaError(_('The request body must be a JSON object with "area", "units" or "circle".'))
    given = [key for key in ("area", "units", "circle") if key in body]
    if len(given) != 1:
        raise AreaError(_('Give exactly one of "area", "units" or "circle".'))
    if given == ["area"]:
        if not isinstance(body["area"], dict):
            raise AreaError(_('"area" must be a GeoJSON object (Geometry, Feature or FeatureCollection).'))
        return area_from_geojson_text(json.dumps(body["area"]))
    if given == ["units"]:
        units = body["units"]
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            raise AreaError(_('"units" must be a list of administrative unit codes.'))
        return area_from_units(units)
    circle = body["circle"]
    if not isinstance(circle, dict) or not {"lon", "lat", "radius_km"} <= set(circle):
        raise AreaError(_('"circle" must be an object with "lon", "lat" and "radius_km".'))
    if not all(_is_number(circle[key]) for key in ("lon", "lat", "radius_km")):
        raise AreaError(_('"lon", "lat" and "radius_km" of "circle" must be numbers.'))
    return area_from_circle(circle["lon"], circle["lat"], circle["radius_km"])


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
