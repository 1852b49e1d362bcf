"""An organisation's maps: the map of its page (organisation_map: its sites as the reader may see them,
and its coverage), and the coverage editor's map (coverage_editor_map).

The editor's map is a map shell from geo.maps.base_map (local assets, canvas, controls), the
directory's browser script for the base layers (CamminaMap.attach with no data layers), and
Leaflet.draw 1.0.4 (static/vendor/draw) with static/js/coverage-editor.js, which lets the editor draw,
reshape and delete polygons and writes them as GeoJSON into the form's hidden field.

The organisation's other coverage (units, countries, radii) is fetched from the coverage endpoint and
shown, not editable, for reference; its drawn polygons come from the hidden field itself, so that what
is on the map is exactly what will be saved. Sites are shown where access.site_position puts them for
the reader, and are drawn by coverage-editor.js (tooltips with textContent), not by folium.

As on every embedded map (embedded_maps), everything that depends on the page (the view to fit, the sites
and their names, the translated words of the toolbar) is data: one JSON element
(geo.maps.config_element, HTML-safe JSON) whose `editor` key is coverage-editor.js's configuration.
The folium shell holds no text and is the same for every organisation, so it is built once per
process. (It used to carry the configuration inside the script folium writes, which branca runs as a
template: a site named `{{ 7*7 }}` showed 49, and worse ran on the server.)
"""

from __future__ import annotations

from functools import lru_cache

from flask import url_for
from flask_babel import gettext as _
from folium.elements import JSCSSMixin
from jinja2 import Template
from markupsafe import Markup

from directory_app.accounts import access
from directory_app.embedded_maps import base_config, bounds_of, map_assets, map_fragment, render_map
from directory_app.extensions import db
from directory_app.geography.models import Country
from geo.maps import MapAssets, MapParts, base_map, render_parts


class CoverageEditorLayer(JSCSSMixin):
    """Loads directory-map.js, Leaflet.draw and coverage-editor.js and hands them the map and the
    configuration the page carries in the JSON element `<map name>-config`. A constant template."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var config = JSON.parse(document.getElementById("{{ this._parent.get_name() }}-config").textContent);
            CamminaCoverageEditor.attach(map, config.editor, CamminaMap.attach(map, config));
        })({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, js: tuple[tuple[str, str], ...], css: tuple[tuple[str, str], ...]):
        super().__init__()
        self._name = "CoverageEditor"
        self.default_js = list(js)
        self.default_css = list(css)


@lru_cache(maxsize=16)
def editor_shell(assets: MapAssets, js: tuple[tuple[str, str], ...], css: tuple[tuple[str, str], ...]) -> MapParts:
    """The rendered editor map, without any page data (built once per set of URLs and process)."""
    m = base_map(assets)
    m.add_child(CoverageEditorLayer(js, css))
    return render_parts(m)


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
    assets = map_assets()
    parts = editor_shell(
        assets,
        js=(
            ("directory_map", assets.directory_js),
            ("leaflet_draw", static("vendor/draw/leaflet.draw.js")),
            ("coverage_editor", static("js/coverage-editor.js")),
        ),
        css=(("leaflet_draw_css", static("vendor/draw/leaflet.draw.css")),),
    )
    sites = [access.site_position(location, organisation)[:2] for location in organisation.locations]
    bounds = _padded(sites) if sites else _country_bounds(organisation.country_code)
    editor = editor_config(organisation, field_id)
    editor["sites"] = [
        {"lon": lon, "lat": lat, "label": f"{number}. {location.name or organisation.name}"}
        for number, (location, (lon, lat)) in enumerate(zip(organisation.locations, sites), start=1)
    ]
    config = base_config() | {"title": _("Map for drawing the coverage"), "layers": [], "editor": editor}
    config["labels"] = config["labels"] | {"coverage": editor["labels"]["reference"]}
    if bounds is not None:
        west, south, east, north = bounds
        config["fit"] = [[south, west], [north, east]]
    return map_fragment(parts, config, "map-coverage-editor")


def editor_config(organisation, field_id: str) -> dict:
    """What coverage-editor.js needs: the hidden field, the list beside the map, the reference
    coverage's URL and the translated words of the drawing toolbar."""
    return {
        "field": field_id,
        "list": f"{field_id}-list",
        "coverageUrl": url_for("maps.organisation_coverage", organisation_uuid=organisation.uuid),
        "labels": {
            "drawnArea": _("Area drawn on the map"),
            "areaName": _("Name of area"),
            "noArea": _("No area drawn yet."),
            "km2": _("km²"),
            "vertices": _("vertices"),
            "reference": _("Rest of the coverage (change it above)"),
            "drawn": _("Drawn areas"),
            "loadError": _("The current coverage could not be loaded."),
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
        },
    }


def static(path: str) -> str:
    return url_for("static", filename=path)


def _padded(points: list[tuple[float, float]], pad: float = 0.5) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)


def _country_bounds(country_code: str | None) -> tuple[float, float, float, float] | None:
    country = db.session.get(Country, country_code) if country_code else None
    if country is None or country.min_lon is None:
        return None
    return (country.min_lon, country.min_lat, country.max_lon, country.max_lat)
