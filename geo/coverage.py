"""Coverage areas: their parts, their union, and how much of each admin unit they cover.

Districts are sets of leaf admin units, so an organisation's share of a district is the sum of
its overlaps with the district's units divided by the district's area. Overlaps are computed
once per organisation against the few units its coverage touches (an STRtree query), in an
equal-area projection; the per-district sums are then plain SQL.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from geo.projection import to_equal_area
from geo.validate import GeometryError, check_lon_lat, polygonal_part

_GEOD = pyproj.Geod(ellps="WGS84")
MAX_RADIUS_KM = 2000.0
FULL_TOLERANCE = 1e-6  # relative: an overlap this close to the unit's area counts as full


def circle(lon: float, lat: float, radius_km: float, segments: int = 64) -> shapely.Polygon:
    """A geodesic circle: the points at radius_km along the ellipsoid from (lon, lat)."""
    check_lon_lat(lon, lat)
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise GeometryError("radius_out_of_range", limit=MAX_RADIUS_KM, radius=radius_km)
    azimuths = np.linspace(0.0, 360.0, segments, endpoint=False)
    lons, lats, _ = _GEOD.fwd(
        np.full(segments, lon), np.full(segments, lat), azimuths, np.full(segments, radius_km * 1000.0)
    )
    lons = np.asarray(lons)
    if lons.max() - lons.min() > 180:
        raise GeometryError("radius_across_antimeridian")
    ring = np.column_stack([lons, lats])
    return shapely.make_valid(shapely.Polygon(ring))


def union_parts(parts: list[shapely.Geometry]) -> shapely.Geometry:
    """The union of coverage parts as one valid polygonal geometry (empty when no parts)."""
    geoms = [g for g in parts if g is not None and not g.is_empty]
    if not geoms:
        return shapely.MultiPolygon()
    merged = shapely.union_all(geoms)
    if not merged.is_valid:
        merged = shapely.make_valid(merged)
    return polygonal_part(merged)


def union_of_units(geoms) -> shapely.Geometry:
    """The union of admin units that tile the plane (neighbours share their borders exactly).

    GEOS's coverage union is much faster than a general union for such a set; when the units
    turn out not to form a clean coverage, the general union is used instead."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if len(geoms) <= 1:
        return geoms[0] if geoms else shapely.MultiPolygon()
    try:
        merged = shapely.coverage_union_all(geoms)
        total = sum(g.area for g in geoms)
        if merged.is_valid and abs(merged.area - total) <= 1e-7 * total:
            return merged
    except shapely.errors.GEOSException:
        pass
    return union_parts(geoms)


@dataclass(frozen=True)
class UnitOverlaps:
    """Rows of (coverage index, unit index, overlap km², unit fully covered)."""

    coverage_idx: np.ndarray
    unit_idx: np.ndarray
    overlap_km2: np.ndarray
    is_full: np.ndarray


class UnitIndex:
    """Leaf admin units with an STRtree and their geometries pre-projected to equal area."""

    def __init__(self, geoms, areas_km2=None):
        self.geoms = np.asarray(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.geoms_ea = to_equal_area(self.geoms)
        shapely.prepare(self.geoms)
        self.areas_km2 = (
            np.asarray(areas_km2, dtype=float) if areas_km2 is not None else shapely.area(self.geoms_ea) / 1e6
        )

    def __len__(self) -> int:
        return len(self.geoms)

    def units_at(self, lon: float, lat: float) -> np.ndarray:
        """Indices of the units that contain the point (borders included)."""
        point = check_lon_lat(lon, lat)
        return np.sort(self.tree.query(point, predicate="intersects"))

    def overlaps(self, coverages) -> UnitOverlaps:
        """How much of each unit each coverage covers. `coverages` is an array of lon/lat
        polygonal geometries; units touched only along a border are left out."""
        coverages = np.asarray(coverages, dtype=object)
        cov_idx, unit_idx = self.tree.query(coverages, predicate="intersects")
        if cov_idx.size == 0:
            empty = np.empty(0)
            return UnitOverlaps(empty.astype(int), empty.astype(int), empty, empty.astype(bool))
        shapely.prepare(coverages)
        full = shapely.contains(coverages[cov_idx], self.geoms[unit_idx])
        overlap = self.areas_km2[unit_idx].copy()
        partial = ~full
        if partial.any():
            cov_ea = to_equal_area(coverages)
            overlap[partial] = _intersection_areas(cov_ea[cov_idx[partial]], self.geoms_ea[unit_idx[partial]]) / 1e6
        areas = self.areas_km2[unit_idx]
        full |= overlap >= areas * (1 - FULL_TOLERANCE)
        overlap = np.minimum(overlap, areas)
        keep = overlap > 0
        return UnitOverlaps(cov_idx[keep], unit_idx[keep], overlap[keep], full[keep])


def _intersection_areas(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Areas of pairwise intersections; large arrays are split over the CPU cores (GEOS
    releases the GIL in shapely's vectorised functions)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(left) < 2_000 or workers == 1:
        return shapely.area(shapely.intersection(left, right))
    chunks = np.array_split(np.arange(len(left)), workers)
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(lambda idx: shapely.area(shapely.intersection(left[idx], right[idx])), chunks)
        return np.concatenate(list(parts))


def share_outside(area: shapely.Geometry, own: shapely.Geometry, others: list[shapely.Geometry]) -> float:
    """The share (0 to 1) of the land of `area` that lies in `others` (the neighbouring countries)
    rather than in `own` (the organisation's country), measured in the equal-area projection; sea
    counts for neither. 0 when the area touches no land of them."""
    projected = to_equal_area([area, own, *others])
    shape, home, abroad = projected[0], projected[1], projected[2:]
    inside = shapely.intersection(shape, home).area
    outside = float(sum(shapely.intersection(shape, other).area for other in abroad))
    land = inside + outside
    return outside / land if land > 0 else 0.0
