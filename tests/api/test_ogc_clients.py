"""The OGC API read by the clients people use, against a live server of the app (tests/api/conftest.py's
api_server, on both databases): Debian's GDAL command-line tools (ogr2ogr, the OAPIF driver QGIS users
also have) and OWSLib. They read every collection, filter with CQL2 (GDAL turns its -where into a
`filter` it sends), get EPSG:3857, and are refused unknown parameters; OWSLib also sends 6-number and
antimeridian boxes, datetime and sortby. GDAL's command-line tools come from Debian's gdal-bin (.ci/run
installs it); without them the tests fail under CI=true."""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 - the GDAL tools, with fixed arguments
import urllib.parse
import urllib.request

import pytest
from owslib.ogcapi.features import Features

COLLECTIONS = ("organisations", "consulates", "districts")
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def _json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1 test server
        return json.load(response)


def _api_features(base: str, collection: str, **params) -> list[dict]:
    """Every feature the API answers for these parameters, following its next links."""
    url = f"{base}/ogc/collections/{collection}/items?" + urllib.parse.urlencode({"limit": 1000, **params})
    features: list[dict] = []
    while url:
        page = _json(url)
        features += page["features"]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(features) == page["numberMatched"]
    return features


def _gdal_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} (Debian's gdal-bin) is required under CI=true")
        pytest.skip(f"{name} not installed (apt-get install gdal-bin)")
    return path


def _ogr2ogr(tmp_path, base: str, collection: str, *options: str) -> tuple[list[dict], str]:
    """The features ogr2ogr copies from the API into a GeoJSON file, and its debug output."""
    out = tmp_path / f"{collection}.geojson"
    out.unlink(missing_ok=True)
    command = [
        _gdal_tool("ogr2ogr"),
        "-f",
        "GeoJSON",
        str(out),
        f"OAPIF:{base}/ogc",
        collection,
        "-oo",
        "PAGE_SIZE=1000",
        "--debug",
        "ON",
        *options,
    ]
    environment = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=environment)  # noqa: S603  # nosec B603
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ERROR" not in done.stderr, done.stderr[-2000:]
    return json.loads(out.read_text())["features"], done.stderr


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ogr2ogr_copies_every_feature(api_server, tmp_path, collection):
    expected = _api_features(api_server, collection)
    copied, _log = _ogr2ogr(tmp_path, api_server, collection)
    assert sorted(f["properties"]["id"] for f in copied) == sorted(f["id"] for f in expected)
    assert all(f["geometry"] for f in copied)


def test_ogrinfo_lists_the_collections(api_server):
    done = subprocess.run(  # noqa: S603  # nosec B603
        [_gdal_tool("ogrinfo"), "-ro", "-so", f"OAPIF:{api_server}/ogc"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for number, collection in enumerate(COLLECTIONS, start=1):
        assert f"{number}: {collection}" in done.stdout


def test_ogr2ogr_sends_its_where_to_the_server_as_cql(api_server, tmp_path):
    """GDAL reads the OpenAPI document, finds the filter languages, and sends its -where as a filter:
    the server's answer is what the API gives for the same CQL2."""
    copied, log = _ogr2ogr(tmp_path, api_server, "organisations", "-where", "country = 'GT'")
    assert "filter=country" in log and "filter-lang=cql-text" in log
    expected = _api_features(api_server, "organisations", filter="country = 'GT'")
    assert expected and sorted(f["properties"]["id"] for f in copied) == sorted(f["id"] for f in expected)


def test_ogr2ogr_reprojects_as_the_server_does(api_server, tmp_path):
    """GDAL's own reprojection to EPSG:3857 (PROJ, client side) matches the server's crs=EPSG:3857."""
    copied, _log = _ogr2ogr(tmp_path, api_server, "consulates", "-t_srs", "EPSG:3857")
    server = {f["id"]: f["geometry"]["coordinates"] for f in _api_features(api_server, "consulates", crs=EPSG_3857)}
    assert len(server) == len(copied)
    for feature in copied:
        x, y = feature["geometry"]["coordinates"]
        sx, sy = server[feature["properties"]["id"]]
        assert abs(x - sx) < 0.02 and abs(y - sy) < 0.02


@pytest.fixture
def owslib(api_server) -> Features:
    return Features(f"{api_server}/ogc", timeout=120)


def _owslib_all(client: Features, collection: str, **params) -> list[dict]:
    """Every feature through OWSLib, page after page (limit and offset)."""
    features, offset = [], 0
    while True:
        page = client.collection_items(collection, limit=500, offset=offset, **params)
        features += page["features"]
        offset += 500
        if offset >= page["numberMatched"]:
            return features


def test_owslib_reads_every_collection(api_server, owslib):
    assert owslib.feature_collections() == list(COLLECTIONS)
    conforms = owslib.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in conforms
    for collection in COLLECTIONS:
        assert owslib.collection(collection)["storageCrs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        assert "geometry" in owslib.collection_queryables(collection)["properties"]
        read = _owslib_all(owslib, collection)
        assert sorted(f["id"] for f in read) == sorted(f["id"] for f in _api_features(api_server, collection))


def test_owslib_filters_with_cql2_and_asks_for_epsg_3857(api_server, owslib):
    text = _owslib_all(owslib, "organisations", filter="country = 'GT' AND exact_position = true")
    assert text and all(f["properties"]["country"] == "GT" and f["properties"]["exact_position"] for f in text)
    as_json = json.dumps(
        {
            "op": "and",
            "args": [
                {"op": "=", "args": [{"property": "country"}, "GT"]},
                {"op": "=", "args": [{"property": "exact_position"}, True]},
            ],
        }
    )
    same = _owslib_all(owslib, "organisations", filter=as_json, **{"filter-lang": "cql2-json"})
    assert sorted(f["id"] for f in same) == sorted(f["id"] for f in text)
    spatial = _owslib_all(owslib, "districts", filter="S_INTERSECTS(geometry, POINT(-90.5 14.6))")
    assert spatial
    mercator = owslib.collection_items("consulates", limit=5, crs=EPSG_3857)
    assert owslib.response_headers["Content-Crs"] == f"<{EPSG_3857}>"
    assert all(abs(f["geometry"]["coordinates"][0]) > 180 for f in mercator["features"])


def test_owslib_boxes_datetime_and_sortby(owslib):
    four = _owslib_all(owslib, "consulates", bbox=[-125, 30, -100, 50])
    six = _owslib_all(owslib, "consulates", bbox=[-125, 30, 0, -100, 50, 100])
    assert four and [f["id"] for f in six] == [f["id"] for f in four]
    across = _owslib_all(owslib, "consulates", bbox=[170, 0, -80, 60])
    west = _owslib_all(owslib, "consulates", bbox=[-180, 0, -80, 60])
    assert across and [f["id"] for f in across] == [f["id"] for f in west]
    updated = _owslib_all(owslib, "organisations", datetime_="2000-01-01T00:00:00Z/..")
    assert len(updated) == len(_owslib_all(owslib, "organisations"))
    assert _owslib_all(owslib, "organisations", datetime_="../2000-01-01") == []
    ordered = _owslib_all(owslib, "districts", sortby=("area_km2", "desc"))  # OWSLib writes -area_km2
    areas = [f["properties"]["area_km2"] for f in ordered]
    assert areas == sorted(areas, reverse=True)


@pytest.mark.parametrize(
    "params",
    [{"limt": 5}, {"sort": "name"}, {"datetime": "yesterday"}, {"filter": "nope = 1"}, {"crs": "EPSG:3857"}],
)
def test_owslib_is_refused_what_the_api_does_not_know(owslib, params):
    with pytest.raises(RuntimeError, match="InvalidParameterValue"):
        owslib.collection_items("organisations", **params)
