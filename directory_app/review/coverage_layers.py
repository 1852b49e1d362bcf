"""A snapshot's coverage as GeoJSON features, for the proposal page's map (current and proposed
coverage as two layers) and its table equivalent."""

from __future__ import annotations

import json
from typing import Any

import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from geo.coverage import circle
from geo.simplify import display_geometry
from geo.validate import GeometryError, geometry_from_geojson

DISPLAY_TOLERANCE = 0.01  # degrees: enough for comparing two coverages on one small map
DISPLAY_GRID = 0.0001  # degrees, about 11 m; geo.simplify keeps the simplified shapes valid on it


def describe_part(part: dict[str, Any], snapshot: dict[str, Any]) -> str:
    """One coverage part in words ("admin unit MX-CHP", "50 km around site 1"...)."""
    kind = part.get("kind")
    label = f" · {part['label']}" if part.get("label") else ""
    if kind == "admin_unit":
        return f"admin unit {part.get('unit')}{label}"
    if kind == "country":
        return f"country {part.get('country')}{label}"
    if kind == "radius":
        index = part.get("location", 0)
        sites = snapshot.get("locations") or []
        site = sites[index].get("name") if isinstance(index, int) and 0 <= index < len(sites) else "?"
        return f"{part.get('radius_km')} km around site {index + 1 if isinstance(index, int) else '?'} ({site}){label}"
    return f"polygon{label}"


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


def coverage_features(snapshot: dict[str, Any] | None, layer: str) -> list[dict[str, Any]]:
    """GeoJSON features of the snapshot's coverage parts, each with properties {layer, label}."""
    features = []
    for part in (snapshot or {}).get("coverage") or []:
        try:
            geometry = _geometry(part, snapshot)
        except (GeometryError, TypeError, ValueError, KeyError):
            geometry = None
        if geometry is None or geometry.is_empty:
            continue
        simplified = display_geometry(geometry, tolerance=DISPLAY_TOLERANCE, grid=DISPLAY_GRID)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(simplified)),
                "properties": {"layer": layer, "label": describe_part(part, snapshot)},
            }
        )
    return features
