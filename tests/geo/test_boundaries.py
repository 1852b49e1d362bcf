"""Facts about the real boundary data in data/boundaries, read as the app reads it."""

from pathlib import Path

import numpy as np
import pycountry
import pytest
import shapely
from shapely.geometry import Point

from geo.boundaries import BoundaryDataError, read_boundaries, read_layer

DATA = Path(__file__).resolve().parents[2] / "data" / "boundaries"
MEMBERS = {"BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US"}


@pytest.fixture(scope="module")
def layers():
    return read_boundaries(DATA)


def _unit_at(frame, lon, lat):
    hits = frame[frame.geometry.intersects(Point(lon, lat))]
    assert len(hits) == 1, f"{len(hits)} units at {lon}, {lat}"
    return hits.iloc[0]


@pytest.mark.parametrize(
    "place, lon, lat, code",
    [
        ("Tapachula", -92.2633, 14.9056, "MX-CHP"),
        ("Ciudad de México", -99.1332, 19.4326, "MX-CMX"),
        ("Ciudad de Guatemala", -90.5069, 14.6349, "GT-01"),
        ("Quetzaltenango", -91.5180, 14.8347, "GT-09"),
        ("San Salvador", -89.2182, 13.6929, "SV-SS"),
        ("San Pedro Sula", -88.0250, 15.5000, "HN-CR"),
        ("Bluefields", -83.7763, 12.0137, "NI-AS"),
        ("Santo Domingo Este", -69.86, 18.49, "DO-32"),
        ("Montréal", -73.5673, 45.5017, "CA-QC"),
        ("Los Angeles", -118.2437, 34.0522, "US-CA"),
        ("El Paso", -106.4850, 31.7619, "US-TX"),
    ],
)
def test_admin1_contains_known_places(layers, place, lon, lat, code):
    assert _unit_at(layers["admin1"], lon, lat)["code"] == code


def test_los_angeles_county_is_a_county_of_california(layers):
    county = _unit_at(layers["us_counties"], -118.2437, 34.0522)
    assert county["code"] == "US-06037"
    assert county["name_en"] == "Los Angeles"
    assert county["parent"] == "US-CA"


def test_every_member_country_and_its_admin1_units(layers):
    assert set(layers["countries"]["code"]) == MEMBERS
    admin1 = layers["admin1"]
    assert set(admin1["country"]) == MEMBERS
    counts = admin1.groupby("country").size().to_dict()
    assert counts["MX"] == 32 and counts["GT"] == 22 and counts["SV"] == 14 and counts["HN"] == 18
    assert counts["US"] == 52  # 50 states, DC and Puerto Rico
    assert counts["CA"] == 13


def test_iso_codes_are_current_and_unique(layers):
    admin1 = layers["admin1"]
    assert admin1["code"].is_unique
    known = {s.code for s in pycountry.subdivisions}
    assert set(admin1["code"]) <= known, set(admin1["code"]) - known
    renamed = admin1.set_index("code")
    assert renamed.loc["MX-CMX", "name_local"] == "Ciudad de México"
    assert renamed.loc["MX-CMX", "name_en"] == "Mexico City"
    assert renamed.loc["NI-AN", "name_es"] == "Costa Caribe Norte"
    assert renamed.loc["NI-AS", "name_es"] == "Costa Caribe Sur"
    assert renamed.loc["NI-SJ", "name_es"] == "Río San Juan"
    for column in ("name_local", "name_es", "name_en"):
        assert admin1[column].str.len().min() > 0


def test_counties_are_unique_and_nest_in_states(layers):
    counties, admin1 = layers["us_counties"], layers["admin1"]
    assert counties["code"].is_unique
    assert len(counties) > 3100
    assert set(counties["parent"]) <= set(admin1["code"])
    assert "US-51610" in set(counties["code"]), "Falls Church is empty in the source; it must be present"


@pytest.mark.parametrize("layer", ["countries", "admin1", "us_counties"])
def test_every_geometry_valid_and_not_empty_in_full_and_display(layers, layer):
    frame = layers[layer]
    for column in ("geometry", "display"):
        geoms = np.asarray(frame[column].values, dtype=object)
        assert shapely.is_valid(geoms).all()
        assert not shapely.is_empty(geoms).any()
        assert set(shapely.get_type_id(geoms)) <= {3, 6}  # Polygon, MultiPolygon


def test_display_geometry_is_lighter(layers):
    for layer in ("admin1", "us_counties"):
        frame = layers[layer]
        full = shapely.get_num_coordinates(np.asarray(frame.geometry.values, dtype=object)).sum()
        display = shapely.get_num_coordinates(np.asarray(frame["display"].values, dtype=object)).sum()
        assert display < full * 0.8


@pytest.mark.parametrize(
    "layer, country", [("admin1", "MX"), ("admin1", "GT"), ("admin1", "CA"), ("us_counties", "US")]
)
def test_display_neighbours_share_their_borders(layers, layer, country):
    """Simplification keeps shared borders shared: neighbours in the full data still touch
    along a line in the display data and do not overlap by more than a speck (a sliver of
    1e-5 of the smaller unit, a few thousand m² for a county, is invisible at display scale;
    the source's own repaired counties overlap by that much)."""
    frame = layers[layer]
    frame = frame[frame["country"] == country].reset_index(drop=True)
    full = np.asarray(frame.geometry.values, dtype=object)
    display = np.asarray(frame["display"].values, dtype=object)
    left, right = shapely.STRtree(full).query(full, predicate="touches")
    pairs = [(a, b) for a, b in zip(left, right) if a < b]
    pairs = [(a, b) for a, b in pairs if shapely.length(shapely.intersection(full[a], full[b])) > 0.01]
    assert len(pairs) > 10
    for a, b in pairs:
        shared = shapely.intersection(display[a], display[b])
        codes = (frame["code"][a], frame["code"][b])
        assert shapely.length(shared) > 0, f"{codes} no longer share a border"
        smaller = min(shapely.area(display[a]), shapely.area(display[b]))
        assert shapely.area(shared) <= 1e-5 * smaller, f"{codes} overlap"


def test_reading_a_broken_file_names_the_file_and_feature(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"X-1","country":"MX",'
        '"level":1,"parent":null,"source_id":"x","name_local":"x","name_es":"x","name_en":"x"},'
        '"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}'
    )
    with pytest.raises(BoundaryDataError, match=r"broken.geojson: feature 1 \(X-1\): invalid geometry"):
        read_layer(broken, ["code"])
    with pytest.raises(BoundaryDataError, match="file not found"):
        read_layer(tmp_path / "missing.geojson", ["code"])
