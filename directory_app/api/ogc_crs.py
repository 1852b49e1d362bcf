"""Coordinate reference systems of the OGC API (Part 2): CRS84 (longitude, latitude; the storage and
default CRS), EPSG:4326 (the same datum with the axes in its authority's order: latitude, longitude)
and EPSG:3857 (Web Mercator, metres). pyproj (PROJ) does every transformation; the features are
stored in CRS84, so a geometry is transformed on the way out and a filter's box or geometry on the
way in. No Flask."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy
import shapely
from pyproj import Transformer

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


@dataclass(frozen=True)
class Crs:
    uri: str
    code: str  # what PROJ calls it
    decimals: int  # coordinates written with this many decimals (about 1 m at 5 decimals of a degree)
    lat_first: bool = False  # the authority's axis order is latitude, longitude
    bounds: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)  # x/y in CRS84 axis order

    @property
    def is_crs84(self) -> bool:
        return self.uri == CRS84


SUPPORTED = {
    crs.uri: crs
    for crs in (
        Crs(CRS84, "OGC:CRS84", 5),
        Crs(EPSG_4326, "EPSG:4326", 5, lat_first=True),
        # Web Mercator stops at about 85.06 degrees of latitude (it is square)
        Crs(EPSG_3857, "EPSG:3857", 2, bounds=(-20037508.34, -20048966.11, 20037508.34, 20048966.11)),
    )
}
DEFAULT = SUPPORTED[CRS84]


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    # always_xy: longitude/easting first on both sides; the EPSG:4326 axis swap is done here, explicitly
    return Transformer.from_crs(source, target, always_xy=True)


def _to_crs(crs: Crs):
    transformer = _transformer("OGC:CRS84", crs.code)

    def convert(x: float, y: float) -> list[float]:
        if crs.is_crs84:
            return [round(x, crs.decimals), round(y, crs.decimals)]
        if crs.code == "EPSG:4326":
            return [round(y, crs.decimals), round(x, crs.decimals)]
        tx, ty = transformer.transform(x, y)
        return [round(tx, crs.decimals), round(ty, crs.decimals)]

    return convert


def geometry_to(geometry: dict | None, crs: Crs) -> dict | None:
    """A GeoJSON geometry (CRS84) as a new dict in `crs`, coordinates rounded to its precision."""
    if geometry is None:
        return None
    convert = _to_crs(crs)

    def walk(coordinates):
        if coordinates and isinstance(coordinates[0], int | float):
            return convert(coordinates[0], coordinates[1])
        return [walk(part) for part in coordinates]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def east_north_to_crs84(x: float, y: float, crs: Crs) -> tuple[float, float]:
    """A position of `crs` given easting (or longitude) first as CRS84 longitude, latitude."""
    if crs.is_crs84 or crs.code == "EPSG:4326":
        return x, y
    lon, lat = _transformer(crs.code, "OGC:CRS84").transform(x, y)
    return lon, lat


def shape_to_crs84(shape: shapely.Geometry, crs: Crs) -> shapely.Geometry:
    """A filter's geometry written in `crs` as a CRS84 geometry."""
    if crs.is_crs84:
        return shape
    if crs.code == "EPSG:4326":
        return shapely.transform(shape, lambda coordinates: coordinates[:, ::-1])
    transformer = _transformer(crs.code, "OGC:CRS84")
    return shapely.transform(
        shape, lambda coordinates: numpy.column_stack(transformer.transform(coordinates[:, 0], coordinates[:, 1]))
    )
