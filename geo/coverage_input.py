"""Coverage areas from what a person gives the editor: an uploaded GeoJSON, KML or KMZ file, or the
GeoJSON that the drawing tool writes. The result is one valid polygonal geometry in lon/lat and the
list of repairs made (geo.messages.GeoMessage); anything unusable raises GeometryError saying why.

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
from geo.messages import GeoMessage
from geo.projection import area_km2
from geo.validate import (
    MAX_VERTICES,
    CheckedGeometry,
    GeometryError,
    check_polygonal,
    invalid_reason,
    polygonal_part,
)

MAX_FILE_MB = 5
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_REPAIR_VERTICES = 20_000
MAX_AREA_KM2 = 12_000_000.0
"""Larger than any member country (Canada, about 10 million km²): a bigger area is a mistake, or
should be given as whole countries."""
SLIVER_SHARE = 1e-5
"""Parts left by a repair that are smaller than this share of the whole are dropped as slivers."""

_BOM = b"\xef\xbb\xbf"
_SIGNATURES = {
    b"\x89PNG": "file_is_png",
    b"\xff\xd8\xff": "file_is_jpeg",
    b"GIF8": "file_is_gif",
    b"%PDF": "file_is_pdf",
    b"SQLite format 3": "file_is_sqlite",
    b"\xd0\xcf\x11\xe0": "file_is_office",
}
"""The first bytes of files that people upload by mistake, with the code that names them."""


def read_coverage_file(data: bytes, filename: str = "") -> CheckedGeometry:
    """The coverage area in an uploaded GeoJSON, KML or KMZ file's bytes, repaired when safe.

    GeometryError says why a file is refused: too big, empty, of another format, unreadable, with
    no polygon, too many vertices, coordinates out of range, or an area too large."""
    if len(data) > MAX_FILE_BYTES:
        if filename:
            raise GeometryError("named_file_too_large", name=filename, mb=MAX_FILE_MB)
        raise GeometryError("file_too_large", mb=MAX_FILE_MB)
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
        raise GeometryError("drawn_too_large", mb=MAX_FILE_MB)
    obj = _load_json(text)
    features = _features_of(obj)
    total = sum(_count_vertices((f.get("geometry") or {}).get("coordinates")) for f in features)
    if total > MAX_VERTICES:
        raise GeometryError("drawn_too_many_vertices", vertices=total, limit=MAX_VERTICES)
    results = []
    for number, feature in enumerate(features, start=1):
        geometry = _shape(feature.get("geometry"), number, drawn=True)
        try:
            checked = check_coverage_geometry(geometry)
        except GeometryError as exc:
            raise GeometryError("drawn_area", number=number, reason=exc.detail) from None
        properties = feature.get("properties")
        results.append((checked, properties if isinstance(properties, dict) else {}))
    return results


def detect_coverage_format(data: bytes) -> str:
    """'GeoJSON', 'KML' or 'KMZ', judged from the first bytes; GeometryError for anything else."""
    head = data[:64]
    text = head.lstrip(_BOM + b" \t\r\n")
    if not text:
        raise GeometryError("file_empty")
    if text.startswith(b"{"):
        return "GeoJSON"
    if text.startswith(b"<"):
        return "KML"
    if head.startswith(b"PK\x03\x04"):
        return "KMZ"
    for signature, code in _SIGNATURES.items():
        if head.startswith(signature):
            raise GeometryError(code)
    if b"\x00" in head:
        raise GeometryError("file_is_binary")
    if b"," in data[:2048].split(b"\n", 1)[0] or b";" in data[:2048].split(b"\n", 1)[0]:
        raise GeometryError("file_is_csv")
    raise GeometryError("file_not_geojson_or_kml")


def check_coverage_geometry(geometry: shapely.Geometry) -> CheckedGeometry:
    """Validate and, when safe, repair a coverage area: polygons only, at most MAX_VERTICES vertices
    (and MAX_REPAIR_VERTICES when it needs repair), lon/lat in range, slivers dropped, area capped."""
    vertices = shapely.get_num_coordinates(geometry) if geometry is not None else 0
    if vertices > MAX_VERTICES:
        raise GeometryError("area_too_many_vertices", vertices=int(vertices), limit=MAX_VERTICES)
    if geometry is not None and vertices > MAX_REPAIR_VERTICES and not _polygons_valid(geometry):
        reason = invalid_reason(polygonal_part(geometry))
        raise GeometryError(
            "area_too_invalid_to_repair", reason=reason, vertices=int(vertices), limit=MAX_REPAIR_VERTICES
        )
    parts_before = _polygon_count(geometry) if geometry is not None else 0
    checked = check_polygonal(geometry)
    geometry, slivers = _drop_slivers(checked.geometry)
    repairs = [_explain(r, parts_before, geometry) for r in checked.repairs]
    if slivers:
        repairs.append(GeoMessage("dropped_slivers", {"count": slivers}))
    area = float(area_km2(geometry))
    if area > MAX_AREA_KM2:
        raise GeometryError("area_too_large", area=round(area), limit=round(MAX_AREA_KM2))
    return CheckedGeometry(geometry, repairs)


def _polygons_valid(geometry: shapely.Geometry) -> bool:
    return bool(polygonal_part(geometry).is_valid)


def _polygon_count(geometry: shapely.Geometry) -> int:
    return len(shapely.get_parts(polygonal_part(geometry)))


def _explain(repair: GeoMessage, parts_before: int, repaired: shapely.Geometry) -> GeoMessage:
    """A repair message that also says when a self-crossing outline (a bow tie) became several parts."""
    parts_after = _polygon_count(repaired)
    if repair.code == "repaired_invalid" and parts_after > parts_before:
        return GeoMessage("repaired_and_split", {"reason": repair.params["reason"], "parts": parts_after})
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
    raise GeometryError("geojson_not_numbers", value=name[:40])


def _load_json(data: bytes | str):
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise GeometryError("geojson_not_utf8") from None
    except json.JSONDecodeError as exc:
        raise GeometryError("geojson_syntax", error=exc.msg, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise GeometryError("geojson_too_deep") from None


def _features_of(obj) -> list[dict]:
    if not isinstance(obj, dict) or "type" not in obj:
        raise GeometryError("not_geojson")
    crs = obj.get("crs")
    if reference := outside_crs_reference(obj):  # here too, though no GDAL reads this GeoJSON
        raise GeometryError("geojson_outside_crs", reference=reference)
    if crs:
        name = str(((crs.get("properties") or {}) if isinstance(crs, dict) else {}).get("name", crs))
        if not name.upper().endswith(("CRS84", ":4326", "/4326")):
            raise GeometryError("geojson_other_crs", crs=name[:80])
    if obj["type"] == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
            raise GeometryError("geojson_features_not_list")
        return features
    if obj["type"] == "Feature":
        return [obj]
    return [{"type": "Feature", "geometry": obj, "properties": {}}]


def _shape(geometry, number: int, *, drawn: bool = False) -> shapely.Geometry:
    """The geometry of feature `number` of a file (or of drawn area `number`)."""
    if not isinstance(geometry, dict):
        raise GeometryError("drawn_area_no_geometry" if drawn else "feature_no_geometry", number=number)
    try:
        return shapely.geometry.shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
        raise GeometryError(
            "drawn_area_unreadable" if drawn else "feature_unreadable", number=number, error=str(exc)[:200]
        ) from None


def _geometry_from_geojson_bytes(data: bytes) -> shapely.Geometry:
    features = _features_of(_load_json(data))
    total = sum(_count_vertices((f.get("geometry") or {}).get("coordinates")) for f in features)
    if total > MAX_VERTICES:
        raise GeometryError("file_too_many_vertices", vertices=total, limit=MAX_VERTICES)
    geoms = [_shape(f.get("geometry"), i) for i, f in enumerate(features, start=1) if f.get("geometry")]
    if not geoms:
        raise GeometryError("geojson_no_geometry")
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
                raise GeometryError("kmz_no_kml")
            member = next((m for m in members if m.filename.lower() == "doc.kml"), members[0])
            if member.file_size > MAX_FILE_BYTES:
                raise GeometryError("kmz_kml_too_large", mb=MAX_FILE_MB)
            with archive.open(member) as handle:
                kml = handle.read(MAX_FILE_BYTES + 1)  # the announced size may lie
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise GeometryError("kmz_unreadable", error=str(exc)[:200]) from None
    if len(kml) > MAX_FILE_BYTES:
        raise GeometryError("kmz_kml_too_large", mb=MAX_FILE_MB)
    if not kml.lstrip(_BOM + b" \t\r\n").startswith(b"<"):
        raise GeometryError("kmz_kml_not_xml")
    return kml
