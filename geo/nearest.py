"""Geodesic distances on the WGS84 ellipsoid and k-nearest searches."""

from __future__ import annotations

import math

import numpy as np
import pyproj

_GEOD = pyproj.Geod(ellps="WGS84")
KM_PER_DEGREE_LAT = 110.574  # the smallest length of a degree of latitude (at the equator)


def geodesic_km(lon: float, lat: float, lons, lats) -> np.ndarray:
    """Distances in km from one point to many, along the ellipsoid."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    if lons.size == 0:
        return np.empty(0)
    _, _, metres = _GEOD.inv(np.full(lons.shape, lon), np.full(lats.shape, lat), lons, lats)
    return np.asarray(metres) / 1000.0


def search_box(lon: float, lat: float, radius_km: float) -> tuple[float, float, float, float]:
    """A lon/lat box (min_lon, min_lat, max_lon, max_lat) holding every point within radius_km.

    Used as an indexed SQL prefilter before exact geodesic distances. Near the poles or for
    radii that wrap around, the box widens to all longitudes."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(min_lat), abs(max_lat))
    cos_lat = math.cos(math.radians(widest))
    # A degree of longitude is at least 111.32 * cos(lat) km long at the box's widest latitude.
    if cos_lat < 1e-6 or radius_km / (111.320 * cos_lat) >= 180:
        return -180.0, min_lat, 180.0, max_lat
    dlon = radius_km / (111.320 * cos_lat) * 1.01
    return max(-180.0, lon - dlon), min_lat, min(180.0, lon + dlon), max_lat


def nearest_target(lons, lats, target_lons, target_lats) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the index of the nearest target and the distance in km."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    n, m = lons.size, len(target_lons)
    if m == 0:
        raise ValueError("no targets to assign points to")
    a_lon = np.repeat(lons, m)
    a_lat = np.repeat(lats, m)
    b_lon = np.tile(np.asarray(target_lons, dtype=float), n)
    b_lat = np.tile(np.asarray(target_lats, dtype=float), n)
    _, _, metres = _GEOD.inv(a_lon, a_lat, b_lon, b_lat)
    matrix = np.asarray(metres).reshape(n, m) / 1000.0
    best = matrix.argmin(axis=1)
    return best, matrix[np.arange(n), best]


GRID_DEGREES = 0.1
"""Size of the cells of the grid index on sites (about 11 km of latitude)."""
_GRID_COLUMNS = 4000  # > 360 / GRID_DEGREES
MAX_GRID_ROWS = 200  # a box taller than this (20°) is searched as one latitude band


def grid_key(lon, lat):
    """Key of the grid cell holding each point: cells of one latitude row are consecutive
    integers, so a box is one integer range per row (see grid_ranges)."""
    row = np.floor((np.asarray(lat, dtype=float) + 90.0) / GRID_DEGREES).astype(np.int64)
    col = np.floor((np.asarray(lon, dtype=float) + 180.0) / GRID_DEGREES).astype(np.int64)
    keys = row * _GRID_COLUMNS + np.clip(col, 0, _GRID_COLUMNS - 1)
    return keys if keys.ndim else int(keys)


def grid_ranges(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[tuple[int, int]]:
    """Inclusive key ranges whose cells cover the box: one per grid row, or, for a box taller
    than MAX_GRID_ROWS rows, one range spanning those rows whole (a latitude band)."""
    low, high = grid_key(min_lon, min_lat), grid_key(max_lon, max_lat)
    first_row, last_row = low // _GRID_COLUMNS, high // _GRID_COLUMNS
    if last_row - first_row + 1 > MAX_GRID_ROWS:
        return [(first_row * _GRID_COLUMNS, last_row * _GRID_COLUMNS + _GRID_COLUMNS - 1)]
    first_col, last_col = low % _GRID_COLUMNS, high % _GRID_COLUMNS
    return [(row * _GRID_COLUMNS + first_col, row * _GRID_COLUMNS + last_col) for row in range(first_row, last_row + 1)]


EARTH_MEAN_RADIUS_KM = 6371.0088
SPHERE_TO_ELLIPSOID_MIN = 0.993
"""Geodesic distances on WGS84 are never below 99.3 % of great-circle distances on the sphere
of mean radius (they differ by at most about 0.56 %); used to prove a nearest search exact."""


def unit_vector(lon, lat) -> tuple:
    """The point on the unit sphere (x, y, z): squared chord lengths between such vectors are
    plain arithmetic in SQL and order points exactly as great-circle distance does."""
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    return np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)


def chord_km(chord_squared) -> np.ndarray:
    """Great-circle distance in km on the mean-radius sphere from a squared unit chord."""
    chord = np.sqrt(np.clip(np.asarray(chord_squared, dtype=float), 0.0, 4.0))
    return 2.0 * EARTH_MEAN_RADIUS_KM * np.arcsin(chord / 2.0)
