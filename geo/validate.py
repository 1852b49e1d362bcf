"""Checks that turn bad geometry into a clear GeometryError instead of a crash or a hang."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Point, shape

from geo.messages import GeoMessage

MAX_VERTICES = 50_000
"""Polygons with more vertices are refused before any repair: make_valid on a 200,000-vertex
self-crossing ring does not finish in ten minutes, while 20,000 take about 0.6 s."""

_WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
}


class GeometryError(ValueError):
    """A geometry that cannot be used: `code` (a key of geo.messages.MESSAGES) and the `params` of its
    message; `str()` is the reason in English, directory_app.geo_messages says it in the reader's
    language. `detail` is the GeoMessage itself."""

    def __init__(self, code: str, /, **params):
        self.detail = GeoMessage(code, params)
        super().__init__(str(self.detail))

    @property
    def code(self) -> str:
        return self.detail.code

    @property
    def params(self) -> dict:
        return dict(self.detail.params)


@dataclass
class CheckedGeometry:
    geometry: shapely.Geometry
    repairs: list[GeoMessage] = field(default_factory=list)
    """What was repaired, as messages (str() in English; directory_app.geo_messages translates them)."""


def check_lon_lat(lon: float, lat: float) -> Point:
    """A point from longitude and latitude in degrees, or GeometryError."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise GeometryError("coordinates_not_numbers", lon=repr(lon)[:40], lat=repr(lat)[:40]) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError("coordinates_not_finite")
    if not -90 <= lat <= 90:
        raise GeometryError("latitude_out_of_range", lat=lat)
    if not -180 <= lon <= 180:
        raise GeometryError("longitude_out_of_range", lon=lon)
    return Point(lon, lat)


def _check_ranges(geom: shapely.Geometry) -> None:
    coords = shapely.get_coordinates(geom)
    if len(coords) == 0:
        raise GeometryError("no_coordinates")
    if not np.isfinite(coords).all():
        raise GeometryError("coordinates_nan")
    xmin, ymin = coords.min(axis=0)
    xmax, ymax = coords.max(axis=0)
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        if max(abs(xmin), abs(xmax), abs(ymin), abs(ymax)) > 1000:
            raise GeometryError("projected_coordinates")
        xmin, ymin, xmax, ymax = (round(float(value), 4) for value in (xmin, ymin, xmax, ymax))
        raise GeometryError("coordinates_out_of_range", xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax)


_GEOS_REASONS = {
    "Self-intersection": "self_intersection",
    "Ring Self-intersection": "ring_self_intersection",
    "Too few points": "too_few_points",
    "Hole lies outside shell": "hole_outside_shell",
    "Nested holes": "nested_holes",
    "Interior is disconnected": "disconnected_interior",
    "Nested shells": "nested_shells",
    "Duplicate Rings": "duplicate_rings",
    "Ring is not closed": "ring_not_closed",
    "Invalid Coordinate": "invalid_coordinate",
}
_GEOS_REASON = re.compile(r"^(?P<kind>[A-Za-z -]+)\[(?P<lon>\S+) (?P<lat>\S+)\]$")


def invalid_reason(geom: shapely.Geometry) -> GeoMessage | str:
    """Why GEOS finds `geom` invalid, as a message with the place ("Self-intersection[-91.5 14.5]" ->
    self_intersection at -91.5 14.5); GEOS's own words when it gives a reason of another form."""
    text = shapely.is_valid_reason(geom)
    found = _GEOS_REASON.match(text or "")
    if found is None or found["kind"] not in _GEOS_REASONS:
        return text
    try:
        lon, lat = float(found["lon"]), float(found["lat"])
    except ValueError:
        return text
    return GeoMessage(_GEOS_REASONS[found["kind"]], {"lon": lon, "lat": lat})


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a geometry (dropping points and lines a repair may leave), or empty."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [p for part in parts for p in shapely.get_parts(part)]
    if not polygons:
        return shapely.MultiPolygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def check_polygonal(geom: shapely.Geometry | None, *, max_vertices: int = MAX_VERTICES) -> CheckedGeometry:
    """Validate a polygon or multipolygon in lon/lat; repair it when that is safe.

    Raises GeometryError for: no geometry, an empty one, a non-polygonal type, coordinates out
    of range (or projected), more than `max_vertices` vertices, and a repair that leaves no area.
    A self-intersecting polygon is repaired with make_valid and the repair is reported."""
    if geom is None:
        raise GeometryError("no_geometry")
    if geom.is_empty:
        raise GeometryError("empty_geometry")
    if polygonal_part(geom).is_empty:
        raise GeometryError("not_polygon", kind=geom.geom_type)
    vertices = shapely.get_num_coordinates(geom)
    if vertices > max_vertices:
        raise GeometryError("too_many_vertices", vertices=int(vertices), limit=max_vertices)
    _check_ranges(geom)
    repairs: list[GeoMessage] = []
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        repairs.append(GeoMessage("kept_polygons_only", {"kind": geom.geom_type}))
        geom = polygonal_part(geom)
    if not geom.is_valid:
        reason = invalid_reason(geom)
        geom = polygonal_part(shapely.make_valid(geom))
        if geom.is_empty or geom.area == 0:
            raise GeometryError("invalid_no_area", reason=reason)
        repairs.append(GeoMessage("repaired_invalid", {"reason": reason}))
    if geom.area == 0:
        raise GeometryError("no_area")
    return CheckedGeometry(geom, repairs)


def geometry_from_geojson(obj: dict) -> shapely.Geometry:
    """The union of the geometries of a GeoJSON Geometry, Feature or FeatureCollection.

    A `crs` member other than WGS84 lon/lat is refused (RFC 7946 allows only that)."""
    if not isinstance(obj, dict) or "type" not in obj:
        raise GeometryError("not_geojson")
    crs = obj.get("crs")
    if crs:
        name = (crs.get("properties") or {}).get("name", "") if isinstance(crs, dict) else ""
        if name not in _WGS84_NAMES:
            raise GeometryError("geojson_other_crs", crs=str(name or crs)[:80])
    kind = obj["type"]
    try:
        if kind == "FeatureCollection":
            geoms = [shape(f["geometry"]) for f in obj.get("features", []) if f.get("geometry")]
        elif kind == "Feature":
            geoms = [shape(obj["geometry"])] if obj.get("geometry") else []
        else:
            geoms = [shape(obj)]
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryError("geojson_unreadable", error=str(exc)[:200]) from None
    if not geoms:
        raise GeometryError("geojson_no_geometry")
    return geoms[0] if len(geoms) == 1 else shapely.GeometryCollection(geoms)
