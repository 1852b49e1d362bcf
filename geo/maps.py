"""Folium map builders from plain data. No Flask here: the caller passes asset URLs, endpoints and
translated labels.

The maps of the directory are small shells. Folium writes the Leaflet map (canvas renderer, scale
bar, fullscreen and locate controls, and the few server-known markers such as a consulate); the
layers with many features (organisation markers, districts, coverage, the offline base map) are
fetched by the browser from GeoJSON endpoints by static/js/directory-map.js, attached to the folium
map by `DirectoryLayers`.

Folium does not escape popups or tooltips, and writes them inside JavaScript template literals:
every string that reaches one goes through `escape_for_folium()` here. Folium's Popup needs
jQuery, which the directory does not load: server-side markers get tooltips only.
Properties of GeoJSON features are rendered by the browser script with textContent only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import folium
from branca.element import CssLink, JavascriptLink, MacroElement
from folium.plugins import LocateControl
from jinja2 import Template

from geo.geojson import safe_json


@dataclass(frozen=True)
class MapAssets:
    """URLs of the browser libraries, all served by the app itself."""

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: tuple[str, str]
    fullscreen_js: str
    fullscreen_css: str
    locate_js: str
    locate_css: str
    directory_js: str


@dataclass
class MapParts:
    """What a page needs to show a map: asset tags, the map container and the script that builds it."""

    assets: str
    container: str
    script: str
    asset_urls: list[str] = field(default_factory=list)


class DirectoryLayers(MacroElement):
    """Hands the map to static/js/directory-map.js with its layer configuration (endpoints,
    labels, options), serialised as HTML-safe JSON."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        CamminaMap.attach({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}"""
    )

    def __init__(self, config: dict, assets: MapAssets):
        super().__init__()
        self._name = "DirectoryLayers"
        self.config_json = safe_json(config)
        self.default_js = [
            ("markercluster", assets.markercluster_js),
            ("directory_map", assets.directory_js),
        ]
        self.default_css = [
            ("markercluster_css", assets.markercluster_css[0]),
            ("markercluster_default_css", assets.markercluster_css[1]),
        ]

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        super().render(**kwargs)


def base_map(
    assets: MapAssets,
    *,
    center: tuple[float, float] = (17.0, -92.0),
    zoom: int = 4,
    bounds: tuple[float, float, float, float] | None = None,
    locate_label: str = "Show my location",
) -> folium.Map:
    """An empty Leaflet map with local assets, canvas rendering, a scale bar, fullscreen and
    locate controls. `center` is (lat, lon); `bounds` (west, south, east, north) fits the view."""
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        maxZoom=18,
        minZoom=2,
        fullscreenControl=True,
    )
    m.default_js = [("leaflet", assets.leaflet_js), ("fullscreen", assets.fullscreen_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css), ("fullscreen_css", assets.fullscreen_css)]
    locate = LocateControl(strings={"title": locate_label}, flyTo=True, showPopup=False)
    locate.default_js = [("locate", assets.locate_js)]
    locate.default_css = [("locate_css", assets.locate_css)]
    locate.add_to(m)
    if bounds is not None:
        west, south, east, north = bounds
        m.fit_bounds([[south, west], [north, east]])
    return m


def add_point(m: folium.Map, lon: float, lat: float, label: str, *, kind: str = "consulate") -> None:
    """A server-known point (a consulate, a search origin) with an escaped tooltip."""
    colour = {"consulate": "#7b2d8b", "origin": "#c0392b"}.get(kind, "#1f5f8b")
    folium.CircleMarker(
        location=[lat, lon],
        radius=9,
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1.0,
        tooltip=folium.Tooltip(escape_for_folium(label)),
    ).add_to(m)


def escape_for_folium(text: str) -> str:
    """Text for a folium tooltip or popup. Folium pastes it, unescaped, as HTML inside a
    JavaScript template literal (`...`): HTML-escape it, and also write the characters that
    mean something in a template literal (backtick, dollar for ${...}, backslash) as HTML
    entities, which the browser shows as the characters themselves."""
    return escape(text).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def attach_layers(m: folium.Map, assets: MapAssets, config: dict) -> None:
    """Let the browser script fetch and draw the GeoJSON layers described by `config`."""
    m.add_child(DirectoryLayers(config, assets))


def render_parts(m: folium.Map) -> MapParts:
    """Render the map for embedding in one of our pages: the asset links (and nothing of folium's
    full-page header: its styles would take over the page and forbid zooming on phones), the map
    container and the map script. Refuses any asset that is not served by the app itself."""
    root = m.get_root()
    root.render()
    links = [child for child in root.header._children.values() if isinstance(child, (JavascriptLink, CssLink))]
    urls = [link.url for link in links]
    remote = [url for url in urls if "://" in url or url.startswith("//")]
    if remote:
        raise ValueError(f"map assets must be served locally, not from {remote}")
    assets = (
        "\n".join(f'<link rel="stylesheet" href="{escape(link.url)}">' for link in links if isinstance(link, CssLink))
        + "\n"
        + "\n".join(f'<script src="{escape(link.url)}"></script>' for link in links if isinstance(link, JavascriptLink))
    )
    return MapParts(assets=assets, container=root.html.render(), script=root.script.render(), asset_urls=urls)


__all__ = ["MapAssets", "MapParts", "base_map", "add_point", "attach_layers", "render_parts"]
