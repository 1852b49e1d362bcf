"""geo.crisis: the geodesic circle, an area's overlaps with units, partial overlaps and points inside."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely

from geo.coverage import UnitIndex
from geo.crisis import MAX_CIRCLE_KM, area_of, geodesic_circle, partial_overlaps_km2, points_inside, units_in_area
from geo.validate import GeometryError

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.mark.parametrize(("lon", "lat", "km"), [(-92.26, 14.91, 50), (-97.5, 26.0, 500), (-150.0, 61.2, 1000)])
def test_every_vertex_of_the_circle_is_at_the_radius(lon, lat, km):
    circle = geodesic_circle(lon, lat, km)
    ring = np.asarray(circle.exterior.coords)
    _, _, distances = GEOD.inv(np.full(len(ring), lon), np.full(len(ring), lat), ring[:, 0], ring[:, 1])
    assert np.allclose(distances / 1000, km, rtol=1e-6)
    assert circle.is_valid and circle.contains(shapely.Point(lon, lat))
    assert abs(area_of(circle) - np.pi * km**2) / (np.pi * km**2) < 0.01


@pytest.mark.parametrize("km", [0, -5, MAX_CIRCLE_KM + 1])
def test_radius_out_of_range_is_refused(km):
    with pytest.raises(GeometryError) as refused:
        geodesic_circle(-92.26, 14.91, km)
    assert refused.value.code == "radius_out_of_range"


def test_a_circle_across_the_antimeridian_is_refused():
    with pytest.raises(GeometryError):
        geodesic_circle(179.9, 0, 100)


def test_units_in_area_and_partial_overlaps():
    left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    units = UnitIndex([left, right])
    area = shapely.box(0.5, 0, 2, 1)  # half of the left unit, all of the right one
    found = units_in_area(area, units)
    by_unit = dict(zip(found.unit_idx.tolist(), found.overlap_km2.tolist()))
    assert set(by_unit) == {0, 1} and found.is_full.tolist() == [False, True]
    assert abs(by_unit[0] / by_unit[1] - 0.5) < 1e-6
    drawn = shapely.box(0, 0, 0.75, 1)  # an organisation's drawn coverage over the left unit
    km2 = partial_overlaps_km2(area, [left, left], [drawn, None])
    assert abs(km2[0] / by_unit[1] - 0.25) < 1e-6 and km2[1] == 0


def test_points_inside():
    area = shapely.box(0, 0, 1, 1)
    assert points_inside(area, [0.5, 2, 1], [0.5, 2, 0.5]).tolist() == [True, False, True]
    assert points_inside(area, [], []).tolist() == []
