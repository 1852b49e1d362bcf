"""Coverage areas from what a person gives the editor: an uploaded GeoJSON, KML or KMZ file, or the
GeoJSON that the drawing tool writes. The result is one valid polygonal geometry in lon/lat and the
list of repairs made, in words; anything unusable raises GeometryError saying why.

The format is decided from the content, never from the file name (a CSV or a PNG named .geojson is
refused as what it is).

KML is parsed by geo.kml with defusedxml's ElementTree rather than handed to GDAL: a coverage file needs
only the <Polygon> elements, and that small reader cannot be tricked into following a NetworkLink
(LIBKML fetches them), reading a VRT disguised as .kml, or expanding entities (defusedxml refuses any
DTD, so no external entity and no "billion laughs"; a NetworkLink or an XInclude is refused). A GeoJSON
"crs" that is a link or a URL is refused as well (geo.geojson_crs), although no GDAL reads these files.
KMZ is a zip: only its first .kml member is read, and never more than MAX_FILE_BYTES of it, whatever
size the archive announces.

Costs are capped before any work that could hang: file size first, then the vertex count (counted
while reading), then is_valid (cheap); make_valid runs only on at most MAX_REPAIR_VERTICES vertices
(about 0.6 s for 20,000 on this hardware; 200,000 did not finish in ten minutes).
"""

from __future__ import annotations

import io
import json
import zipfile

import shapely

from geo.geojson_crs import outside_crs_reference
from geo.kml import polygons_from_kml
from geo.projection import area_km2
from geo.validate import MAX_VERTICES, CheckedGeometry, GeometryError, check_polygonal, polygonal_part

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_REPAIR_VERTICES = 20_000
MAX_AREA_KM2 = 12_000_000.0
"""Larger than any member country (Canada, about 10 million km²): a bigger area is a mistake, or
should be given as whole countries."""
SLIVER_SHARE = 1e-5
"""Parts left by a repair that are smaller than this share of the whole are dropped as slivers."""

_BOM = b"\xef\xbb\xbf"
_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"SQLite format 3": "an SQLite database or GeoPackage",
    b"\xd0\xcf\x11\xe0": "an old Office document",
}


def read_coverage_file(data: bytes, filename: str = "") -> CheckedGeometry:
    """The coverage area in an uploaded GeoJSON, KML or KMZ file's bytes, repaired when safe.

    GeometryError says why a file is refused: too big, empty, of another format, unreadable, with
    no polygon, too many vertices, coordinates out of range, or an area too large."""
    name = f" {filename!r}" if filename else ""
    if len(data) > MAX_FILE_BYTES:
        raise GeometryError(f"the file{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    kind = detect_coverage_format(data)
    if kind == "KMZ":
        data, kind = _kml_from_kmz(data), "KML"
    geometry = polygons_from_kml(data, MAX_VERTICES) if kind == "KML" else _geometry_from_geojson_bytes(data)
    return check_coverage_geometry(geometry)


def read_drawn_geojson(text: str) -> list[tuple[CheckedGeometry, dict]]:
    """The areas drawn on the editor's map: a GeoJSON FeatureCollection (or one Feature or Geometry)
    as text. Returns each feature's checked geometry with its properties; an empty text or an empty
    collection gives an empty list."""
    text = (text or "").strip()
    if not text:
        return []
    if len(text.encode()) > MAX_FILE_BYTES:
        raise GeometryError(f"the drawn areas are larger than {MAX_FILE_BYTES // (1024 * 1024)} MB of GeoJSON")
    obj = _load_json(text)
    features = _features_of(obj)
    total = sum(_count_vertices((f.get("geometry") or {}).get("coordinates")) for f in features)
    if total > MAX_VERTICES:
        raise GeometryError(f"the drawn areas have {total:,} vertices; the limit is {MAX_VERTICES:,}")
    results = []
    for number, feature in enumerate(features, start=1):
        geometry = _shape(feature.get("geometry"), f"drawn area {number}")
        try:
            checked = check_coverage_geometry(geometry)
        except GeometryError as exc:
            raise GeometryError(f"drawn area {number}: {exc}") from None
        properties = feature.get("properties")
        results.append((checked, properties if isinstance(properties, dict) else {}))
    return results


def detect_coverage_format(data: bytes) -> str:
    """'GeoJSON', 'KML' or 'KMZ', judged from the first bytes; GeometryError for anything else."""
    head = data[:64]
    text = head.lstrip(_BOM + b" \t\r\n")
    if not text:
        raise GeometryError("the file is empty")
    if text.startswith(b"{"):
        return "GeoJSON"
    if text.startswith(b"<"):
        return "KML"
    if head.startswith(b"PK\x03\x04"):
        return "KMZ"
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise GeometryError(f"the file is {what}, not GeoJSON or KML")
    if b"\x00" in head:
        raise GeometryError("the file is binary data, not GeoJSON or KML")
    if b"," in data[:2048].split(b"\n", 1)[0] or b";" in data[:2048].split(b"\n", 1)[0]:
        raise GeometryError("the file looks like a table (CSV), not GeoJSON or KML")
    raise GeometryError("the file is neither GeoJSON nor KML")


def check_coverage_geometry(geometry: shapely.Geometry) -> CheckedGeometry:
    """Validate and, when safe, repair a coverage area: polygons only, at most MAX_VERTICES vertices
    (and MAX_REPAIR_VERTICES when it needs repair), lon/lat in range, slivers dropped, area capped."""
    vertices = shapely.get_num_coordinates(geometry) if geometry is not None else 0
    if vertices > MAX_VERTICES:
        raise GeometryError(f"the area has {vertices:,} vertices; the limit is {MAX_VERTICES:,}. Simplify it first.")
    if geometry is not None and vertices > MAX_REPAIR_VERTICES and not _polygons_valid(geometry):
        raise GeometryError(
            f"the area is invalid ({shapely.is_valid_reason(polygonal_part(geometry))}) and has {vertices:,} "
            f"vertices, too many to repair safely (at most {MAX_REPAIR_VERTICES:,}); fix or simplify it first"
        )
    parts_before = _polygon_count(geometry) if geometry is not None else 0
    checked = check_polygonal(geometry)
    geometry, slivers = _drop_slivers(checked.geometry)
    repairs = [_explain(r, parts_before, geometry) for r in checked.repairs]
    if slivers:
        repairs.append(f"dropped {slivers} tiny sliver{'s' if slivers > 1 else ''} left by the repair")
    area = float(area_km2(geometry))
    if area > MAX_AREA_KM2:
        raise GeometryError(
            f"the area covers {area:,.0f} km², more than the limit of {MAX_AREA_KM2:,.0f} km²; "
            "to cover whole countries, choose them in the list instead"
        )
    return CheckedGeometry(geometry, repairs)


def _polygons_valid(geometry: shapely.Geometry) -> bool:
    return bool(polygonal_part(geometry).is_valid)


def _polygon_count(geometry: shapely.Geometry) -> int:
    return len(shapely.get_parts(polygonal_part(geometry)))


def _explain(repair: str, parts_before: int, repaired: shapely.Geometry) -> str:
    """A repair message that also says when a self-crossing outline (a bow tie) became several parts."""
    parts_after = _polygon_count(repaired)
    if repair.startswith("repaired") and parts_after > parts_before:
        return f"{repair}: the outline crossed itself and was split into {parts_after} polygons"
    return repair


def _drop_slivers(geometry: shapely.Geometry) -> tuple[shapely.Geometry, int]:
    parts = list(shapely.get_parts(geometry))
    if len(parts) < 2:
        return geometry, 0
    total = sum(p.area for p in parts)
    kept = [p for p in parts if p.area >= SLIVER_SHARE * total]
    if len(kept) == len(parts):
        return geometry, 0
    return (kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)), len(parts) - len(kept)


def _refuse_constant(name: str):
    raise GeometryError(f"the GeoJSON has coordinates that are not numbers ({name})")


def _load_json(data: bytes | str):
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise GeometryError("the GeoJSON is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise GeometryError(f"the GeoJSON cannot be read: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise GeometryError("the GeoJSON is nested too deeply") from None


def _features_of(obj) -> list[dict]:
    if not isinstance(obj, dict) or "type" not in obj:
        raise GeometryError("this is not GeoJSON: it has no 'type'")
    crs = obj.get("crs")
    if reference := outside_crs_reference(obj):  # here too, though no GDAL reads this GeoJSON
        raise GeometryError(
            f"the GeoJSON refers to a coordinate system outside the file ({reference}); such references are "
            'never followed: remove the "crs" member (GeoJSON coordinates are longitude and latitude, WGS 84)'
        )
    if crs:
        name = str(((crs.get("properties") or {}) if isinstance(crs, dict) else {}).get("name", crs))
        if not name.upper().endswith(("CRS84", ":4326", "/4326")):
            raise GeometryError(f"the GeoJSON uses the coordinate system {name[:80]!r}; use WGS84 longitude/latitude")
    if obj["type"] == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
            raise GeometryError("the GeoJSON's 'features' must be a list of features")
        return features
    if obj["type"] == "Feature":
        return [obj]
    return [{"type": "Feature", "geometry": obj, "properties": {}}]


def _shape(geometry, what: str) -> shapely.Geometry:
    if not isinstance(geometry, dict):
        raise GeometryError(f"{what} has no geometry")
    try:
        return shapely.geometry.shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"{what}: the geometry cannot be read ({exc})") from None


def _geometry_from_geojson_bytes(data: bytes) -> shapely.Geometry:
    features = _features_of(_load_json(data))
    total = sum(_count_vertices((f.get("geometry") or {}).get("coordinates")) for f in features)
    if total > MAX_VERTICES:
        raise GeometryError(f"the file has {total:,} vertices; the limit is {MAX_VERTICES:,}. Simplify it first.")
    geoms = [_shape(f.get("geometry"), f"feature {i}") for i, f in enumerate(features, start=1) if f.get("geometry")]
    if not geoms:
        raise GeometryError("the GeoJSON has no geometry")
    return geoms[0] if len(geoms) == 1 else shapely.GeometryCollection(geoms)


def _count_vertices(coordinates, depth: int = 0) -> int:
    """Positions in a GeoJSON coordinates array (nested lists), without building any geometry."""
    if not isinstance(coordinates, list) or depth > 6:
        return 0
    if coordinates and not isinstance(coordinates[0], list):
        return 1
    return sum(_count_vertices(c, depth + 1) for c in coordinates)


def _kml_from_kmz(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".kml") and not m.is_dir()]
            if not members:
                raise GeometryError("the KMZ archive holds no .kml file")
            member = next((m for m in members if m.filename.lower() == "doc.kml"), members[0])
            if member.file_size > MAX_FILE_BYTES:
                raise GeometryError(f"the KML inside the KMZ is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            with archive.open(member) as handle:
                kml = handle.read(MAX_FILE_BYTES + 1)  # the announced size may lie
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise GeometryError(f"the KMZ archive cannot be read: {exc}") from None
    if len(kml) > MAX_FILE_BYTES:
        raise GeometryError(f"the KML inside the KMZ is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not kml.lstrip(_BOM + b" \t\r\n").startswith(b"<"):
        raise GeometryError("the .kml file inside the KMZ is not XML")
    return kml
