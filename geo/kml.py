"""Polygons from KML, read with defusedxml's ElementTree (no DTD, no entities, no network).

Why not GDAL's KML/LIBKML drivers: a coverage file needs only its <Polygon> elements; LIBKML follows
NetworkLinks (it would fetch URLs from the server), and GDAL sniffs content, so a VRT named .kml could
make it read local files. This reader only walks the XML tree it was given, and refuses a document
that asks for more than that tree: a NetworkLink (content to fetch from elsewhere) or an XInclude
(ElementTree never performs one, but the person would expect the included file to count).
"""

from __future__ import annotations

import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from geo.validate import GeometryError

_NON_POLYGON_TAGS = {"Point", "LineString", "Track", "MultiTrack", "Model"}
_XINCLUDE = "{http://www.w3.org/2001/XInclude}"


def polygons_from_kml(data: bytes, max_vertices: int) -> shapely.Geometry:
    """The polygons of a KML document (every <Polygon>, inside a MultiGeometry or not) as one
    geometry. GeometryError when the XML is malformed, declares a DTD, is not KML, links to other
    content (NetworkLink, XInclude), has more than `max_vertices` vertices, or has no polygon (naming
    the kinds of geometry it holds instead)."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise GeometryError("kml_dtd") from None
    except ParseError as exc:
        raise GeometryError("xml_malformed", error=str(exc)[:200]) from None
    if _local(root.tag) != "kml":
        raise GeometryError("not_kml", root=_local(root.tag)[:60])
    polygons, others, vertices = [], set(), 0
    for element in root.iter():
        tag = _local(element.tag)
        _refuse_links(element, tag)
        if tag == "Polygon":
            outer, inner = _rings(element, "outerBoundaryIs"), _rings(element, "innerBoundaryIs")
            vertices += sum(len(r) for r in outer + inner)
            if vertices > max_vertices:
                raise GeometryError("kml_too_many_vertices", limit=max_vertices)
            polygons.append(_polygon(outer, inner))
        elif tag in _NON_POLYGON_TAGS:
            others.add(tag)
    if not polygons:
        if others:
            raise GeometryError("kml_no_polygon_holds", kinds=", ".join(sorted(others)))
        raise GeometryError("kml_no_polygon")
    return polygons[0] if len(polygons) == 1 else shapely.GeometryCollection(polygons)


def _refuse_links(element, tag: str) -> None:
    if isinstance(element.tag, str) and element.tag.startswith(_XINCLUDE):
        raise GeometryError("kml_xinclude")
    if tag == "NetworkLink":
        href = next((e.text or "" for e in element.iter() if _local(e.tag) == "href"), "")
        if href.strip():
            raise GeometryError("kml_network_link_to", href=href.strip()[:120])
        raise GeometryError("kml_network_link")


def _local(tag) -> str:
    """The tag without its namespace (KML 2.2, Google's 2.x and no namespace are all accepted)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _rings(polygon, boundary: str) -> list[list[tuple[float, float]]]:
    return [
        _coordinates(ring)
        for child in polygon
        if _local(child.tag) == boundary
        for ring in child
        if _local(ring.tag) == "LinearRing"
    ]


def _coordinates(ring) -> list[tuple[float, float]]:
    text = " ".join(e.text or "" for e in ring if _local(e.tag) == "coordinates")
    points = []
    for token in text.split():
        values = token.split(",")
        try:
            points.append((float(values[0]), float(values[1])))
        except (IndexError, ValueError):
            raise GeometryError("kml_bad_coordinates", token=token[:40]) from None
    return points


def _polygon(outer: list, inner: list) -> shapely.Polygon:
    if not outer or not outer[0]:
        raise GeometryError("kml_no_outer_boundary")
    try:
        return shapely.Polygon(outer[0], [r for r in inner if r])
    except (ValueError, shapely.errors.GEOSException) as exc:
        raise GeometryError("kml_polygon_unbuildable", error=str(exc)[:200]) from None
