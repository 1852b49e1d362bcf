import json

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo.validate import (
    MAX_VERTICES,
    GeometryError,
    check_lon_lat,
    check_polygonal,
    geometry_from_geojson,
)


def test_valid_polygon_passes_unchanged():
    square = box(-92.3, 14.8, -92.2, 14.9)
    checked = check_polygonal(square)
    assert checked.geometry.equals(square)
    assert checked.repairs == []


def test_bow_tie_is_repaired_and_the_repair_is_reported():
    bow_tie = Polygon([(-92, 14), (-91, 15), (-91, 14), (-92, 15), (-92, 14)])
    assert not bow_tie.is_valid
    checked = check_polygonal(bow_tie)
    assert checked.geometry.is_valid
    assert checked.geometry.area == pytest.approx(0.5)  # two triangles of 0.25 square degrees
    assert "the outline crosses itself at" in str(checked.repairs[0])


@pytest.mark.parametrize(
    "geom, message",
    [
        (None, "no geometry"),
        (Polygon(), "empty"),
        (LineString([(0, 0), (1, 1)]), "must be a polygon"),
        (Point(0, 0), "must be a polygon"),
        (box(500_000, 1_600_000, 510_000, 1_610_000), "metres"),
        (box(14.0, -92.5, 15.0, -91.5), "swapped"),
        (Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]), "no area"),
    ],
)
def test_unusable_geometries_get_a_clear_error(geom, message):
    with pytest.raises(GeometryError, match=message):
        check_polygonal(geom)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_nan_coordinates_are_refused():
    with pytest.raises(GeometryError, match="not numbers"):
        check_polygonal(Polygon([(0, 0), (float("nan"), 1), (1, 1), (0, 0)]))


def test_huge_self_crossing_ring_is_refused_quickly_instead_of_hanging():
    # 200,000 vertices zig-zagging across themselves: make_valid would not finish.
    n = 200_000
    x = np.linspace(-100, -90, n)
    y = 15 + np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    ring = np.column_stack([x, y])
    polygon = Polygon(np.vstack([ring, ring[:1]]))
    assert not polygon.is_valid
    with pytest.raises(GeometryError, match=f"{n + 1:,} vertices; the limit is {MAX_VERTICES:,}"):
        check_polygonal(polygon)


def test_geometry_collection_keeps_only_polygons():
    collection = shapely.GeometryCollection([box(0, 0, 1, 1), LineString([(2, 2), (3, 3)])])
    checked = check_polygonal(collection)
    assert checked.geometry.geom_type == "Polygon"
    assert "kept only the polygons" in str(checked.repairs[0])


@pytest.mark.parametrize(
    "lon, lat, message",
    [
        (0, 91, "latitude 91 is outside"),
        (181, 0, "longitude 181 is outside"),
        ("x", 0, "must be numbers"),
        (float("inf"), 0, "finite"),
    ],
)
def test_points_out_of_range(lon, lat, message):
    with pytest.raises(GeometryError, match=message):
        check_lon_lat(lon, lat)


def test_geojson_feature_collection_is_read():
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(box(0, 0, 1, 1)))},
            {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(box(2, 2, 3, 3)))},
        ],
    }
    geom = geometry_from_geojson(fc)
    assert check_polygonal(geom).geometry.area == pytest.approx(2)


def test_geojson_in_a_projected_crs_is_refused():
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32615"}},
        "features": [],
    }
    with pytest.raises(GeometryError, match="EPSG::32615"):
        geometry_from_geojson(fc)


@pytest.mark.parametrize(
    "bad", [{}, {"type": "Feature", "geometry": None}, {"type": "Polygon", "coordinates": "x"}, []]
)
def test_broken_geojson_gets_an_error(bad):
    with pytest.raises(GeometryError):
        geometry_from_geojson(bad)


def test_multipolygon_passes():
    mp = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    assert check_polygonal(mp).geometry.equals(mp)
