import math

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import box

from geo.coverage import UnitIndex, circle, union_of_units, union_parts
from geo.projection import area_km2
from geo.validate import GeometryError


@pytest.mark.parametrize("lat", [0.0, 14.9, 34.05, 49.28])
def test_geodesic_circle_has_the_area_of_a_circle(lat):
    radius = 50
    polygon = circle(-100.0, lat, radius, segments=256)
    assert polygon.is_valid
    assert area_km2(polygon) == pytest.approx(math.pi * radius**2, rel=0.002)


@pytest.mark.parametrize("radius", [0, -5, 5000])
def test_circle_radius_out_of_range(radius):
    with pytest.raises(GeometryError, match="radius"):
        circle(-92.26, 14.9, radius)


@pytest.mark.parametrize("south", [0, 15, 30, 45, 60])
def test_areas_are_measured_on_the_ellipsoid_not_in_degrees(south):
    # A square degree shrinks towards the pole; the equal-area projection must agree with
    # pyproj's geodesic area on the ellipsoid.
    cell = box(-90, south, -89, south + 1)
    geodesic, _ = pyproj.Geod(ellps="WGS84").geometry_area_perimeter(cell)
    assert area_km2(cell) == pytest.approx(abs(geodesic) / 1e6, rel=1e-3)


def _grid_index():
    # Four 1°x1° units: (0..1, 0..1), (1..2, 0..1), (0..1, 1..2), (1..2, 1..2)
    units = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
    return UnitIndex(units), units


def test_overlaps_with_a_unit_are_full_or_measured():
    index, units = _grid_index()
    coverage = box(0, 0, 1.5, 1)  # all of unit 0, half of unit 1, touches units 2 and 3 on a border
    found = index.overlaps(np.array([coverage], dtype=object))
    by_unit = dict(zip(found.unit_idx.tolist(), zip(found.overlap_km2, found.is_full)))
    assert set(by_unit) == {0, 1}, "units touched only along a border are not covered"
    assert by_unit[0][1] is np.True_ and by_unit[0][0] == pytest.approx(index.areas_km2[0])
    assert not by_unit[1][1]
    assert by_unit[1][0] == pytest.approx(area_km2(box(1, 0, 1.5, 1)), rel=1e-9)


def test_overlaps_of_many_coverages_in_one_call():
    index, _ = _grid_index()
    coverages = np.array([box(0.25, 0.25, 0.75, 0.75), box(-1, -1, 3, 3), box(5, 5, 6, 6)], dtype=object)
    found = index.overlaps(coverages)
    assert sorted(found.unit_idx[found.coverage_idx == 1].tolist()) == [0, 1, 2, 3]
    assert found.is_full[found.coverage_idx == 1].all()
    assert found.unit_idx[found.coverage_idx == 0].tolist() == [0]
    assert 2 not in found.coverage_idx


def test_units_at_a_point_and_on_a_border():
    index, _ = _grid_index()
    assert index.units_at(0.5, 0.5).tolist() == [0]
    assert index.units_at(1.0, 0.5).tolist() == [0, 1]
    assert index.units_at(9, 9).tolist() == []


def test_union_of_units_matches_a_general_union():
    units = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)]
    merged = union_of_units(units)
    assert merged.is_valid
    assert merged.equals(box(0, 0, 2, 2))


def test_union_of_overlapping_shapes_falls_back_to_a_general_union():
    merged = union_of_units([box(0, 0, 2, 2), box(1, 1, 3, 3)])
    assert merged.area == pytest.approx(7)
    assert merged.is_valid


def test_union_parts_keeps_only_area():
    merged = union_parts([box(0, 0, 1, 1), None, shapely.Polygon(), box(0.5, 0, 1.5, 1)])
    assert merged.area == pytest.approx(1.5)
    assert union_parts([]).is_empty
