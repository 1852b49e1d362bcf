"""Pure geometry for crisis reports: a geodesic circle and how much of an affected area lies in each
admin unit and in each organisation's drawn coverage. No Flask, no database.

A crisis report is computed from stored coverage (unit shares): only where both the affected area and
an organisation's drawn coverage cut a unit partially is geometry needed, and then only that
organisation's drawn union against the area's piece of that unit (`partial_overlaps_km2`).
"""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

from geo.coverage import UnitIndex
from geo.projection import area_km2, to_equal_area
from geo.validate import GeometryError, check_lon_lat

MAX_CIRCLE_KM = 1000.0
"""A crisis circle larger than this (a hurricane's whole track is smaller) is a mistake: draw or upload it."""


def geodesic_circle(lon: float, lat: float, radius_km: float, segments: int = 72) -> shapely.Polygon:
    """The area within `radius_km` of (lon, lat): a buffer in a local azimuthal equidistant
    projection centred on the point, so distances from the centre are true on the ellipsoid."""
    centre = check_lon_lat(lon, lat)
    lon, lat = centre.x, centre.y
    if not 0 < radius_km <= MAX_CIRCLE_KM:
        raise GeometryError("radius_out_of_range", limit=MAX_CIRCLE_KM, radius=radius_km)
    local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    back = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    disc = shapely.Point(0, 0).buffer(radius_km * 1000.0, quad_segs=max(4, segments // 4))
    ring = np.asarray(disc.exterior.coords)
    lons, lats = back.transform(ring[:, 0], ring[:, 1])
    lons = np.asarray(lons)
    if lons.max() - lons.min() > 180:
        raise GeometryError("radius_across_antimeridian")
    return shapely.make_valid(shapely.Polygon(np.column_stack([lons, lats])))


def area_of(area: shapely.Geometry) -> float:
    """The area in km² (equal-area projection)."""
    return float(area_km2(area))


def units_in_area(area: shapely.Geometry, units: UnitIndex):
    """How much of each unit the area covers: UnitOverlaps with coverage_idx all 0."""
    return units.overlaps(np.array([area], dtype=object))


def partial_overlaps_km2(area: shapely.Geometry, unit_geoms: list, drawn: list) -> np.ndarray:
    """For pairs i: the km² of area ∩ unit_geoms[i] ∩ drawn[i] (lon/lat geometries; None drawn -> 0).
    The area's piece of each distinct unit is cut once."""
    if not unit_geoms:
        return np.zeros(0)
    pieces: dict[int, shapely.Geometry] = {}
    for geom in unit_geoms:
        if id(geom) not in pieces:
            pieces[id(geom)] = to_equal_area(shapely.intersection(area, geom))
    left = np.array([pieces[id(g)] for g in unit_geoms], dtype=object)
    right = to_equal_area(np.array([d if d is not None else shapely.Polygon() for d in drawn], dtype=object))
    return shapely.area(shapely.intersection(left, right)) / 1e6


def points_inside(area: shapely.Geometry, lons, lats) -> np.ndarray:
    """Which points lie inside the area (borders included)."""
    if len(lons) == 0:
        return np.zeros(0, dtype=bool)
    shapely.prepare(area)
    return shapely.intersects_xy(area, np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
