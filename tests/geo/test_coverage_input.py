"""Coverage areas from uploaded files and from the drawing tool: good files read, bad geometry
repaired and reported, everything else refused with a reason (geo.coverage_input, geo.kml)."""

import io
import json
import zipfile

import pytest
import shapely
from shapely.geometry import box, mapping

from geo.coverage_input import (
    MAX_AREA_KM2,
    MAX_FILE_BYTES,
    MAX_REPAIR_VERTICES,
    detect_coverage_format,
    read_coverage_file,
    read_drawn_geojson,
)
from geo.validate import MAX_VERTICES, GeometryError

SQUARE = box(-92.3, 14.8, -92.0, 15.1)  # near Tapachula
BOW_TIE = [(-92, 14), (-91, 15), (-91, 14), (-92, 15), (-92, 14)]
KML_NS = "http://www.opengis.net/kml/2.2"


def geojson_bytes(obj) -> bytes:
    return json.dumps(obj).encode()


def feature(geometry, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def ring_text(coords) -> str:
    return " ".join(f"{x},{y},0" for x, y in coords)


def kml(body: str, namespace: str = KML_NS) -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<kml{xmlns}><Document>{body}</Document></kml>'.encode()


def polygon_xml(outer, holes=()) -> str:
    inner = "".join(
        f"<innerBoundaryIs><LinearRing><coordinates>{ring_text(h)}</coordinates></LinearRing></innerBoundaryIs>"
        for h in holes
    )
    outer_xml = f"<LinearRing><coordinates>{ring_text(outer)}</coordinates></LinearRing>"
    return f"<Polygon><outerBoundaryIs>{outer_xml}</outerBoundaryIs>{inner}</Polygon>"


def kml_polygon(outer, holes=()) -> str:
    return f"<Placemark><name>Zona</name>{polygon_xml(outer, holes)}</Placemark>"


def kmz(document: bytes, name: str = "doc.kml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, document)
    return buffer.getvalue()


def wavy_ring(n: int, crossing: bool):
    """A closed ring of n vertices around (-100, 20); with `crossing` it crosses itself many times."""
    import numpy as np

    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 1 + 0.3 * np.sin(17 * t)
    y = np.sin(3 * t) if crossing else np.sin(t)
    coords = [(float(-100 + np.cos(a) * b), float(20 + c * b)) for a, b, c in zip(t, r, y)]
    return coords + [coords[0]]


# --- good files ---------------------------------------------------------------------------------


def test_geojson_polygon_is_read_unchanged():
    checked = read_coverage_file(geojson_bytes(mapping(SQUARE)), "zona.geojson")
    assert checked.geometry.equals(SQUARE)
    assert checked.repairs == []


def test_feature_collection_with_bom_and_two_polygons_gives_their_union():
    other = box(-91.0, 15.0, -90.8, 15.2)
    data = b"\xef\xbb\xbf" + geojson_bytes(
        {"type": "FeatureCollection", "features": [feature(mapping(SQUARE)), feature(mapping(other))]}
    )
    checked = read_coverage_file(data)
    assert checked.geometry.geom_type == "MultiPolygon"
    assert checked.geometry.area == pytest.approx(SQUARE.area + other.area)


@pytest.mark.parametrize("namespace", [KML_NS, "http://earth.google.com/kml/2.1", ""])
def test_kml_polygon_with_hole_is_read_whatever_the_namespace(namespace):
    outer = list(SQUARE.exterior.coords)
    hole = list(box(-92.2, 14.9, -92.1, 15.0).exterior.coords)
    checked = read_coverage_file(kml(kml_polygon(outer, [hole]), namespace), "zona.kml")
    assert checked.geometry.area == pytest.approx(SQUARE.area - 0.01)
    assert len(checked.geometry.interiors) == 1


def test_kml_multigeometry_and_kmz_are_read():
    a, b = list(SQUARE.exterior.coords), list(box(-90, 14, -89.9, 14.1).exterior.coords)
    body = f"<Placemark><MultiGeometry>{polygon_xml(a)}{polygon_xml(b)}</MultiGeometry></Placemark>"
    document = kml(body)
    assert read_coverage_file(document).geometry.geom_type == "MultiPolygon"
    assert detect_coverage_format(kmz(document)) == "KMZ"
    assert read_coverage_file(kmz(document), "zona.kmz").geometry.area == pytest.approx(SQUARE.area + 0.01)


# --- bad geometry, repaired ---------------------------------------------------------------------


def test_bow_tie_is_repaired_and_the_split_is_reported():
    checked = read_coverage_file(geojson_bytes({"type": "Polygon", "coordinates": [BOW_TIE]}))
    assert checked.geometry.is_valid
    assert checked.geometry.geom_type == "MultiPolygon"
    assert checked.geometry.area == pytest.approx(0.5)
    assert len(checked.repairs) == 1
    assert checked.repairs[0].code == "repaired_and_split" and checked.repairs[0].params["parts"] == 2
    assert "the outline crosses itself at" in str(checked.repairs[0])
    assert "crossed itself and was split into 2 polygons" in str(checked.repairs[0])


def test_self_crossing_kml_polygon_is_repaired_and_its_sliver_dropped():
    # The square's last edge crosses the first one just past the corner: a tiny lobe appears.
    ring = [(0, 10), (10, 10), (10, 20), (0, 20), (0.0001, 9.9999), (0, 10)]
    ring = [(x - 100, y) for x, y in ring]
    checked = read_coverage_file(kml(kml_polygon(ring)))
    assert checked.geometry.is_valid
    assert checked.geometry.geom_type == "Polygon"
    assert checked.geometry.area == pytest.approx(100, rel=1e-4)
    assert any("the outline crosses itself at" in str(r) for r in checked.repairs)
    assert any(r.code == "dropped_slivers" and r.params == {"count": 1} for r in checked.repairs)


def test_points_beside_polygons_are_dropped_and_said():
    collection = {
        "type": "GeometryCollection",
        "geometries": [mapping(SQUARE), {"type": "Point", "coordinates": [-92, 15]}],
    }
    checked = read_coverage_file(geojson_bytes(collection))
    assert checked.geometry.equals(SQUARE)
    assert [str(r) for r in checked.repairs] == ["kept only the polygons of a GeometryCollection"]


# --- refused, with the reason -------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
CSV = b"name,lon,lat\nCasa del Migrante,-92.26,14.90\n"
VRT = (
    b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
    b"</OGRVRTLayer></OGRVRTDataSource>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&xxe;</name></Placemark></kml>'
)
LAUGHS = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><kml>&b;</kml>'


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "zona.geojson", "the file is empty"),
        (b" \n\t ", "zona.kml", "the file is empty"),
        (PNG, "zona.geojson", "the file is a PNG image, not GeoJSON or KML"),
        (CSV, "zona.geojson", "looks like a table (CSV)"),
        (b"just some words", "zona.geojson", "neither GeoJSON nor KML"),
        (b"\x00\x01\x02binary", "zona.kml", "binary data"),
        (b'{"type": "Polygon", "coordinates": [[[', "zona.geojson", "cannot be read"),
        (b'{"type": "Polygon", "coordinates": "oops"}', "zona.geojson", "the geometry cannot be read"),
        (b'{"features": []}', "zona.geojson", "has no 'type'"),
        (b'{"type": "FeatureCollection", "features": []}', "zona.geojson", "has no geometry"),
        (b"[" * 100_000, "zona.geojson", "neither GeoJSON nor KML"),
        (b'{"a":' * 100_000, "zona.geojson", "nested too deeply"),
        (VRT, "zona.kml", "not KML (its root element is <OGRVRTDataSource>)"),
        (XXE, "zona.kml", "declares a DTD or entities"),
        (LAUGHS, "zona.kml", "declares a DTD or entities"),
        (b"<kml><Placemark>", "zona.kml", "not well-formed XML"),
        (
            kml("<Placemark><Point><coordinates>-92.2,14.9</coordinates></Point></Placemark>"),
            "p.kml",
            "it holds: Point",
        ),
        (kml(kml_polygon([(-92, 14), (-91, 15)])), "zona.kml", "cannot be built"),
        (kml(kml_polygon([("x", 14), (-91, 15)])), "zona.kml", "not 'longitude,latitude'"),
        (b"PK\x03\x04 not really a zip", "zona.kmz", "KMZ archive cannot be read"),
        (kmz(b"hello", "readme.txt"), "zona.kmz", "holds no .kml file"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(data, name, message):
    with pytest.raises(GeometryError, match=None) as caught:
        read_coverage_file(data, name)
    assert message in str(caught.value)


def test_a_point_is_not_a_coverage_area():
    with pytest.raises(GeometryError, match="must be a polygon, not a Point"):
        read_coverage_file(geojson_bytes({"type": "Point", "coordinates": [-92.2, 14.9]}))


@pytest.mark.parametrize(
    "polygon, message",
    [
        (box(-92, 85, -91, 95), "outside longitude -180..180 / latitude -90..90"),
        (box(15, -92, 16, -91), "outside longitude"),  # lat/lon swapped: -92 is no latitude
        (box(500_000, 1_600_000, 510_000, 1_610_000), "metres of a projected system"),
    ],
)
def test_coordinates_out_of_range_are_refused(polygon, message):
    with pytest.raises(GeometryError, match=message):
        read_coverage_file(geojson_bytes(mapping(polygon)))


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"1e400"])
def test_coordinates_that_are_not_finite_numbers_are_refused(number):
    data = b'{"type": "Polygon", "coordinates": [[[-92, 14], [-91, %s], [-91, 15], [-92, 14]]]}' % number
    with pytest.raises(GeometryError, match="not numbers"):
        read_coverage_file(data)


def test_a_projected_crs_is_refused_and_wgs84_names_are_accepted():
    with_crs = mapping(SQUARE) | {"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    with pytest.raises(GeometryError, match="coordinate system 'EPSG:3857'"):
        read_coverage_file(geojson_bytes(with_crs))
    wgs84 = mapping(SQUARE) | {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}
    assert read_coverage_file(geojson_bytes(wgs84)).geometry.equals(SQUARE)


def test_a_file_over_the_size_cap_is_refused_before_reading():
    data = geojson_bytes(mapping(SQUARE)) + b" " * MAX_FILE_BYTES
    with pytest.raises(GeometryError, match="larger than 5 MB"):
        read_coverage_file(data, "huge.geojson")


def test_a_kmz_whose_kml_is_over_the_cap_is_refused():
    document = kml(kml_polygon(list(SQUARE.exterior.coords)) + " " * (MAX_FILE_BYTES + 10))
    packed = kmz(document)
    assert len(packed) < 100_000  # spaces compress well: the cap applies to what it unpacks to
    with pytest.raises(GeometryError, match="inside the KMZ is larger than"):
        read_coverage_file(packed, "bomb.kmz")


def test_too_many_vertices_are_refused_without_building_the_polygon():
    ring = wavy_ring(MAX_VERTICES + 10, crossing=False)
    with pytest.raises(GeometryError, match="the limit is 50,000"):
        read_coverage_file(geojson_bytes({"type": "Polygon", "coordinates": [ring]}))
    with pytest.raises(GeometryError, match="the limit is 50,000"):
        read_coverage_file(kml(kml_polygon(ring)))


def test_a_large_valid_polygon_is_accepted_but_a_large_invalid_one_is_not_repaired():
    valid = wavy_ring(MAX_REPAIR_VERTICES + 5_000, crossing=False)
    assert shapely.Polygon(valid).is_valid
    assert read_coverage_file(geojson_bytes({"type": "Polygon", "coordinates": [valid]})).repairs == []
    crossing = wavy_ring(MAX_REPAIR_VERTICES + 5_000, crossing=True)
    with pytest.raises(GeometryError, match="too many to repair safely"):
        read_coverage_file(geojson_bytes({"type": "Polygon", "coordinates": [crossing]}))


def test_an_area_larger_than_any_member_country_is_refused():
    huge = box(-170, 10, -50, 80)
    with pytest.raises(GeometryError, match=f"more than the limit of {MAX_AREA_KM2:,.0f} km²"):
        read_coverage_file(geojson_bytes(mapping(huge)))


# --- what the drawing tool writes ---------------------------------------------------------------


def test_drawn_features_keep_their_properties_and_empty_means_none():
    assert read_drawn_geojson("") == []
    assert read_drawn_geojson('{"type": "FeatureCollection", "features": []}') == []
    text = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                feature(mapping(SQUARE), label="Zona norte"),
                feature({"type": "Polygon", "coordinates": [BOW_TIE]}),
            ],
        }
    )
    (first, first_props), (second, second_props) = read_drawn_geojson(text)
    assert first.geometry.equals(SQUARE) and first_props == {"label": "Zona norte"}
    assert second.geometry.is_valid and second.repairs and second_props == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "cannot be read"),
        ('{"type": "FeatureCollection", "features": "x"}', "must be a list of features"),
        (
            json.dumps({"type": "FeatureCollection", "features": [feature(mapping(SQUARE)), feature(None)]}),
            "drawn area 2 has no geometry",
        ),
        (
            json.dumps(feature({"type": "Point", "coordinates": [-92, 15]})),
            "drawn area 1: a coverage area must be a polygon",
        ),
        (json.dumps(feature({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})), "drawn area 1"),
    ],
)
def test_bad_drawings_are_refused_with_the_area_named(text, message):
    with pytest.raises(GeometryError) as caught:
        read_drawn_geojson(text)
    assert message in str(caught.value)
