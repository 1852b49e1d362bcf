"""An affected area in every way people give one, on the real boundaries: an uploaded KML cone (and the
same as KMZ and as a zipped Shapefile), drawn GeoJSON, chosen units, a circle; and clear refusals."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely

from directory_app.crisis.areas import (
    AreaError,
    area_from_circle,
    area_from_geojson_text,
    area_from_json,
    area_from_units,
    area_from_upload,
)
from directory_app.crisis.report import build_report
from geo.projection import area_km2
from geo.validate import GeometryError
from tests.crisis.test_report import _expected_districts

# A hurricane's forecast cone from the Gulf onto the Tamaulipas and Texas coasts (lon lat).
CONE = [(-93.0, 23.5), (-96.2, 24.6), (-98.6, 26.9), (-97.6, 28.9), (-95.3, 29.6), (-93.8, 27.0), (-93.0, 23.5)]
KML = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Cone</name>
<Placemark><name>Forecast cone</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
{" ".join(f"{x},{y},0" for x, y in CONE)}
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>""".encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zipped_shapefile(tmp_path, geometry, crs="EPSG:4326") -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.GeoDataFrame({"name": ["cone"]}, geometry=[geometry], crs="EPSG:4326").to_crs(crs).to_file(
        folder / "cone.shp", engine="pyogrio"
    )
    return _zip({path.name: path.read_bytes() for path in folder.iterdir()})


def test_an_uploaded_kml_cone(ctx):
    area = area_from_upload("cone.kml", KML)
    assert area.equals(shapely.Polygon(CONE).normalize()) or abs(area.area - shapely.Polygon(CONE).area) < 1e-9
    report = build_report(area, exact=False)
    codes = {d.code for d in report.districts}
    assert codes == _expected_districts(area)
    assert any(code.endswith("-US-HOUSTON") for code in codes)  # Texas ...
    assert {d.host_country for d in report.districts} == {"MX", "US"}  # ... and Tamaulipas
    assert {d.sending_country for d in report.districts} >= {"MX", "GT"}
    assert sum(d.area_share for d in report.districts if d.sending_country == "MX") < 1  # much of it is sea


def test_the_cone_as_kmz_and_as_a_zipped_shapefile(ctx, tmp_path):
    cone = area_from_upload("cone.kml", KML)
    kmz = area_from_upload("cone.kmz", _zip({"doc.kml": KML}))
    shp = area_from_upload("cone.zip", _zipped_shapefile(tmp_path, shapely.Polygon(CONE), crs="EPSG:3857"))
    assert abs(area_km2(kmz) - area_km2(cone)) < 1e-6 * area_km2(cone)
    assert abs(area_km2(shp) - area_km2(cone)) < 1e-3 * area_km2(cone)  # reprojected from Web Mercator


def test_drawn_geojson_units_and_circle(ctx):
    two = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(shapely.box(-93, 15, -92, 16))},
            {
                "type": "Feature",
                "properties": {},
                "geometry": shapely.geometry.mapping(shapely.box(-92.5, 15, -91, 16)),
            },
        ],
    }
    drawn = area_from_geojson_text(json.dumps(two))
    assert drawn.equals(shapely.box(-93, 15, -91, 16)) or abs(drawn.area - 2.0) < 1e-9
    assert area_from_json({"area": two}).equals(drawn)
    state = area_from_units(["mx-oax", "MX-OAX"])
    assert 90_000 < area_km2(state) < 96_000  # Oaxaca: about 93,800 km²
    assert area_from_json({"units": ["MX-OAX"]}).equals(state)
    circle = area_from_circle(-92.26, 14.91, 100)
    assert abs(area_km2(circle) - 31_416) < 100
    assert area_from_json({"circle": {"lon": -92.26, "lat": 14.91, "radius_km": 100}}).equals(circle)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{", "geojson_syntax"),
        ('{"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}', "drawn_area"),
        ('{"type": "Point", "coordinates": [-92, 15]}', "drawn_area"),
        (
            json.dumps(
                {"type": "Polygon", "coordinates": [[[-170, -80], [170, -80], [170, 80], [-170, 80], [-170, -80]]]}
            ),
            "drawn_area",
        ),
        (json.dumps({"type": "MultiPoint", "coordinates": [[0, 0]] * 60_000}), "drawn_too_many_vertices"),
    ],
)
def test_bad_drawn_geometry_is_refused_clearly(ctx, text, code):
    with pytest.raises(GeometryError) as refused:
        area_from_geojson_text(text)
    assert refused.value.code == code and str(refused.value)


def test_bad_uploads_units_and_circles_are_refused_clearly(ctx, tmp_path):
    cases = [
        (lambda: area_from_geojson_text('{"type": "FeatureCollection", "features": []}'), AreaError, "No area"),
        (
            lambda: area_from_upload(
                "x.kml",
                KML.replace(
                    b"<Placemark>", b"<NetworkLink><Link><href>http://x</href></Link></NetworkLink><Placemark>"
                ),
            ),
            GeometryError,
            "",
        ),
        (lambda: area_from_upload("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100), GeometryError, "PNG"),
        (
            lambda: area_from_upload("x.zip", _zip({"../evil.shp": b"x", "a.dbf": b"y"})),
            AreaError,
            "outside the archive",
        ),
        (
            lambda: area_from_upload("x.zip", _zip({"a.shp": b"x", "run.exe": b"y"})),
            AreaError,
            "not part of a Shapefile",
        ),
        (
            lambda: area_from_upload("x.zip", _zip({"a.shp": b"not a shapefile", "b.shp": b"x"})),
            AreaError,
            "exactly one .shp",
        ),
        (lambda: area_from_upload("x.zip", _zip({"a.shp": b"not a shapefile"})), AreaError, "not a Shapefile"),
        (lambda: area_from_units(["MX-OAX", "XX-NOPE"]), AreaError, "XX-NOPE"),
        (lambda: area_from_units([]), AreaError, "at least one"),
        (lambda: area_from_circle(-92.26, 14.91, 5000), GeometryError, "1,000 km"),
        (lambda: area_from_circle(-92.26, 95, 10), GeometryError, "latitude"),
        (lambda: area_from_circle(-92.26, 14.91, "far"), AreaError, "number"),
        (lambda: area_from_json({"units": ["MX-OAX"], "circle": {}}), AreaError, "exactly one"),
        (lambda: area_from_json({"circle": {"lon": 1}}), AreaError, "radius_km"),
        (lambda: area_from_json([1, 2]), AreaError, "JSON object"),
        (lambda: area_from_json({"circle": {"lon": -92.26, "lat": False, "radius_km": 5}}), AreaError, "numbers"),
    ]
    for call, error, words in cases:
        with pytest.raises(error) as refused:
            call()
        assert words in str(refused.value)


def test_a_refused_area_has_its_message_in_the_readers_language(app):
    with app.test_request_context("/?lang=es"):
        app.preprocess_request()
        with pytest.raises(GeometryError) as refused:
            area_from_circle(-92.26, 14.91, 5000)
        from directory_app.geo_messages import geo_text

        assert geo_text(refused.value)  # shown through geo_messages like every coverage refusal
