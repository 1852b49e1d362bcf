"""GDAL's OAPIF driver (the one QGIS uses; here the GDAL inside pyogrio, newer than Debian's, which
test_ogc_clients.py runs) reads every collection of the OGC API from a live server: every feature, in
several pages, with a bbox, in EPSG:3857 asked of the server, and with a filter it sends as CQL.

GDAL runs in a child process, as in QGIS: the application keeps GDAL off the network in its own
process (geo.gdal_offline), and the test process has imported the application."""

from __future__ import annotations

import json
import multiprocessing
import urllib.request
from urllib.parse import quote

import pytest

COLLECTIONS = ("organisations", "consulates", "districts")
PAGE_SIZE = 37  # small pages: GDAL follows the next links many times
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def _json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1 test server
        return json.load(response)


def _ids_from_api(base: str, collection: str, bbox: str | None = None) -> list[str]:
    """Every feature id of a collection, read by following our own next links."""
    url = f"{base}/ogc/collections/{collection}/items?limit=1000" + (f"&bbox={bbox}" if bbox else "")
    ids: list[str] = []
    while url:
        page = _json(url)
        ids += [feature["id"] for feature in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(ids) == page["numberMatched"]
    return ids


def _gdal_in_child(function: str, *args, **kwargs):
    """pyogrio.<function>(*args, **kwargs) in a new Python process (GDAL with its network on)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_call_pyogrio, (function, args, kwargs))


def _call_pyogrio(function: str, args: tuple, kwargs: dict):
    import pyogrio

    result = getattr(pyogrio, function)(*args, **kwargs)
    if function == "read_dataframe":  # what the tests look at, without pickling a GeoDataFrame
        points = result.geometry.geom_type.eq("Point").all()
        return {
            "ids": list(result["id"]),
            "geometries": bool(result.geometry.notna().all()),
            "crs": result.crs,
            "xy": dict(zip(result["id"], zip(result.geometry.x, result.geometry.y))) if points else {},
        }
    return result


def test_gdal_lists_the_collections(api_server):
    layers = {name for name, _kind in _gdal_in_child("list_layers", f"OAPIF:{api_server}/ogc")}
    assert layers == set(COLLECTIONS)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_gdal_reads_every_feature_in_pages(api_server, collection):
    expected = _ids_from_api(api_server, collection)
    assert expected
    frame = _gdal_in_child(
        "read_dataframe", f"OAPIF:{api_server}/ogc", layer=collection, fid_as_index=False, PAGE_SIZE=str(PAGE_SIZE)
    )
    assert len(frame["ids"]) == len(expected) > PAGE_SIZE
    assert sorted(frame["ids"]) == sorted(expected)
    assert frame["geometries"]
    assert frame["crs"] is None or frame["crs"].to_epsg() in (4326, None)


@pytest.mark.parametrize(
    ("collection", "bbox"),
    [
        ("organisations", (-100.0, 14.0, -86.0, 22.0)),
        ("consulates", (-125.0, 30.0, -100.0, 50.0)),
        ("districts", (-90.0, 13.0, -87.0, 16.0)),
    ],
)
def test_gdal_reads_a_bbox(api_server, collection, bbox):
    expected = set(_ids_from_api(api_server, collection, ",".join(map(str, bbox))))
    everything = set(_ids_from_api(api_server, collection))
    assert expected and expected < everything
    frame = _gdal_in_child(
        "read_dataframe",
        f"OAPIF:{api_server}/ogc",
        layer=collection,
        bbox=bbox,
        fid_as_index=False,
        PAGE_SIZE=str(PAGE_SIZE),
    )
    got = set(frame["ids"])
    if collection == "districts":  # GDAL tests the simplified geometry it received again on its side
        assert got and got <= expected
    else:
        assert got == expected


def test_gdal_asks_the_server_for_epsg_3857(api_server):
    """GDAL's CRS open option (Part 2): GDAL asks for crs=EPSG:3857 and takes the coordinates as sent."""
    expected = {
        f["id"]: f["geometry"]["coordinates"]
        for f in _json(f"{api_server}/ogc/collections/consulates/items?limit=1000&crs=" + EPSG_3857)["features"]
    }
    frame = _gdal_in_child(
        "read_dataframe", f"OAPIF:{api_server}/ogc", layer="consulates", CRS="EPSG:3857", PAGE_SIZE="1000"
    )
    assert frame["crs"].to_epsg() == 3857
    assert frame["xy"] and {key: list(xy) for key, xy in frame["xy"].items()} == expected


def test_gdal_filters_through_the_server(api_server):
    """A `where` GDAL can express in CQL reaches the server as a filter: the same features as the API's."""
    url = f"{api_server}/ogc/collections/organisations/items?limit=1000&filter=" + quote("country = 'MX'")
    expected = {f["id"] for f in _json(url)["features"]}
    frame = _gdal_in_child(
        "read_dataframe", f"OAPIF:{api_server}/ogc", layer="organisations", where="country = 'MX'", PAGE_SIZE="1000"
    )
    assert expected and set(frame["ids"]) == expected
