"""Opening vector files safely: the format is decided from the content, not from the name.

GDAL picks a driver by sniffing, so a file named .geojson or .gpkg that really holds a VRT
document could make GDAL read other local files or URLs. We accept only the formats listed
here, recognise them by their first bytes, and refuse anything else before GDAL sees it; a
GeoJSON whose "crs" is a link or a URL is refused too (GDAL would fetch it). Importing this module
keeps GDAL off the network for the whole process (geo.gdal_offline).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo import gdal_offline  # noqa: F401 - importing it keeps GDAL off the network
from geo.geojson_crs import outside_crs_reference
from geo.validate import GeometryError

_SQLITE_HEADER = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = {b"GPKG", b"GP10", b"GP11"}


def detect_format(path: Path) -> str:
    """'GeoJSON' or 'GPKG', judged from the file's first bytes; GeometryError otherwise."""
    with open(path, "rb") as handle:
        head = handle.read(100)
    if head.startswith(_SQLITE_HEADER) and head[68:72] in _GPKG_APPLICATION_IDS:
        return "GPKG"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return "GeoJSON"
    raise GeometryError("not_geojson_or_geopackage")


def read_vector(path: Path, expected: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON or GeoPackage file whose content must be of the `expected` format."""
    found = detect_format(path)
    if found != expected:
        raise GeometryError("format_mismatch", found=found, expected=expected)
    if found == "GeoJSON":
        _refuse_outside_crs(path)
    try:
        if pyogrio.read_info(path)["driver"] != expected:
            raise GeometryError("unreadable_as", format=expected)
        return gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise GeometryError("unreadable_as_because", format=expected, error=str(exc)[:200]) from None


def _refuse_outside_crs(path: Path) -> None:
    try:
        document = json.loads(Path(path).read_bytes())
    except (ValueError, RecursionError):
        return  # not JSON that Python reads: GDAL's own error says what is wrong with it
    if reference := outside_crs_reference(document):
        raise GeometryError("geojson_outside_crs", reference=reference)
