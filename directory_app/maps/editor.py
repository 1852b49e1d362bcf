"""The coverage editor's map: a map shell from geo.maps.base_map (local assets, canvas, controls),
the directory's browser script for the base layers (CamminaMap.attach with no data layers), and
Leaflet.draw 1.0.4 (static/vendor/draw) with static/js/coverage-editor.js, which lets the editor draw,
reshape and delete polygons and writes them as GeoJSON into the form's hidden field.

The organisation's other coverage (units, countries, radii) is fetched from the coverage endpoint and
shown, not editable, for reference; its drawn polygons come from the hidden field itself, so that what
is on the map is exactly what will be saved. Sites are shown where access.site_position puts them for
the reader, and are drawn by coverage-editor.js (tooltips with textContent), not by folium.

Unlike the public maps this one is not a cached shell: it is built per request (tens of ms), which is
fine for an editing page, and keeps it independent of how the public maps pass their configuration.
"""

from __future__ import annotations

from branca.element import CssLink, JavascriptLink, MacroElement
from flask import g, url_for
from flask_babel import gettext as _
from jinja2 import Template
from markupsafe import Markup

from directory_app.accounts import access
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.maps.assets import base_config, map_assets
from geo.geojson import safe_json
from geo.maps import base_map, render_parts


class CoverageEditorLayer(MacroElement):
    """Loads directory-map.js, Leaflet.draw and coverage-editor.js and hands them the map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }}_base = CamminaMap.attach({{ this._parent.get_name() }}, {{ this.base_json }});
        CamminaCoverageEditor.attach({{ this._parent.get_name() }}, {{ this.editor_json }}, {{ this.get_name() }}_base);
        {% endmacro %}"""
    )

    def __init__(self, base: dict, editor: dict, js: list[tuple[str, str]], css: list[tuple[str, str]]):
        super().__init__()
        self._name = "CoverageEditor"
        self.base_json = safe_json(base)
        self.editor_json = safe_json(editor)
        self.default_js = js
        self.default_css = css

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        super().render(**kwargs)


def coverage_editor_map(organisation, field_id: str) -> Markup:
    """The drawing map for `organisation`, writing into the hidden input whose id is `field_id`."""
    assets = map_assets()
    sites = [access.site_position(location, organisation)[:2] for location in organisation.locations]
    bounds = _padded(sites) if sites else _country_bounds(organisation.country_code)
    m = base_map(assets, bounds=bounds, locate_label=_("Show my location"))
    config = editor_config(organisation, field_id)
    config["sites"] = [
        {"lon": lon, "lat": lat, "label": f"{number}. {location.name or organisation.name}"}
        for number, (location, (lon, lat)) in enumerate(zip(organisation.locations, sites), start=1)
    ]
    base = base_config() | {"title": _("Map for drawing the coverage"), "layers": []}
    base["labels"] = base["labels"] | {"coverage": config["labels"]["reference"]}
    layer = CoverageEditorLayer(
        base,
        config,
        js=[
            ("directory_map", assets.directory_js),
            ("leaflet_draw", static("vendor/draw/leaflet.draw.js")),
            ("coverage_editor", static("js/coverage-editor.js")),
        ],
        css=[("leaflet_draw_css", static("vendor/draw/leaflet.draw.css"))],
    )
    m.add_child(layer)
    parts = render_parts(m)
    nonce = getattr(g, "csp_nonce", None)
    return Markup(
        '<link rel="stylesheet" href="{maps_css}">\n{assets}\n'
        '<div class="map-frame map-coverage-editor">{container}</div>\n<script{nonce}>{script}</script>'
    ).format(
        maps_css=static("css/maps.css"),
        assets=Markup(parts.assets),
        container=Markup(parts.container),
        nonce=Markup(' nonce="{}"').format(nonce) if nonce else "",
        script=Markup(parts.script),
    )


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
