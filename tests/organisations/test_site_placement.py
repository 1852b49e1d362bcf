"""Where the public sees a site (organisations/sites.py), without a database: two square units side by
side stand for two counties. A hidden site is shown at its unit's label point, or, outside every unit,
rounded to 0.1°; never at its own point. Every column the nearest search reads (grid keys, unit-sphere
vectors) follows the right point. Saved through the services and served over HTTP in
tests/test_organisations.py; these tests are fast enough for the mutation run (docs/mutation-testing.md)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from directory_app.geography.units import LeafUnits
from directory_app.organisations.sites import place_sites
from geo.coverage import UnitIndex
from geo.nearest import grid_key, unit_vector

# Unit 20 to the west, unit 10 to the east, sharing the meridian -92 (listed in that order, so that the
# first unit found is not the one of the smaller id).
UNITS = LeafUnits(
    ids=np.array([20, 10]),
    codes=["XX-WEST", "XX-EAST"],
    index=UnitIndex([shapely.box(-93.0, 14.0, -92.0, 15.0), shapely.box(-92.0, 14.0, -91.0, 15.0)]),
)
LABELS = {20: (-92.5, 14.5), 10: (-91.5, 14.5)}


def placed(lon: float, lat: float, hidden: bool):
    [placement] = place_sites(UNITS, LABELS, [(lon, lat, hidden)])
    return placement


def test_a_visible_site_is_public_where_it_is():
    site = placed(-92.71, 14.23, hidden=False)
    assert (site.admin_unit_id, site.public_lon, site.public_lat) == (20, -92.71, 14.23)


def test_a_hidden_site_is_public_only_at_its_units_label_point():
    west, east = placed(-92.71, 14.23, hidden=True), placed(-91.12, 14.96, hidden=True)
    assert (west.admin_unit_id, west.public_lon, west.public_lat) == (20, *LABELS[20])
    assert (east.admin_unit_id, east.public_lon, east.public_lat) == (10, *LABELS[10])


@pytest.mark.parametrize("west_id, east_id", [(20, 10), (10, 20)])
@pytest.mark.parametrize("west_first", [True, False])
def test_a_site_on_a_shared_border_belongs_to_the_unit_of_the_smaller_id(west_id, east_id, west_first):
    """The same answer whichever unit the index finds first (a site saved twice lands in one unit)."""
    west, east = (west_id, shapely.box(-93.0, 14.0, -92.0, 15.0)), (east_id, shapely.box(-92.0, 14.0, -91.0, 15.0))
    listed = [west, east] if west_first else [east, west]
    units = LeafUnits(
        ids=np.array([i for i, _ in listed]), codes=[str(i) for i, _ in listed], index=UnitIndex([g for _, g in listed])
    )
    labels = {west_id: (-92.5, 14.5), east_id: (-91.5, 14.5)}
    [site] = place_sites(units, labels, [(-92.0, 14.37, True)])
    assert (site.admin_unit_id, site.public_lon, site.public_lat) == (10, *labels[10])


def test_a_site_in_a_units_bounding_box_but_outside_the_unit_is_not_in_it():
    """Counties are not rectangles: the unit is the one whose shape holds the site, not whose box does."""
    triangle = shapely.Polygon([(-93.0, 14.0), (-92.0, 14.0), (-92.0, 15.0)])  # the south-east half of a square
    units = LeafUnits(ids=np.array([30]), codes=["XX-TRI"], index=UnitIndex([triangle]))
    inside, outside = (-92.2, 14.3), (-92.83, 14.87)  # both in the triangle's bounding box
    placed_inside, placed_outside = place_sites(units, {30: (-92.3, 14.3)}, [(*inside, True), (*outside, True)])
    assert (placed_inside.admin_unit_id, placed_inside.public_lon, placed_inside.public_lat) == (30, -92.3, 14.3)
    assert (placed_outside.admin_unit_id, placed_outside.public_lon, placed_outside.public_lat) == (None, -92.8, 14.9)


@pytest.mark.parametrize(
    "exact, public",
    [
        ((-93.0712, 13.8123), (-93.1, 13.8)),  # at sea, off the west unit
        ((-90.96, 15.04), (-91.0, 15.0)),  # north-east of both
        ((-93.36, 14.44), (-93.4, 14.4)),  # west of both, beside the west unit
        ((-91.0, -10.26), (-91.0, -10.3)),  # south of the equator
    ],
)
def test_a_hidden_site_outside_every_unit_is_public_only_rounded_to_a_tenth_of_a_degree(exact, public):
    site = placed(*exact, hidden=True)
    assert site.admin_unit_id is None
    assert (site.public_lon, site.public_lat) == public
    assert (site.public_lon, site.public_lat) != exact


def test_a_visible_site_outside_every_unit_is_public_where_it_is():
    site = placed(-93.0712, 13.8123, hidden=False)
    assert (site.admin_unit_id, site.public_lon, site.public_lat) == (None, -93.0712, 13.8123)


def test_the_search_columns_follow_the_exact_and_the_public_point():
    """The nearest search reads the exact columns for consular users and the public ones for everyone
    else: a public column computed from the exact point would let a search locate a hidden site."""
    exact = (-92.71, 14.23)
    columns = placed(*exact, hidden=True).columns()
    assert (columns["public_lon"], columns["public_lat"]) == LABELS[20]
    assert columns["admin_unit_id"] == 20
    assert columns["grid_key"] == grid_key(*exact) != columns["public_grid_key"] == grid_key(*LABELS[20])
    assert (columns["ux"], columns["uy"], columns["uz"]) == pytest.approx(unit_vector(*exact), abs=1e-15)
    public_vector = (columns["public_ux"], columns["public_uy"], columns["public_uz"])
    assert public_vector == pytest.approx(unit_vector(*LABELS[20]), abs=1e-15)
    assert all(type(value) is float for value in (*public_vector, columns["ux"], columns["uy"], columns["uz"]))


def test_several_sites_keep_their_order_and_no_site_is_no_work():
    sites = [(-92.71, 14.23, True), (-93.0712, 13.8123, True), (-91.12, 14.96, False)]
    placements = place_sites(UNITS, LABELS, sites)
    assert [(p.admin_unit_id, p.public_lon, p.public_lat) for p in placements] == [
        (20, *LABELS[20]),
        (None, -93.1, 13.8),
        (10, -91.12, 14.96),
    ]
    assert place_sites(UNITS, LABELS, []) == []
