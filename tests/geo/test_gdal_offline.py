"""GDAL kept off the network for the whole process (geo.gdal_offline): what an unguarded GDAL does with a
GeoJSON "crs" link or a /vsicurl/ name (it connects: measured in a fresh Python process), and that with
the guard nothing reaches a listener on 127.0.0.1, in a fresh process and in this one."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pyogrio
import pyproj
import pytest

from geo import gdal_offline
from tests.network_listener import Listener

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POINT = {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [-99.1, 19.4]}}


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def crs_link_file(folder: Path, href: str) -> Path:
    path = folder / "link.geojson"
    crs = {"type": "link", "properties": {"href": href, "type": "proj4"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": [POINT]}))
    return path


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False
    )


READ_BOTH = """
import warnings, pyogrio
warnings.simplefilter("ignore")
pyogrio.read_dataframe({crs_file!r})
try:
    pyogrio.read_info({vsicurl!r})
except pyogrio.errors.DataSourceError as exc:
    print("refused:", exc)
"""


def test_without_the_guard_gdal_connects_and_with_it_nothing_does(tmp_path, listener):
    """The attack is real (so this test can fail), and importing geo.gdal_offline stops it at the root."""
    code = READ_BOTH.format(
        crs_file=str(crs_link_file(tmp_path, listener.url("crs"))), vsicurl="/vsicurl/" + listener.url("v.geojson")
    )
    unguarded = run_python(code)
    assert unguarded.returncode == 0, unguarded.stderr
    requests = listener.connections()
    assert any(b"GET /crs" in r for r in requests) and any(b"/v.geojson" in r for r in requests), requests

    quiet = Listener()
    try:
        code = READ_BOTH.format(
            crs_file=str(crs_link_file(tmp_path, quiet.url("crs"))), vsicurl="/vsicurl/" + quiet.url("v.geojson")
        )
        guarded = run_python("import geo.gdal_offline\n" + code)
        assert guarded.returncode == 0, guarded.stderr
        assert "refused:" in guarded.stdout
        assert quiet.connections() == []
    finally:
        quiet.close()


def test_the_guard_is_in_force_in_this_process():
    assert gdal_offline.network_forbidden(), gdal_offline.offline_problem()
    assert pyogrio.get_gdal_config_option("CPL_VSIL_CURL_ALLOWED_FILENAME") == gdal_offline.NO_NETWORK_FILENAME
    assert pyogrio.get_gdal_config_option("PROJ_NETWORK") is False  # pyogrio reads "OFF" back as False
    assert not pyproj.network.is_network_enabled()


def test_a_crs_link_is_not_fetched_and_the_refusal_is_recorded(tmp_path, listener):
    href = listener.url("crs-in-process")
    frame = pyogrio.read_dataframe(crs_link_file(tmp_path, href))
    assert len(frame) == 1
    assert listener.connections() == []
    assert href in gdal_offline.refused_urls()


@pytest.mark.parametrize(
    "name",
    [
        "/vsicurl/{url}.geojson",
        "/vsicurl_streaming/{url}.geojson",
        "/vsicurl?url={url}.geojson",
        "{url}.geojson",  # GDAL reads a plain URL through /vsicurl/
        "/vsizip//vsicurl/{url}.zip",
        "/vsis3/bucket/x.geojson",  # with the S3 endpoint set to the listener below
        "/vsigs/bucket/x.geojson",
        "/vsiaz/container/x.geojson",
        "/vsiwebhdfs/{url}/webhdfs/v1/x.geojson",
    ],
)
def test_no_network_file_name_is_opened(listener, name):
    endpoint = f"127.0.0.1:{listener.port}"
    cloud = {
        "AWS_S3_ENDPOINT": endpoint,
        "AWS_HTTPS": "NO",
        "AWS_VIRTUAL_HOSTING": "FALSE",
        "AWS_NO_SIGN_REQUEST": "YES",
        "CPL_GS_ENDPOINT": f"http://{endpoint}/",
        "GS_NO_SIGN_REQUEST": "YES",
        "AZURE_STORAGE_CONNECTION_STRING": (
            f"DefaultEndpointsProtocol=http;AccountName=a;AccountKey=YWJj;BlobEndpoint=http://{endpoint}/a;"
        ),
    }
    pyogrio.set_gdal_config_options(cloud)
    try:
        with warnings.catch_warnings(), pytest.raises(pyogrio.errors.DataSourceError):
            warnings.simplefilter("ignore")
            pyogrio.read_info(name.format(url=listener.url("x")))
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(cloud))
    assert listener.connections() == []


def test_the_self_check_notices_a_missing_setting():
    pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_ALLOWED_FILENAME": None})
    try:
        assert not gdal_offline.network_forbidden()
        assert "CPL_VSIL_CURL_ALLOWED_FILENAME" in gdal_offline.offline_problem()
    finally:
        gdal_offline.forbid_network()
    assert gdal_offline.network_forbidden()
