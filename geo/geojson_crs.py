"""The "crs" members of a GeoJSON document that would send a reader outside the file.

GeoJSON (RFC 7946) has no "crs": it is always longitude/latitude on WGS 84. The older 2008 format let a
document (and each geometry) name its coordinate system, or give a link to it; GDAL fetches such a link
over HTTP (OGRSpatialReference::importFromUrl). Every upload is checked with outside_crs_reference
before GDAL opens it: only a coordinate system named by a code is accepted (EPSG:4326, an OGC URN, or
an opengis.net/def/crs identifier, which GDAL resolves from its own database without fetching it).
"""

from __future__ import annotations

import re

_CODE = re.compile(
    r"""^(
        epsg:\d{1,6}
      | urn:ogc:def:crs:[a-z0-9.]{1,20}:[0-9.]{0,10}:[a-z0-9]{1,20}
      | https?://www\.opengis\.net/def/crs/[a-z0-9]{1,20}/[0-9.]{1,10}/[a-z0-9]{1,20}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_NOT_GEOMETRY = frozenset({"properties", "coordinates", "bbox"})
"""Members never read as a coordinate system (feature attributes are data, whatever their names)."""


def outside_crs_reference(document) -> str | None:
    """The first "crs" member of a parsed GeoJSON document (at its top, on a feature or on a
    geometry) that is not a coordinate system code, as a short text for a message; None when
    every "crs" is a code or there is none. A link gives its href; anything else its JSON."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, dict | list))
            continue
        if not isinstance(node, dict):
            continue
        if "crs" in node and node["crs"] is not None and not _is_code(node["crs"]):
            return _describe(node["crs"])
        stack.extend(value for key, value in node.items() if key not in _NOT_GEOMETRY and key != "crs")
    return None


def _is_code(crs) -> bool:
    if not isinstance(crs, dict) or not isinstance(crs.get("properties"), dict):
        return False
    kind, properties = crs.get("type"), crs["properties"]
    if kind == "name":
        return isinstance(properties.get("name"), str) and bool(_CODE.match(properties["name"].strip()))
    if kind == "EPSG":  # GeoJSON 2008 drafts: {"type": "EPSG", "properties": {"code": 4326}}
        return isinstance(properties.get("code"), int) and not isinstance(properties.get("code"), bool)
    return False


def _describe(crs) -> str:
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        for key in ("href", "name", "url", "code"):
            if properties_value := crs["properties"].get(key):
                return str(properties_value)[:120]
    return repr(crs)[:120]
