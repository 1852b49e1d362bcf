"""Folium map builders. No Flask here: the caller passes asset URLs and translated labels.

The maps of the directory are small shells. Folium writes the Leaflet map (canvas renderer, scale
bar, fullscreen and locate controls); everything that depends on the page (layers fetched from the
GeoJSON endpoints, a few points such as a consulate or a search origin, the view to fit) is a JSON
configuration that the page carries as data (`<script type="application/json">`) and that
static/js/directory-map.js reads. So the shell is the same for every page of a kind and is built
once per process (`map_shell`), instead of by folium on every request (30+ ms).

No text at all is handed to folium: not an entry's, not even a translated label. Two reasons:
- folium's popups and tooltips are not escaped and are written inside JavaScript template literals;
- branca compiles what each element writes (`MacroElement.render` wraps every macro's output in
  `Element(output)`, which is a jinja2 `Template`) and then runs it: any text inside an element's
  output becomes template *source*, so `{{ 7*7 }}` in a name would print 49 and worse would run
  Python on the server.
So folium only ever gets numbers and constant templates (DirectoryLayers' and the coverage editor's
read their data from the page's JSON element). Entry text and labels travel in the JSON
configuration and the GeoJSON layers (HTML-safe JSON, geo.geojson.safe_json), and the browser script
puts them in the page with textContent only. `render_parts` enforces it: it refuses a map one of
whose elements wrote template syntax (which only text handed to folium can bring), before running
any of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

import folium
from branca.element import CssLink, Figure, JavascriptLink
from folium.elements import JSCSSMixin
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
    name: str = ""  # the map's JavaScript variable and element id


class DirectoryLayers(JSCSSMixin):
    """Hands the map to static/js/directory-map.js with the configuration the page carries in the
    JSON element `<map name>-config` (see config_element)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        CamminaMap.attach({{ this._parent.get_name() }},
            JSON.parse(document.getElementById("{{ this._parent.get_name() }}-config").textContent));
        {% endmacro %}"""
    )

    def __init__(self, assets: MapAssets):
        super().__init__()
        self._name = "DirectoryLayers"
        self.default_js = [
            ("markercluster", assets.markercluster_js),
            ("directory_map", assets.directory_js),
        ]
        self.default_css = [
            ("markercluster_css", assets.markercluster_css[0]),
            ("markercluster_default_css", assets.markercluster_css[1]),
        ]


def base_map(
    assets: MapAssets,
    *,
    center: tuple[float, float] = (17.0, -92.0),
    zoom: int = 4,
) -> folium.Map:
    """An empty Leaflet map with local assets, canvas rendering, a scale bar, fullscreen and
    locate controls. `center` is (lat, lon). It carries no text: the locate button's title, like
    every label, comes from the page's configuration (directory-map.js sets it)."""
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
    locate = LocateControl(flyTo=True, showPopup=False)
    locate.default_js = [("locate", assets.locate_js)]
    locate.default_css = [("locate_css", assets.locate_css)]
    locate.add_to(m)
    return m


def attach_layers(m: folium.Map, assets: MapAssets) -> None:
    """Let the browser script draw what the page's configuration element describes."""
    m.add_child(DirectoryLayers(assets))


@lru_cache(maxsize=64)
def map_shell(assets: MapAssets, *, center: tuple[float, float], zoom: int) -> MapParts:
    """The rendered shell of a directory map (built once per set of arguments and process)."""
    m = base_map(assets, center=center, zoom=zoom)
    attach_layers(m, assets)
    return render_parts(m)


def config_element(parts: MapParts, config: dict) -> str:
    """The page's configuration of one map, as an HTML-safe JSON data element."""
    return f'<script type="application/json" id="{parts.name}-config">{safe_json(config)}</script>'


def render_parts(m: folium.Map) -> MapParts:
    """Render the map for embedding in one of our pages: the asset links (and nothing of folium's
    full-page header: its styles would take over the page and forbid zooming on phones), the map
    container and the map script. Refuses any asset that is not served by the app itself, and any
    element whose output carries template syntax (see the module's docstring) before it is run."""
    root = m.get_root()
    for child in root._children.values():
        child.render()  # each element writes its parts into the figure's header, html and script
    refuse_template_syntax(root)
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
    return MapParts(
        assets=assets, container=root.html.render(), script=root.script.render(), asset_urls=urls, name=m.get_name()
    )


TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")  # what opens a jinja2 expression, statement or comment


def refuse_template_syntax(root: Figure) -> None:
    """ValueError when a part written by an element of the map holds jinja2 syntax. Branca runs
    each part as a template; our constant templates write none, so any there came from text
    handed to folium, which would run as template source on the server."""
    for section in (root.header, root.html, root.script):
        for name, part in section._children.items():
            source = part._template_str or ""
            found = TEMPLATE_SYNTAX.search(source)
            if found:
                raise ValueError(
                    f"map element {name} wrote template syntax {found.group()!r}: text was handed to folium; "
                    "pass it in the page's JSON configuration instead"
                )


__all__ = [
    "MapAssets",
    "MapParts",
    "base_map",
    "attach_layers",
    "render_parts",
    "map_shell",
    "config_element",
    "refuse_template_syntax",
]
