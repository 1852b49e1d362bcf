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


def k_nearest(lon: float, lat: float, lons, lats, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the k nearest candidates, nearest first, and their distances in km."""
    distances = geodesic_km(lon, lat, lons, lats)
    if distances.size == 0:
        return np.empty(0, dtype=int), distances
    k = min(k, distances.size)
    idx = np.argpartition(distances, k - 1)[:k]
    idx = idx[np.lexsort((idx, distances[idx]))]  # ties broken by candidate order: deterministic
    return idx, distances[idx]


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


def nearest_target(
    lons, lats, target_lons, target_lats
) -> tuple[np.ndarray, np.ndarray]:
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
