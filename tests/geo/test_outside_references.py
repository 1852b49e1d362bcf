"""Files that point outside themselves are refused before any reader follows them: a GeoJSON "crs" that
is a link or a URL (geo.geojson_crs, used by every reader of uploads), a KML NetworkLink or XInclude,
and any DTD in KML (external entities, "billion laughs")."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from geo.coverage_input import read_coverage_file
from geo.files import read_vector
from geo.geojson_crs import outside_crs_reference
from geo.validate import GeometryError

SQUARE = [[[-91.6, 15.2], [-91.4, 15.2], [-91.4, 15.4], [-91.6, 15.4], [-91.6, 15.2]]]
POLYGON = {"type": "Polygon", "coordinates": SQUARE}
KML_POLYGON = (
    "<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>"
    "-91.6,15.2 -91.4,15.2 -91.4,15.4 -91.6,15.4 -91.6,15.2"
    "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
)


def collection(crs=None, geometry=POLYGON, properties=None) -> dict:
    document = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties or {}, "geometry": geometry}],
    }
    if crs is not None:
        document["crs"] = crs
    return document


def named(name: str) -> dict:
    return {"type": "name", "properties": {"name": name}}


@pytest.mark.parametrize(
    "crs",
    [
        named("urn:ogc:def:crs:OGC:1.3:CRS84"),
        named("urn:ogc:def:crs:EPSG::4326"),
        named("EPSG:4326"),
        named("http://www.opengis.net/def/crs/EPSG/0/4326"),
        {"type": "EPSG", "properties": {"code": 4326}},
    ],
)
def test_a_coordinate_system_named_by_a_code_is_accepted(crs):
    assert outside_crs_reference(collection(crs)) is None


@pytest.mark.parametrize(
    ("crs", "shown"),
    [
        (
            {"type": "link", "properties": {"href": "http://127.0.0.1:5099/crs", "type": "proj4"}},
            "http://127.0.0.1:5099/crs",
        ),
        ({"type": "link", "properties": {"href": "file:///etc/passwd"}}, "file:///etc/passwd"),
        (named("http://127.0.0.1:5099/crs"), "http://127.0.0.1:5099/crs"),
        (named("/vsicurl/http://127.0.0.1:5099/crs"), "/vsicurl/http://127.0.0.1:5099/crs"),
        (named("/etc/passwd"), "/etc/passwd"),
        (named("http://www.opengis.net.example.org/def/crs/EPSG/0/4326"), "opengis.net.example.org"),
        ({"type": "link"}, "link"),
        ("EPSG:4326", "EPSG:4326"),
    ],
)
def test_a_link_or_a_url_is_an_outside_reference(crs, shown):
    assert shown in outside_crs_reference(collection(crs))


def test_a_crs_on_a_geometry_counts_and_a_property_named_crs_does_not():
    geometry = dict(POLYGON, crs={"type": "link", "properties": {"href": "http://127.0.0.1:5099/g"}})
    assert outside_crs_reference(collection(geometry=geometry)) == "http://127.0.0.1:5099/g"
    assert outside_crs_reference(collection(properties={"crs": {"type": "link", "properties": {"href": "x"}}})) is None


def test_read_vector_refuses_a_crs_link_before_gdal_opens_the_file(tmp_path):
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(collection({"type": "link", "properties": {"href": "http://127.0.0.1:5099/crs"}})))
    with pytest.raises(GeometryError, match="outside the file .http://127.0.0.1:5099/crs"):
        read_vector(path, "GeoJSON")


def test_a_coverage_geojson_with_a_crs_link_is_refused():
    data = json.dumps(collection({"type": "link", "properties": {"href": "http://127.0.0.1:5099/crs"}})).encode()
    with pytest.raises(GeometryError, match="outside the file"):
        read_coverage_file(data, "area.geojson")


def kml(body: str, prolog: str = "", namespaces: str = "") -> bytes:
    return f'<?xml version="1.0"?>{prolog}<kml xmlns="http://www.opengis.net/kml/2.2"{namespaces}>{body}</kml>'.encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            kml(KML_POLYGON + "<NetworkLink><Link><href>http://127.0.0.1:5099/more.kml</href></Link></NetworkLink>"),
            "NetworkLink to 'http://127.0.0.1:5099/more.kml'",
        ),
        (
            kml(
                KML_POLYGON + '<xi:include href="http://127.0.0.1:5099/x.kml"/>',
                namespaces=' xmlns:xi="http://www.w3.org/2001/XInclude"',
            ),
            "XInclude",
        ),
        (
            kml(
                KML_POLYGON.replace("-91.6,15.2 ", "&e; ", 1),
                '<!DOCTYPE kml [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
            ),
            "DTD",
        ),
        (
            kml(
                "<name>&c;</name>" + KML_POLYGON,
                '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>',
            ),
            "DTD",
        ),
    ],
)
def test_kml_that_points_outside_itself_is_refused(data, reason):
    with pytest.raises(GeometryError, match=reason):
        read_coverage_file(data, "area.kml")


def test_kmz_with_a_network_link_is_refused_too():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as kmz:
        kmz.writestr("doc.kml", kml("<NetworkLink><Link><href>http://127.0.0.1:5099/a.kml</href></Link></NetworkLink>"))
    with pytest.raises(GeometryError, match="NetworkLink"):
        read_coverage_file(archive.getvalue(), "area.kmz")


def test_plain_kml_still_reads():
    assert read_coverage_file(kml(KML_POLYGON), "area.kml").geometry.area > 0
