"""GDAL's OAPIF driver (the one QGIS uses) reads every collection of the OGC API from a live server:
every feature, in several pages, and with a bbox.

GDAL runs in a child process, as in QGIS: the application keeps GDAL off the network in its own
process (geo.gdal_offline), and the test process has imported the application."""

from __future__ import annotations

import json
import multiprocessing
import urllib.request

import pytest

COLLECTIONS = ("organisations", "consulates", "districts")
PAGE_SIZE = 37  # small pages: GDAL follows the next links many times


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
        return {"ids": list(result["id"]), "geometries": bool(result.geometry.notna().all()), "crs": result.crs}
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
