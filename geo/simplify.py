"""Topology-preserving simplification of display layers.

Neighbouring polygons (the districts of one sending country, the member countries) share their
borders; simplifying each polygon on its own would open gaps and overlaps along those borders.
GEOS's coverage simplifier simplifies each shared edge once, for all polygons that share it; the
result is then snapped to a grid, which keeps shared vertices identical and shortens the GeoJSON.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

OVERVIEW_TOLERANCE = 0.05  # degrees: a whole-region layer (all districts: about 250 KB gzipped)
OVERVIEW_GRID = 0.001  # degrees, about 100 m


def simplify_coverage(
    geometries: Sequence[BaseGeometry],
    groups: Sequence[Hashable] | None = None,
    *,
    tolerance: float = OVERVIEW_TOLERANCE,
    grid: float = OVERVIEW_GRID,
) -> list[BaseGeometry]:
    """Simplify polygons that tile the plane together, keeping shared borders shared.

    `groups` splits the input into coverages that are simplified separately (polygons of
    different groups may overlap, e.g. the districts of two sending countries); the order of
    the output matches the input. Empty results fall back to the grid-snapped original.
    """
    keys = list(groups) if groups is not None else [None] * len(geometries)
    result: list[BaseGeometry | None] = [None] * len(geometries)
    for key in dict.fromkeys(keys):
        positions = [i for i, k in enumerate(keys) if k == key]
        simplified = shapely.coverage_simplify([geometries[i] for i in positions], tolerance)
        snapped = shapely.set_precision(simplified, grid)
        for position, geometry in zip(positions, snapped):
            if geometry.is_empty:
                geometry = shapely.set_precision(geometries[position], grid)
            result[position] = geometry
    return result  # type: ignore[return-value]
