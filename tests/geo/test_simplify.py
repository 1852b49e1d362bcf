"""Display geometry: coverage simplification keeps neighbours' shared borders shared, and every
shape that comes out (and every shape written as GeoJSON) is valid, non-empty and keeps its area."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from geo.boundaries import read_boundaries
from geo.geojson import feature
from geo.simplify import (
    LOW_ZOOM_MIN_PART,
    display_coverage,
    display_geometry,
    low_zoom_coverage,
    on_grid,
    simplify_coverage,
    without_small_parts,
)


def _wiggly_neighbours():
    # Two squares sharing a border with many small zigzags along x = 1.
    border = [(1.0 + (0.004 if i % 2 else -0.004), i / 200) for i in range(201)]
    left = Polygon([(0, 0), *border, (0, 1)])
    right = Polygon([*border, (2, 1), (2, 0)][::-1])
    return left, right


def _served(geometry, precision: int):
    """The geometry as a client reads it: written by geo.geojson.feature, parsed back."""
    return shape(json.loads(feature("x", {}, geometry, precision))["geometry"])


def test_shared_border_stays_shared_and_gets_shorter():
    left, right = _wiggly_neighbours()
    a, b = simplify_coverage([left, right], tolerance=0.05, grid=0.001)
    assert a.is_valid and b.is_valid
    assert shapely.get_num_coordinates(a) < shapely.get_num_coordinates(left) / 5
    assert a.intersection(b).area < 1e-9  # no overlap
    assert abs(a.union(b).area - 2.0) < 0.01  # no gap
    assert a.boundary.intersection(b.boundary).length > 0.99  # still one common border


def test_groups_are_simplified_separately_and_keep_their_order():
    left, right = _wiggly_neighbours()
    overlapping = shapely.affinity.translate(left, 0.5, 0)
    out = simplify_coverage([left, overlapping, right], groups=["a", "b", "a"], tolerance=0.05)
    assert [round(g.centroid.x, 1) for g in out] == [0.5, 1.0, 1.5]


def test_a_sliver_thinner_than_the_grid_is_served_not_emptied():
    # 0.0004° wide on a 0.001° grid: snapping alone collapses it (this layer used to serve it empty).
    sliver = Polygon([(0, 0), (1, 0), (1, 0.0004), (0, 0.0004)])
    assert shapely.set_precision(sliver, 0.001).is_empty
    neighbour = Polygon([(0, 0.0004), (1, 0.0004), (1, 1), (0, 1)])
    result = display_coverage([neighbour, sliver], tolerance=0.05, grid=0.001)
    kept, thin = result.geometries
    assert thin.is_valid and not thin.is_empty and thin.area > 0
    assert kept.is_valid and abs(kept.area - neighbour.area) < 0.01
    assert [(r.index, "collapsed on the grid" in r.reason) for r in result.repairs] == [(1, True)]
    served = _served(thin, 3)  # and written as GeoJSON it stays as it is
    assert served.is_valid and not served.is_empty


def test_rounding_that_would_cross_a_hole_with_its_shell_keeps_the_shape_valid():
    # The hole's left edge is 0.0004° from the shell: rounding each coordinate to 3 decimals
    # puts it on the shell (a self-intersection); snapping on the grid keeps a valid polygon.
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)], [[(0.0004, 0.2), (0.5, 0.2), (0.5, 0.8), (0.0004, 0.8)]])
    assert not shapely.transform(square, lambda c: c.round(3)).is_valid
    served = _served(square, 3)
    assert served.is_valid
    assert abs(served.area - square.area) < 0.001


def test_an_island_smaller_than_the_grid_is_dropped_not_served_as_a_line():
    # What made 5 districts invalid: a tiny island rounded to 4 decimals is a ring of two points.
    island = Polygon([(2.00001, 2.00001), (2.00004, 2.00001), (2.00002, 2.00003)])
    district = MultiPolygon([Polygon([(0, 0), (1, 0), (1, 1), (0, 1)]), island])
    assert "Too few points" in shapely.is_valid_reason(shapely.transform(district, lambda c: c.round(4)))
    served = _served(district, 4)
    assert served.is_valid
    assert served.area == pytest.approx(1.0)


def test_a_self_crossing_shape_is_repaired_keeping_its_area_and_the_repair_is_reported():
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    result = display_coverage([bow_tie], tolerance=0.01, grid=0.001)
    (repaired,) = result.geometries
    assert repaired.is_valid and repaired.area == pytest.approx(0.5)
    (repair,) = result.repairs
    assert repair.reason.startswith("Self-intersection")
    assert repair.area_change == pytest.approx(0.0, abs=1e-9)


def test_a_shape_that_simplification_would_reduce_to_a_sliver_is_taken_less_simplified():
    # A thin zigzag strip 1° long: at 0.05° the coverage simplifier keeps a triangle with about 1 %
    # of its area; a lower tolerance keeps it.
    xs = np.linspace(0, 1, 41)
    top = [(x, 0.003 + (0.02 if i % 2 else 0)) for i, x in enumerate(xs)]
    bottom = [(x, 0.02 if i % 2 else 0.0) for i, x in enumerate(xs)][::-1]
    strip = Polygon(top + bottom)
    assert shapely.coverage_simplify([strip], 0.05)[0].area < 0.05 * strip.area
    result = display_coverage([strip], tolerance=0.05, grid=0.0001)
    (served,) = result.geometries
    assert served.is_valid
    assert served.area == pytest.approx(strip.area, rel=0.02)
    (repair,) = result.repairs
    assert repair.reason == "less simplified" and repair.tolerance < 0.05


def test_small_parts_are_left_out_but_the_largest_stays():
    big = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)])
    islet = Polygon([(5, 5), (5.05, 5), (5.05, 5.05), (5, 5.05)])  # 0.0025 square degrees
    island = Polygon([(6, 0), (7, 0), (7, 1), (6, 1)])
    kept = without_small_parts(MultiPolygon([big, islet, island]), 0.02)
    assert kept.is_valid and shapely.equals(kept, MultiPolygon([big, island]))
    alone = without_small_parts(MultiPolygon([islet, Polygon([(8, 8), (8.1, 8), (8.1, 8.1)])]), 1.0)
    assert alone.geom_type == "Polygon" and alone.area == pytest.approx(0.005)  # the largest of two small ones
    assert without_small_parts(big, 100.0) is big


def test_the_low_zoom_coverage_keeps_every_shape_valid_with_fewer_vertices():
    left, right = _wiggly_neighbours()
    islet = Polygon([(3, 3), (3.01, 3), (3.01, 3.01), (3, 3.01)])
    shapes = low_zoom_coverage([MultiPolygon([left, islet]), right])
    assert all(s.is_valid and not s.is_empty for s in shapes)
    assert shapes[0].area == pytest.approx(left.area, rel=0.05)  # the islet is gone
    assert islet.area < LOW_ZOOM_MIN_PART and not shapes[0].intersects(islet)
    assert shapely.get_num_coordinates(shapes[1]) < shapely.get_num_coordinates(right) / 10


def test_points_and_empty_shapes_pass_through():
    assert on_grid(shapely.Point(1.23456, 2.34567), 0.01).equals(shapely.Point(1.23, 2.35))
    assert display_geometry(Polygon(), tolerance=0.05, grid=0.001).is_empty
    assert simplify_coverage([Polygon([(0, 0), (1, 0), (1, 1)]), None])[1] is None


def _random_coverage(seed: int) -> list:
    """Voronoi cells of random points in the unit square, among them thin cells (pairs of close
    points), with wiggly borders: a smooth displacement of every vertex keeps shared borders shared."""
    rng = random.Random(seed)
    points = [(rng.random(), rng.random()) for _ in range(25)]
    points += [(x + rng.uniform(0.0003, 0.003), y) for x, y in points[:6]]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=shapely.box(0, 0, 1, 1))
    cells = [c.intersection(shapely.box(0, 0, 1, 1)) for c in shapely.get_parts(cells)]
    # the borders noded and densified once, so that neighbours share exactly the same vertices
    borders = shapely.segmentize(shapely.union_all([c.boundary for c in cells]), 0.005)
    cells = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(borders))))
    wavelength = rng.uniform(0.02, 0.05)
    amplitude = rng.uniform(0.01, 0.05) * wavelength  # gentle enough never to fold a cell over itself

    def wiggle(coords):
        x, y = coords[:, 0], coords[:, 1]
        return np.column_stack(
            [x + amplitude * np.sin(y * 2 * np.pi / wavelength), y + amplitude * np.sin(x * 2 * np.pi / wavelength)]
        )

    return [shapely.transform(c, wiggle) for c in cells]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("tolerance", "grid", "precision"), [(0.05, 0.001, 3), (0.01, 0.0001, 4), (0.0, 0.001, 3)])
def test_every_display_shape_of_a_random_coverage_is_valid_and_keeps_the_coverage(seed, tolerance, grid, precision):
    cells = _random_coverage(seed)
    assert all(c.is_valid for c in cells) and shapely.coverage_is_valid(cells)
    shapes = simplify_coverage(cells, tolerance=tolerance, grid=grid)
    for shown in shapes:
        assert shown.is_valid and not shown.is_empty, shapely.is_valid_reason(shown)
        assert shown.geom_type in ("Polygon", "MultiPolygon")
        served = _served(shown, precision)
        assert served.is_valid and served.equals_exact(shown, 0)  # writing adds no second rounding
    total = sum(s.area for s in shapes)
    covered = shapely.union_all(shapes).area
    assert total == pytest.approx(covered, rel=0.01)  # hardly any overlap between neighbours
    assert covered == pytest.approx(sum(c.area for c in cells), rel=0.02)  # nor gaps


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("precision", [3, 4, 5])
def test_any_valid_polygon_written_as_geojson_is_valid(seed, precision):
    for cell in _random_coverage(seed):
        served = _served(cell, precision)
        assert served.is_valid and not served.is_empty


@pytest.fixture(scope="module")
def boundaries():
    return read_boundaries(Path(__file__).resolve().parents[2] / "data" / "boundaries")


@pytest.mark.parametrize("layer", ["countries", "admin1", "us_counties"])
def test_every_real_boundary_as_the_coverage_layers_write_it_is_valid(boundaries, layer):
    # An organisation's coverage shows any country (3 decimals) and any admin unit (4 decimals), and
    # the review map any of them on a 0.0001° grid: rounding one by one broke 2 countries at 3 decimals.
    for row in boundaries[layer].itertuples():
        for precision in (3, 4):
            served = _served(row.display, precision)
            assert served.is_valid and not served.is_empty, (row.code, precision)
        shown = display_geometry(row.display, tolerance=0.01, grid=0.0001)
        assert shown.is_valid and not shown.is_empty, row.code


def test_the_real_overview_layers_are_valid_and_keep_their_areas(boundaries):
    admin1, countries = boundaries["admin1"], boundaries["countries"]
    for frame, groups in ((admin1, admin1["country"].tolist()), (countries, None)):
        shapes = simplify_coverage(frame["display"].tolist(), groups)
        for code, source, shown in zip(frame["code"], frame["display"], shapes):
            assert shown.is_valid and not shown.is_empty, code
            assert abs(shown.area - source.area) <= 0.5 * source.area, code
