import math
import random

import numpy as np
import pytest

from geo.nearest import (
    SPHERE_TO_ELLIPSOID_MIN,
    chord_km,
    geodesic_km,
    grid_key,
    grid_ranges,
    nearest_target,
    search_box,
    unit_vector,
)


def haversine_km(lon1, lat1, lon2, lat2, radius=6371.0088):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def test_textbook_lengths_of_a_degree_on_the_ellipsoid():
    assert geodesic_km(0, 0, [0], [1])[0] == pytest.approx(110.574, abs=0.01)
    assert geodesic_km(0, 0, [1], [0])[0] == pytest.approx(111.320, abs=0.01)


CITY_PAIRS = [
    # (from, to, lon1, lat1, lon2, lat2)
    ("Tapachula", "Ciudad de Guatemala", -92.2633, 14.9056, -90.5069, 14.6349),
    ("Tijuana", "San Diego", -117.0382, 32.5149, -117.1611, 32.7157),
    ("Los Angeles", "New York", -118.2437, 34.0522, -74.0060, 40.7128),
    ("Ciudad de México", "Toronto", -99.1332, 19.4326, -79.3832, 43.6532),
]


@pytest.mark.parametrize("a, b, lon1, lat1, lon2, lat2", CITY_PAIRS)
def test_city_distances_agree_with_the_spherical_formula(a, b, lon1, lat1, lon2, lat2):
    # The ellipsoid and the sphere differ by at most about 0.5 %.
    assert geodesic_km(lon1, lat1, [lon2], [lat2])[0] == pytest.approx(haversine_km(lon1, lat1, lon2, lat2), rel=0.006)


def test_los_angeles_new_york_is_about_3940_km():
    assert geodesic_km(-118.2437, 34.0522, [-74.0060], [40.7128])[0] == pytest.approx(3944, abs=15)


def test_search_box_holds_every_point_within_the_radius():
    rng = random.Random(7)
    for _ in range(300):
        lon, lat = rng.uniform(-170, 170), rng.uniform(-80, 80)
        radius = rng.choice([1, 10, 100, 1000])
        min_lon, min_lat, max_lon, max_lat = search_box(lon, lat, radius)
        bearings = np.linspace(0, 2 * math.pi, 36, endpoint=False)
        for bearing in bearings:
            # a point just inside the radius in this direction
            dlat = 0.999 * radius * math.cos(bearing) / 111.32
            dlon = 0.999 * radius * math.sin(bearing) / (111.32 * max(math.cos(math.radians(lat + dlat)), 1e-9))
            plon, plat = lon + dlon, lat + dlat
            if not (-180 <= plon <= 180 and -90 <= plat <= 90):
                continue
            if geodesic_km(lon, lat, [plon], [plat])[0] <= radius:
                assert min_lon <= plon <= max_lon and min_lat <= plat <= max_lat


def test_search_box_near_the_pole_spans_all_longitudes():
    assert search_box(10, 89.9, 50)[0::2] == (-180.0, 180.0)


def test_nearest_target():
    best, km = nearest_target([0, 10], [0, 0], [9, 1, 50], [0, 0, 0])
    assert best.tolist() == [1, 0]
    assert km[0] == pytest.approx(111.32, rel=0.001)
    with pytest.raises(ValueError):
        nearest_target([0], [0], [], [])


def test_grid_ranges_cover_every_point_of_the_box():
    rng = random.Random(3)
    for _ in range(200):
        lon, lat = rng.uniform(-170, 170), rng.uniform(-60, 60)
        box = search_box(lon, lat, rng.choice([1, 20, 300]))
        ranges = grid_ranges(*box)
        lons = np.array([rng.uniform(box[0], box[2]) for _ in range(50)] + [box[0], box[2]])
        lats = np.array([rng.uniform(box[1], box[3]) for _ in range(50)] + [box[1], box[3]])
        for key in grid_key(lons, lats):
            assert any(low <= key <= high for low, high in ranges)


def test_grid_rows_are_one_range_each_and_huge_boxes_fall_back():
    ranges = grid_ranges(-118.5, 33.9, -118.1, 34.2)
    assert len(ranges) == 4  # rows 33.9, 34.0, 34.1, 34.2
    assert all(high - low == 4 for low, high in ranges)  # columns -118.5 .. -118.1
    band = grid_ranges(-100, -30, -90, 30)  # 60° tall: one latitude band
    assert len(band) == 1
    assert band[0][0] <= grid_key(-179.9, -30) and grid_key(179.9, 30) <= band[0][1]
    assert grid_key(-118.25, 34.05) == grid_key(-118.21, 34.01)
    assert grid_key(-118.25, 34.05) != grid_key(-118.25, 34.15)


def test_sphere_distances_bound_geodesic_ones_from_below():
    """The nearest search relies on geodesic >= SPHERE_TO_ELLIPSOID_MIN x great-circle distance."""
    rng = np.random.default_rng(5)
    worst = 1.0
    for _ in range(100):
        lon, lat = rng.uniform(-180, 180), rng.uniform(-89, 89)
        lons = np.r_[rng.uniform(-180, 180, 300), lon + rng.normal(0, 1, 300)]
        lats = np.r_[rng.uniform(-89.9, 89.9, 300), np.clip(lat + rng.normal(0, 1, 300), -89.9, 89.9)]
        lons = (lons + 180) % 360 - 180
        x, y, z = unit_vector(lon, lat)
        ux, uy, uz = unit_vector(lons, lats)
        sphere = chord_km((ux - x) ** 2 + (uy - y) ** 2 + (uz - z) ** 2)
        apart = sphere > 0.01
        worst = min(worst, float((geodesic_km(lon, lat, lons, lats)[apart] / sphere[apart]).min()))
    assert SPHERE_TO_ELLIPSOID_MIN < worst < 1.0
