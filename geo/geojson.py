"""GeoJSON text built straight from shapely geometries (shapely.to_geojson runs in C), with
properties serialised HTML-safe: `<`, `>`, `&`, `'`, backtick and `$` are written as \\u escapes, so a string
from an entry cannot close a <script> block wherever the JSON lands.

Coordinates are written on a grid of `precision` decimals through geo.simplify.on_grid, which
keeps polygons valid (rounding each coordinate on its own can make a ring cross itself or
collapse to a line)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial

import shapely
from jinja2.utils import htmlsafe_json_dumps
from shapely.geometry.base import BaseGeometry

from geo.simplify import on_grid

_compact = partial(json.dumps, separators=(",", ":"), ensure_ascii=False)


def safe_json(value) -> str:
    """Compact, HTML-safe JSON of plain data. Backticks and dollar signs are \\u-escaped too, so
    that no JSON text ever contains what would end a JavaScript template literal."""
    return str(htmlsafe_json_dumps(value, dumps=_compact)).replace("`", "\\u0060").replace("$", "\\u0024")


def feature(feature_id: str | int, properties: dict, geometry: BaseGeometry | None, precision: int = 5) -> str:
    """One GeoJSON Feature as text; coordinates on a grid of `precision` decimals, polygons valid."""
    geometry_json = "null" if geometry is None else shapely.to_geojson(on_grid(geometry, 10**-precision))
    head = f'{{"type":"Feature","id":{safe_json(feature_id)},"properties":{safe_json(properties)}'
    return f'{head},"geometry":{geometry_json}}}'


def point_feature(feature_id: str | int, properties: dict, lon: float, lat: float) -> str:
    """A Point feature without building a shapely object (markers come by the thousand)."""
    return (
        f'{{"type":"Feature","id":{safe_json(feature_id)},"properties":{safe_json(properties)},'
        f'"geometry":{{"type":"Point","coordinates":[{lon:.5f},{lat:.5f}]}}}}'
    )


def feature_collection(features: Iterable[str]) -> str:
    """A FeatureCollection from features made by `feature` or `point_feature`."""
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
