"""Coverage simplification keeps neighbours' shared borders shared."""

import shapely
from shapely.geometry import Polygon

from geo.simplify import simplify_coverage


def _wiggly_neighbours():
    # Two squares sharing a border with many small zigzags along x = 1.
    border = [(1.0 + (0.004 if i % 2 else -0.004), i / 200) for i in range(201)]
    left = Polygon([(0, 0), *border, (0, 1)])
    right = Polygon([*border, (2, 1), (2, 0)][::-1])
    return left, right


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
