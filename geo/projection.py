"""Areas in square kilometres, measured in an equal-area projection (never in degrees)."""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

EQUAL_AREA_CRS = "EPSG:6933"
"""WGS 84 / NSIDC EASE-Grid 2.0 Global: a cylindrical equal-area projection on the ellipsoid,
valid for the whole hemisphere the member countries lie in."""

_to_equal_area = pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def _project(coords: np.ndarray) -> np.ndarray:
    x, y = _to_equal_area.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def to_equal_area(geoms):
    """Project one geometry or an array of them from lon/lat to the equal-area CRS (metres)."""
    return shapely.transform(geoms, _project)


def area_km2(geoms) -> np.ndarray | float:
    """Area in km² of lon/lat geometries (one or an array), measured in the equal-area CRS."""
    return shapely.area(to_equal_area(geoms)) / 1e6
