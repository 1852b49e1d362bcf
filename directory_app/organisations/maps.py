"""An organisation's maps, all made by the one builder (embedded_maps.render_map): the map of its page
(organisation_map: its sites as the reader may see them, and its coverage), the coverage editor's map
(coverage_editor_map, mode `editor`) and the edit form's site picker (site_picker_map, mode `picker`).

The editor's mode (static/js/directory-map-editor.js, with Leaflet.draw 1.0.4 from static/vendor/draw)
lets the editor draw, reshape and delete polygons and writes them as GeoJSON into the form's hidden
field. The organisation's other coverage (units, countries, radii) is fetched from the coverage
endpoint and shown, not editable, for reference; its drawn polygons come from the hidden field itself,
so that what is on the map is exactly what will be saved. Sites are shown where access.site_position
puts them for the reader.

As on every map, everything that depends on the page (the view to fit, the sites and their names, the
translated words of the toolbar) is data in the page's JSON element, never in the folium shell, which
branca runs as a template (a site named `{{ 7*7 }}` once showed 49 in the editor, and worse ran on the
server).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from directory_app.accounts import access
from directory_app.embedded_maps import base_config, bounds_of, render_map
from directory_app.extensions import db
from directory_app.geography.models import Country

UNIT_CHECKLIST = "units-checklist"  # the id of the coverage editor's checklist (templates/edit/_coverage_editor.html)
PICKER_CENTER = (18.0, -95.0)  # (lat, lon): where a site with no position yet is looked for


def organisation_map(organisation) -> Markup:
    """The organisation's sites (as the current reader may see them) and its coverage."""
    points = []
    for location in organisation.locations:
        lon, lat, exact = access.site_position(location, organisation)
        label = location.name or organisation.name
        points.append(
            {
                "lon": lon,
                "lat": lat,
                "kind": "site",
                "label": label if exact else f"{label} ({_('approximate location')})",
            }
        )
    config = base_config() | {"title": _("Map of %(name)s", name=organisation.name), "points": points}
    config["fit"] = bounds_of([(p["lon"], p["lat"]) for p in points])
    coverage_url = url_for("maps.organisation_coverage", organisation_uuid=organisation.uuid)
    config["layers"] = [{"type": "coverage", "url": coverage_url, "fit": True}]
    return render_map(config, "map-organisation")


def coverage_editor_map(organisation, field_id: str) -> Markup:
    """The drawing map for `organisation`, writing into the hidden input whose id is `field_id`."""
    positions = [access.site_position(location, organisation)[:2] for location in organisation.locations]
    bounds = _padded(positions) if positions else _country_bounds(organisation.country_code)
    editor = editor_config(organisation, field_id)
    config = base_config() | {"title": _("Map for drawing the coverage"), "mode": "editor", "editor": editor}
    config["labels"] = config["labels"] | {"coverage": editor["labels"]["reference"]}
    config["points"] = [
        {"lon": lon, "lat": lat, "kind": "site", "label": f"{number}. {location.name or organisation.name}"}
        for number, (location, (lon, lat)) in enumerate(zip(organisation.locations, positions), start=1)
    ]
    if bounds is not None:
        west, south, east, north = bounds
        config["fit"] = [[south, west], [north, east]]
    return render_map(config, "map-coverage-editor", center=(17.0, -92.0), zoom=4)


def site_picker_map() -> Markup:
    """The edit form's map for placing its sites: it moves to the slot (`.site-picker`, naming the
    row's latitude and longitude fields) of the site being placed; a click there sets them."""
    config = base_config() | {"title": _("Map for placing a site"), "mode": "picker"}
    config["picker"] = {"slots": ".site-picker", "labels": {"place": _("Place this site on the map")}}
    return render_map(config, "map-picker", center=PICKER_CENTER, zoom=4)


def editor_config(organisation, field_id: str) -> dict:
    """What coverage-editor.js needs: the hidden field, the list beside the map, the reference
    coverage's URL and the translated words of the drawing toolbar."""
    return {
        "field": field_id,
        "list": f"{field_id}-list",
        "coverageUrl": url_for("maps.organisation_coverage", organisation_uuid=organisation.uuid),
        "units": {
            "checklist": UNIT_CHECKLIST,
            "status": f"{field_id}-map-status",
            "unitUrl": url_for("maps.unit_outline", code="__ID__"),
            "countryUrl": url_for("maps.country_outline", code="__ID__"),
            "locateUrl": url_for("json_api.locate"),
            "labels": {
                "chosen": _("Chosen units and countries"),
                "added": _("Added: {name}"),
                "removed": _("Removed: {name}"),
                "noUnit": _("No admin unit of the directory here."),
            },
        },
        "labels": drawing_labels()
        | {
            "drawnArea": _("Area drawn on the map"),
            "reference": _("Rest of the coverage (change it above)"),
            "loadError": _("The current coverage could not be loaded."),
        },
    }


def drawing_labels() -> dict:
    """The drawing tools' labels of the editor mode (directory-map-editor.js), shared by every map
    on which an area is drawn: the coverage editor and the crisis area."""
    return {
        "areaName": _("Name of area"),
        "noArea": _("No area drawn yet."),
        "km2": _("km²"),
        "vertices": _("vertices"),
        "drawn": _("Drawn areas"),
        "drawPolygon": _("Draw an area"),
        "editLayers": _("Reshape the areas"),
        "removeLayers": _("Delete areas"),
        "finish": _("Finish"),
        "cancel": _("Cancel"),
        "deleteLastPoint": _("Delete the last point"),
        "save": _("Done"),
        "clearAll": _("Delete all"),
        "startPolygon": _("Click to start drawing the area."),
        "continuePolygon": _("Click to add a corner."),
        "endPolygon": _("Click the first corner to close the area."),
        "crossing": _("The outline may not cross itself."),
    }


def _padded(points: list[tuple[float, float]], pad: float = 0.5) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)


def _country_bounds(country_code: str | None) -> tuple[float, float, float, float] | None:
    country = db.session.get(Country, country_code) if country_code else None
    if country is None or country.min_lon is None:
        return None
    return (country.min_lon, country.min_lat, country.max_lon, country.max_lat)
