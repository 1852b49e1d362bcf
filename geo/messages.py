"""What geo says about a geometry it refuses or repairs: a stable code, plain parameters, English words.

Every GeometryError, and every repair that geo.validate and geo.coverage_input report, is a
GeoMessage: `code` names the problem (a key of MESSAGES) and `params` fill its template's
%(name)s placeholders with plain values (numbers, short texts such as a library's own error, or
another GeoMessage: the reason of "drawn area 2: <reason>"). `str()` is the English text, for logs
and tests. geo never translates and never imports Flask: the web pages and the commands show a
GeoMessage in the reader's language through directory_app.geo_messages, which looks the template
up in the message catalogs and writes the numbers the way the reader's locale does.

The templates are the catalogs' msgids: N_ marks them for extraction (it is one of pybabel's default
keywords, and babel.cfg reads geo/) and does nothing else. A code, once used, keeps its meaning;
change the English and the catalogs get a new msgid to translate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def N_(text: str) -> str:
    """Mark `text` as a msgid for the catalogs; return it unchanged."""
    return text


MESSAGES: dict[str, str] = {
    # points and coordinates (geo.validate)
    "coordinates_not_numbers": N_("coordinates must be numbers, got longitude=%(lon)s, latitude=%(lat)s"),
    "coordinates_not_finite": N_("coordinates must be finite numbers"),
    "latitude_out_of_range": N_("latitude %(lat)s is outside -90..90 (are longitude and latitude swapped?)"),
    "longitude_out_of_range": N_("longitude %(lon)s is outside -180..180"),
    "no_coordinates": N_("the geometry has no coordinates"),
    "coordinates_nan": N_("the geometry has coordinates that are not numbers (NaN or infinite)"),
    "projected_coordinates": N_(
        "coordinates look like metres of a projected system; give longitude/latitude degrees (EPSG:4326)"
    ),
    "coordinates_out_of_range": N_(
        "coordinates outside longitude -180..180 / latitude -90..90 (bounds %(xmin)s, %(ymin)s, %(xmax)s, "
        "%(ymax)s); are they swapped?"
    ),
    # polygons (geo.validate)
    "no_geometry": N_("no geometry was given"),
    "empty_geometry": N_("the geometry is empty"),
    "not_polygon": N_("a coverage area must be a polygon, not a %(kind)s"),
    "too_many_vertices": N_("the polygon has %(vertices)s vertices; the limit is %(limit)s. Simplify it first."),
    "invalid_no_area": N_("the polygon is invalid (%(reason)s) and has no area once repaired"),
    "no_area": N_("the polygon has no area"),
    # repairs (geo.validate, geo.coverage_input): not errors, said after saving
    "kept_polygons_only": N_("kept only the polygons of a %(kind)s"),
    "repaired_invalid": N_("repaired an invalid polygon (%(reason)s)"),
    "repaired_and_split": N_(
        "repaired an invalid polygon (%(reason)s): the outline crossed itself and was split into %(parts)s polygons"
    ),
    "dropped_slivers": N_("dropped the tiny slivers left by the repair (%(count)s)"),
    # why a polygon is invalid (GEOS's reasons, geo.validate.invalid_reason): the reason of the messages above
    "self_intersection": N_("the outline crosses itself at %(lon)s %(lat)s"),
    "ring_self_intersection": N_("a ring touches itself at %(lon)s %(lat)s"),
    "too_few_points": N_("a ring has too few points, at %(lon)s %(lat)s"),
    "hole_outside_shell": N_("a hole lies outside its polygon, at %(lon)s %(lat)s"),
    "nested_holes": N_("a hole lies inside another hole, at %(lon)s %(lat)s"),
    "disconnected_interior": N_("the inside is cut in two, at %(lon)s %(lat)s"),
    "nested_shells": N_("a polygon lies inside another, at %(lon)s %(lat)s"),
    "duplicate_rings": N_("a ring is repeated, at %(lon)s %(lat)s"),
    "ring_not_closed": N_("a ring is not closed, at %(lon)s %(lat)s"),
    "invalid_coordinate": N_("a coordinate is not valid, at %(lon)s %(lat)s"),
    # GeoJSON (geo.validate, geo.coverage_input)
    "not_geojson": N_("this is not GeoJSON: it has no 'type'"),
    "geojson_other_crs": N_("the GeoJSON uses the coordinate system '%(crs)s'; use WGS84 longitude/latitude"),
    "geojson_outside_crs": N_(
        "the GeoJSON refers to a coordinate system outside the file (%(reference)s); such references are never "
        'followed: remove the "crs" member (GeoJSON coordinates are longitude and latitude, WGS 84)'
    ),
    "geojson_unreadable": N_("the GeoJSON geometry cannot be read: %(error)s"),
    "geojson_no_geometry": N_("the GeoJSON has no geometry"),
    "geojson_not_utf8": N_("the GeoJSON is not UTF-8 text"),
    "geojson_syntax": N_("the GeoJSON cannot be read: %(error)s (line %(line)s, column %(column)s)"),
    "geojson_too_deep": N_("the GeoJSON is nested too deeply"),
    "geojson_not_numbers": N_("the GeoJSON has coordinates that are not numbers (%(value)s)"),
    "geojson_features_not_list": N_("the GeoJSON's 'features' must be a list of features"),
    "feature_no_geometry": N_("feature %(number)s has no geometry"),
    "feature_unreadable": N_("feature %(number)s: the geometry cannot be read (%(error)s)"),
    # files of districts (geo.files)
    "not_geojson_or_geopackage": N_("the file is neither GeoJSON nor a GeoPackage"),
    "format_mismatch": N_("the file holds %(found)s, not %(expected)s"),
    "unreadable_as": N_("the file cannot be read as %(format)s"),
    "unreadable_as_because": N_("the file cannot be read as %(format)s: %(error)s"),
    # coverage files (geo.coverage_input)
    "file_too_large": N_("the file is larger than %(mb)s MB"),
    "named_file_too_large": N_("the file '%(name)s' is larger than %(mb)s MB"),
    "file_empty": N_("the file is empty"),
    "file_is_png": N_("the file is a PNG image, not GeoJSON or KML"),
    "file_is_jpeg": N_("the file is a JPEG image, not GeoJSON or KML"),
    "file_is_gif": N_("the file is a GIF image, not GeoJSON or KML"),
    "file_is_pdf": N_("the file is a PDF document, not GeoJSON or KML"),
    "file_is_sqlite": N_("the file is an SQLite database or GeoPackage, not GeoJSON or KML"),
    "file_is_office": N_("the file is an old Office document, not GeoJSON or KML"),
    "file_is_binary": N_("the file is binary data, not GeoJSON or KML"),
    "file_is_csv": N_("the file looks like a table (CSV), not GeoJSON or KML"),
    "file_not_geojson_or_kml": N_("the file is neither GeoJSON nor KML"),
    "file_too_many_vertices": N_("the file has %(vertices)s vertices; the limit is %(limit)s. Simplify it first."),
    "area_too_many_vertices": N_("the area has %(vertices)s vertices; the limit is %(limit)s. Simplify it first."),
    "area_too_invalid_to_repair": N_(
        "the area is invalid (%(reason)s) and has %(vertices)s vertices, too many to repair safely (at most "
        "%(limit)s); fix or simplify it first"
    ),
    "area_too_large": N_(
        "the area covers %(area)s km², more than the limit of %(limit)s km²; to cover whole countries, choose "
        "them in the list instead"
    ),
    "kmz_no_kml": N_("the KMZ archive holds no .kml file"),
    "kmz_kml_too_large": N_("the KML inside the KMZ is larger than %(mb)s MB"),
    "kmz_unreadable": N_("the KMZ archive cannot be read: %(error)s"),
    "kmz_kml_not_xml": N_("the .kml file inside the KMZ is not XML"),
    # KML (geo.kml)
    "kml_dtd": N_("the KML declares a DTD or entities, which are not accepted"),
    "xml_malformed": N_("the file is not well-formed XML: %(error)s"),
    "not_kml": N_("the XML file is not KML (its root element is <%(root)s>)"),
    "kml_too_many_vertices": N_("the file has more than %(limit)s vertices; the limit is %(limit)s"),
    "kml_no_polygon": N_("the KML has no polygon; a coverage area must be a polygon"),
    "kml_no_polygon_holds": N_("the KML has no polygon (it holds: %(kinds)s); a coverage area must be a polygon"),
    "kml_xinclude": N_("the KML uses XInclude to include another file; included files are never read"),
    "kml_network_link": N_(
        "the KML has a NetworkLink; linked files are never fetched: put the polygons in the file itself"
    ),
    "kml_network_link_to": N_(
        "the KML has a NetworkLink to '%(href)s'; linked files are never fetched: put the polygons in the file itself"
    ),
    "kml_bad_coordinates": N_("the KML has coordinates that are not 'longitude,latitude': '%(token)s'"),
    "kml_no_outer_boundary": N_("a KML polygon has no outer boundary"),
    "kml_polygon_unbuildable": N_("a KML polygon cannot be built: %(error)s"),
    # areas drawn on the editor's map (geo.coverage_input, directory_app.organisations.coverage_drawn)
    "drawn_too_large": N_("the drawn areas are larger than %(mb)s MB of GeoJSON"),
    "drawn_too_many_vertices": N_("the drawn areas have %(vertices)s vertices; the limit is %(limit)s"),
    "drawn_area": N_("drawn area %(number)s: %(reason)s"),
    "drawn_area_no_geometry": N_("drawn area %(number)s has no geometry"),
    "drawn_area_unreadable": N_("drawn area %(number)s: the geometry cannot be read (%(error)s)"),
    "too_many_drawn_areas": N_("at most %(limit)s areas can be drawn"),
    "saved_area_changed": N_("an area saved earlier has changed since this page was opened; open it again"),
    # radii (geo.coverage)
    "radius_out_of_range": N_("the radius must be more than 0 and at most %(limit)s km, got %(radius)s"),
    "radius_across_antimeridian": N_("a radius that crosses the antimeridian is not supported"),
}
"""Every code geo (and the drawing field) uses, with its English template (tests/geo/test_messages.py
checks that each raise gives exactly the template's parameters)."""


def placeholders(code: str) -> set[str]:
    """The names a code's template needs in `params`."""
    return set(PLACEHOLDER.findall(MESSAGES[code]))


@dataclass(frozen=True)
class GeoMessage:
    """One thing geo says: `code` (a key of MESSAGES) and the values of its placeholders."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate, number) -> str:
        """The text with `translate(template)` as the words and `number(value)` for each int or float;
        a GeoMessage among the params is rendered the same way."""
        template = MESSAGES.get(self.code)
        if template is None:  # a code nobody registered: still say something rather than crash
            return " ".join([self.code, *(f"{k}={v}" for k, v in self.params.items())])
        values = {name: _value(value, translate, number) for name, value in self.params.items()}
        try:
            return translate(template) % values
        except (KeyError, TypeError, ValueError):  # a translation with other placeholders: the English
            return template % values

    def __str__(self) -> str:
        return self.render(lambda template: template, english_number)


def _value(value, translate, number) -> str:
    if isinstance(value, GeoMessage):
        return value.render(translate, number)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return number(value)


def english_number(value: int | float) -> str:
    """1234567 -> "1,234,567"; 91.5 -> "91.5"; 12345.678 -> "12,345.678" (at most 3 decimals, as Babel's
    default decimal pattern writes them in the reader's locale)."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return "0" if text in ("-0", "") else text
