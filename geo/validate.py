"""Checks that turn bad geometry into a clear GeometryError instead of a crash or a hang."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Point, shape

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
    """A geometry that cannot be used, with the reason in words."""


@dataclass
class CheckedGeometry:
    geometry: shapely.Geometry
    repairs: list[str] = field(default_factory=list)


def check_lon_lat(lon: float, lat: float) -> Point:
    """A point from longitude and latitude in degrees, or GeometryError."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise GeometryError(f"coordinates must be numbers, got longitude={lon!r}, latitude={lat!r}") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError("coordinates must be finite numbers")
    if not -90 <= lat <= 90:
        raise GeometryError(f"latitude {lat} is outside -90..90 (are longitude and latitude swapped?)")
    if not -180 <= lon <= 180:
        raise GeometryError(f"longitude {lon} is outside -180..180")
    return Point(lon, lat)


def _check_ranges(geom: shapely.Geometry) -> None:
    coords = shapely.get_coordinates(geom)
    if len(coords) == 0:
        raise GeometryError("the geometry has no coordinates")
    if not np.isfinite(coords).all():
        raise GeometryError("the geometry has coordinates that are not numbers (NaN or infinite)")
    xmin, ymin = coords.min(axis=0)
    xmax, ymax = coords.max(axis=0)
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        if max(abs(xmin), abs(xmax), abs(ymin), abs(ymax)) > 1000:
            raise GeometryError(
                "coordinates look like metres of a projected system; give longitude/latitude degrees (EPSG:4326)"
            )
        raise GeometryError(
            f"coordinates outside longitude -180..180 / latitude -90..90 "
            f"(bounds {xmin:.4f}, {ymin:.4f}, {xmax:.4f}, {ymax:.4f}); are they swapped?"
        )


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
        raise GeometryError("no geometry was given")
    if geom.is_empty:
        raise GeometryError("the geometry is empty")
    if polygonal_part(geom).is_empty:
        raise GeometryError(f"a coverage area must be a polygon, not a {geom.geom_type}")
    vertices = shapely.get_num_coordinates(geom)
    if vertices > max_vertices:
        raise GeometryError(f"the polygon has {vertices:,} vertices; the limit is {max_vertices:,}. Simplify it first.")
    _check_ranges(geom)
    repairs: list[str] = []
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        repairs.append(f"kept only the polygons of a {geom.geom_type}")
        geom = polygonal_part(geom)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        geom = polygonal_part(shapely.make_valid(geom))
        if geom.is_empty or geom.area == 0:
            raise GeometryError(f"the polygon is invalid ({reason}) and has no area once repaired")
        repairs.append(f"repaired an invalid polygon ({reason})")
    if geom.area == 0:
        raise GeometryError("the polygon has no area")
    return CheckedGeometry(geom, repairs)


def geometry_from_geojson(obj: dict) -> shapely.Geometry:
    """The union of the geometries of a GeoJSON Geometry, Feature or FeatureCollection.

    A `crs` member other than WGS84 lon/lat is refused (RFC 7946 allows only that)."""
    if not isinstance(obj, dict) or "type" not in obj:
        raise GeometryError("this is not GeoJSON: it has no 'type'")
    crs = obj.get("crs")
    if crs:
        name = (crs.get("properties") or {}).get("name", "") if isinstance(crs, dict) else ""
        if name not in _WGS84_NAMES:
            raise GeometryError(f"the GeoJSON uses the coordinate system {name or crs!r}; use WGS84 (EPSG:4326)")
    kind = obj["type"]
    try:
        if kind == "FeatureCollection":
            geoms = [shape(f["geometry"]) for f in obj.get("features", []) if f.get("geometry")]
        elif kind == "Feature":
            geoms = [shape(obj["geometry"])] if obj.get("geometry") else []
        else:
            geoms = [shape(obj)]
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"the GeoJSON geometry cannot be read: {exc}") from None
    if not geoms:
        raise GeometryError("the GeoJSON has no geometry")
    return geoms[0] if len(geoms) == 1 else shapely.GeometryCollection(geoms)
