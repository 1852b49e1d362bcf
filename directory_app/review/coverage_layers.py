"""A snapshot's coverage as GeoJSON features, for the proposal page's map (what the proposal removes,
keeps and adds, told apart by colour and line), and the same comparison in words for the page's
lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.organisations.coverage_words import PlaceNames, part_words
from geo.coverage import circle
from geo.simplify import display_geometry
from geo.validate import GeometryError, geometry_from_geojson

DISPLAY_TOLERANCE = 0.01  # degrees: enough for comparing two coverages on one small map
DISPLAY_GRID = 0.0001  # degrees, about 11 m; geo.simplify keeps the simplified shapes valid on it


def describe_part(part: dict[str, Any], snapshot: dict[str, Any], names: PlaceNames | None = None) -> str:
    """One coverage part in words, in the reader's language (organisations.coverage_words)."""
    return part_words(part, snapshot, names)


@dataclass(frozen=True)
class CoverageComparison:
    """The published and the proposed coverage part by part, in words: what only the published
    version has (removed), what both have (kept) and what only the proposal has (added)."""

    removed: list[str]
    kept: list[str]
    added: list[str]


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def part_key(part: dict[str, Any], snapshot: dict[str, Any] | None) -> str:
    """What a part covers, to compare two versions: its unit, its country, its drawn shape, or its
    radius and the position of its site (a radius around a site that moved covers another area)."""
    kind = part.get("kind")
    if kind == "admin_unit":
        return json.dumps([kind, str(part.get("unit") or "").upper()])
    if kind == "country":
        return json.dumps([kind, str(part.get("country") or "").upper()])
    if kind == "radius":
        sites = (snapshot or {}).get("locations") or []
        index = part.get("location", 0)
        site = sites[index] if isinstance(index, int) and 0 <= index < len(sites) else {}
        where = [_number(site.get("lon")), _number(site.get("lat"))] if isinstance(site, dict) else []
        return json.dumps([kind, _number(part.get("radius_km")), *where], default=str)
    return json.dumps([kind, part.get("geometry")], sort_keys=True, default=str)


def _parts(snapshot: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [p for p in (snapshot or {}).get("coverage") or [] if isinstance(p, dict)]


def compare_coverage(current: dict[str, Any] | None, proposed: dict[str, Any]) -> CoverageComparison:
    names = PlaceNames()
    old = {part_key(p, current): p for p in _parts(current)}
    new = {part_key(p, proposed): p for p in _parts(proposed)}
    return CoverageComparison(
        removed=[describe_part(p, current or {}, names) for key, p in old.items() if key not in new],
        kept=[describe_part(p, proposed, names) for key, p in new.items() if key in old],
        added=[describe_part(p, proposed, names) for key, p in new.items() if key not in old],
    )


def _geometry(part: dict[str, Any], snapshot: dict[str, Any]) -> shapely.Geometry | None:
    kind = part.get("kind")
    if kind == "admin_unit":
        wkb = db.session.scalar(
            select(AdminUnit.display_wkb).where(AdminUnit.code == str(part.get("unit") or "").upper())
        )
        return shapely.from_wkb(wkb) if wkb else None
    if kind == "country":
        wkb = db.session.scalar(select(Country.display_wkb).where(Country.code == str(part.get("country") or "")))
        return shapely.from_wkb(wkb) if wkb else None
    if kind == "radius":
        sites = snapshot.get("locations") or []
        index = part.get("location", 0)
        if not isinstance(index, int) or not 0 <= index < len(sites):
            return None
        return circle(float(sites[index]["lon"]), float(sites[index]["lat"]), float(part.get("radius_km")))
    geometry = part.get("geometry")
    return geometry_from_geojson(geometry) if isinstance(geometry, dict) else None


def coverage_features(snapshot: dict[str, Any] | None, layer: str, names: PlaceNames | None = None) -> list[dict]:
    """GeoJSON features of the snapshot's coverage parts, each with properties {layer, label}."""
    return [feature for _key, feature in _keyed_features(snapshot, layer, names or PlaceNames())]


def _keyed_features(snapshot: dict[str, Any] | None, layer: str, names: PlaceNames) -> list[tuple[str, dict]]:
    features = []
    for part in _parts(snapshot):
        try:
            geometry = _geometry(part, snapshot)
        except (GeometryError, TypeError, ValueError, KeyError):
            geometry = None
        if geometry is None or geometry.is_empty:
            continue
        simplified = display_geometry(geometry, tolerance=DISPLAY_TOLERANCE, grid=DISPLAY_GRID)
        feature = {
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(simplified)),
            "properties": {"layer": layer, "label": describe_part(part, snapshot, names)},
        }
        features.append((part_key(part, snapshot), feature))
    return features


def comparison_features(current: dict[str, Any] | None, proposed: dict[str, Any]) -> list[dict[str, Any]]:
    """The features of the review map: the published parts the proposal drops ("removed"), the
    parts both have ("kept", drawn once) and the parts it adds ("added"), in property `change`;
    `layer` says which version a feature was drawn from (current or proposed)."""
    names = PlaceNames()
    published = _keyed_features(current, "current", names)
    offered = _keyed_features(proposed, "proposed", names)
    old_keys, new_keys = {key for key, _f in published}, {key for key, _f in offered}
    features = []
    for key, feature in published:
        if key not in new_keys:
            feature["properties"]["change"] = "removed"
            features.append(feature)
    for key, feature in offered:
        feature["properties"]["change"] = "kept" if key in old_keys else "added"
        features.append(feature)
    return features
