"""The drawing field of the coverage editor, and why areas already saved travel by reference.

Flask refuses a form field over MAX_FORM_MEMORY_SIZE (500 kB by default) with 413. An area uploaded
earlier may have tens of thousands of vertices, so sending every saved area back with each save would
make such an organisation's coverage impossible to edit. So each saved polygon is put in the field
with a `keep` key (a hash of its GeoJSON); the editor script sends an unchanged polygon back as
{geometry: null, properties: {keep, label}}, and only new or reshaped polygons in full. The server
finds kept polygons among the parts the form was opened on (the same parts must be given on GET and
POST: the page's version check guards against them changing in between).

A saved MultiPolygon is offered as one feature per polygon (the drawing tool edits single polygons);
kept polygons of one saved part are joined again into one part when nothing else changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape

from geo.validate import GeometryError

MAX_FIELD_FEATURES = 500


@dataclass(frozen=True)
class SavedPolygon:
    geometry: dict  # GeoJSON Polygon
    label: str
    part: int  # index of the saved part it comes from


def polygon_key(geometry: dict) -> str:
    """A short, stable hash of a GeoJSON geometry."""
    return hashlib.sha256(json.dumps(geometry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:20]


def saved_polygons(parts: list[dict]) -> dict[str, SavedPolygon]:
    """The polygons of the polygon parts, by key, in order."""
    found: dict[str, SavedPolygon] = {}
    for index, part in enumerate(parts):
        if part.get("kind") != "polygon" or not isinstance(part.get("geometry"), dict):
            continue
        geometry = part["geometry"]
        polygons = geometry["coordinates"] if geometry.get("type") == "MultiPolygon" else [geometry.get("coordinates")]
        for rings in polygons:
            single = {"type": "Polygon", "coordinates": rings}
            found.setdefault(polygon_key(single), SavedPolygon(single, part.get("label") or "", index))
    return found


def field_text(saved: dict[str, SavedPolygon]) -> str:
    """The drawing field's value for the saved polygons, each with its key (empty when none)."""
    if not saved:
        return ""
    features = [
        {"type": "Feature", "geometry": p.geometry, "properties": {"label": p.label, "keep": key}}
        for key, p in saved.items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def hydrate(text: str, saved: dict[str, SavedPolygon]) -> str:
    """The field's posted value with kept references filled in again, so that a page shown again
    after an error still draws them. Text that is not a feature collection is returned as it is."""
    features = _features(text)
    if features is None or not any(_kept_key(f) for f in features):
        return text
    for feature in features:
        key = _kept_key(feature)
        if key in saved and not feature.get("geometry"):
            feature["geometry"] = saved[key].geometry
    return json.dumps({"type": "FeatureCollection", "features": features})


@dataclass(frozen=True)
class KeptArea:
    geometry: shapely.Geometry
    label: str
    part: int  # the saved part it comes from
    whole: bool  # every polygon of that part is kept: the part is unchanged


def split_kept(text: str, saved: dict[str, SavedPolygon]) -> tuple[list[KeptArea], str]:
    """Kept polygons (joined again per saved part) and the text of the other features, for
    geo.coverage_input.read_drawn_geojson. GeometryError for a reference to a polygon that is not
    among the saved ones."""
    features = _features(text)
    if features is None:
        return [], text
    if len(features) > MAX_FIELD_FEATURES:
        raise GeometryError("too_many_drawn_areas", limit=MAX_FIELD_FEATURES)
    kept: dict[int, list[str]] = {}
    others = []
    for feature in features:
        key = _kept_key(feature)
        if key and key not in saved:
            raise GeometryError("saved_area_changed")
        if key and (not feature.get("geometry") or polygon_key(feature["geometry"]) == key):
            kept.setdefault(saved[key].part, []).append(key)
        else:
            others.append(feature)
    areas = []
    for part, keys in kept.items():
        label = str(_label_of(features, keys[0]) or saved[keys[0]].label)
        whole = set(keys) == {k for k, p in saved.items() if p.part == part}
        areas.append(KeptArea(shapely.union_all([shape(saved[k].geometry) for k in keys]), label, part, whole))
    rest = json.dumps({"type": "FeatureCollection", "features": others}) if others else ""
    return areas, rest


def _features(text: str) -> list[dict] | None:
    try:
        data = json.loads(text) if text and text.strip() else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return None
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        return None
    return features


def _kept_key(feature: dict[str, Any]) -> str | None:
    properties = feature.get("properties")
    key = properties.get("keep") if isinstance(properties, dict) else None
    return key if isinstance(key, str) and key else None


def _label_of(features: list[dict], key: str) -> str | None:
    for feature in features:
        if _kept_key(feature) == key:
            label = (feature.get("properties") or {}).get("label")
            return str(label)[:200] if label else None
    return None
