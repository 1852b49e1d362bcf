"""The crisis pages' maps, made like every map of the directory (embedded_maps: a folium shell built once,
the page's data as an HTML-safe JSON element beside it).

- `drawing_map(field_id)`: the start page's map, the coverage editor's mode `editor`
  (static/js/directory-map-editor.js, Leaflet.draw from static/vendor/draw) writing the drawn area as
  GeoJSON into the form's hidden field; no organisation's coverage behind it.
- `report_map(report)`: mode `crisis` (static/js/crisis-map.js): the area (simplified for display, in
  the configuration), the affected districts' outlines (fetched from /maps/districts/<code>.geojson) and
  the organisations' sites as this reader may see them (the report's positions: public ones for the
  public), a site inside the area marked. Names travel as data and are written with textContent.
"""

from __future__ import annotations

import json

import shapely
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from directory_app.embedded_maps import base_config, render_map
from directory_app.organisations.maps import drawing_labels

DISPLAY_TOLERANCE = 0.005  # degrees (~500 m): the area as drawn on a report's map
MAX_SITES_ON_MAP = 2_000


def drawing_map(field_id: str) -> Markup:
    """The map on which the affected area is drawn, bound to the hidden input `field_id`."""
    labels = drawing_labels() | {
        "drawnArea": _("Affected area"),
        "reference": _("Affected area"),
        "loadError": _("A map layer could not be loaded."),
    }
    editor = {"field": field_id, "list": f"{field_id}-list", "coverageUrl": None, "labels": labels}
    config = base_config() | {"title": _("Map for drawing the affected area"), "mode": "editor", "editor": editor}
    return render_map(config, "map-crisis-draw", center=(22.0, -95.0), zoom=4)


def display_geojson(area) -> dict:
    """The area as GeoJSON for a map: simplified (topology kept), coordinates to 5 decimals."""
    simple = shapely.simplify(area, DISPLAY_TOLERANCE, preserve_topology=True)
    if simple.is_empty:
        simple = area
    return json.loads(shapely.to_geojson(shapely.set_precision(simple, 1e-5)))


def report_map(report) -> Markup:
    """The report's map: area, affected districts and the organisations' sites (see the module)."""
    sites = []
    for hit in report.organisations:
        for lon, lat in hit.positions[:20]:
            sites.append({"lon": lon, "lat": lat, "name": hit.name, "org": hit.id, "inside": hit.site_inside})
            if len(sites) >= MAX_SITES_ON_MAP:
                break
    west, south, east, north = report.area.bounds
    config = base_config() | {
        "title": _("Map of the affected area"),
        "mode": "crisis",
        "fit": [[south, west], [north, east]],
        "crisis": {
            "area": display_geojson(report.area),
            "districts": [d.code for d in report.districts],
            "districtOutlineUrl": url_for("maps.district", code="__ID__"),
            "sites": sites,
            "exact": bool(report.exact),
            "labels": {
                "area": _("Affected area"),
                "districts": _("Affected consular districts"),
                "sites": _("Sites of the organisations"),
                "inside": _("Site inside the area (may be affected itself)"),
                "approximate": _("approximate location"),
            },
        },
    }
    return render_map(config, "map-crisis-report", center=(22.0, -95.0), zoom=4)
