"""Read the boundary files of data/boundaries into GeoDataFrames (EPSG:4326) and check them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from geo import gdal_offline  # noqa: F401 - importing it keeps GDAL off the network

BOUNDARY_FILES = {
    "countries": "countries.geojson",
    "admin1": "admin1.geojson",
    "us_counties": "us_counties.geojson",
}
UNIT_COLUMNS = ["code", "country", "level", "parent", "source_id", "name_local", "name_es", "name_en"]
COUNTRY_COLUMNS = ["code", "iso_numeric", "name_en", "name_es", "name_fr"]


class BoundaryDataError(ValueError):
    """A boundary file that cannot be used as it is, naming the file and the feature."""


def read_layer(path: Path, columns: list[str]) -> gpd.GeoDataFrame:
    """Read one boundary file with pyogrio; check columns, codes and geometries."""
    path = Path(path)
    if not path.exists():
        raise BoundaryDataError(f"{path}: file not found (run scripts/build_boundaries.py?)")
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise BoundaryDataError(f"{path}: cannot be read: {exc}") from None
    frame = frame.set_crs(4326, allow_override=True) if frame.crs is None else frame.to_crs(4326)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BoundaryDataError(f"{path}: missing properties {', '.join(missing)}")
    duplicated = frame.loc[frame["code"].duplicated(), "code"].tolist()
    if duplicated:
        raise BoundaryDataError(f"{path}: duplicated codes {', '.join(map(str, duplicated[:5]))}")
    for row_number, (code, geom) in enumerate(zip(frame["code"], frame.geometry), start=1):
        problem = _geometry_problem(geom)
        if problem:
            raise BoundaryDataError(f"{path}: feature {row_number} ({code}): {problem}")
    return frame


def _geometry_problem(geom: shapely.Geometry | None) -> str | None:
    if geom is None or geom.is_empty:
        return "empty geometry"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"{geom.geom_type} is not a polygon"
    if not geom.is_valid:
        return f"invalid geometry ({shapely.is_valid_reason(geom)})"
    return None


def read_boundaries(directory: Path) -> dict[str, gpd.GeoDataFrame]:
    """The country, admin-1 and county layers of a boundary directory, with their display
    versions (from directory/display) as a `display` geometry column."""
    directory = Path(directory)
    layers = {}
    for name, filename in BOUNDARY_FILES.items():
        columns = COUNTRY_COLUMNS if name == "countries" else UNIT_COLUMNS
        full = read_layer(directory / filename, columns)
        display = read_layer(directory / "display" / filename, ["code"])
        missing = set(full["code"]) - set(display["code"])
        if missing:
            raise BoundaryDataError(
                f"{directory / 'display' / filename}: no display geometry for {', '.join(sorted(missing)[:5])}"
            )
        full["display"] = full["code"].map(dict(zip(display["code"], display.geometry)))
        layers[name] = full
    return layers
