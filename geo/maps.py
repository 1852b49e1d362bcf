"""The folium shell of every map. No Flask here: the caller passes asset URLs.

Every map of the directory is a small shell plus data. Folium writes the Leaflet map (canvas renderer,
scale bar, fullscreen and locate controls), the links to the scripts and stylesheets (all served by
the app: `render_parts` refuses any other) and one call, `CamminaMap.start(map)`, to the directory's
browser module (static/js/directory-map.js). Everything that depends on the page (the mode, the layers
to fetch, a few points, the view to fit, the translated labels) is a JSON configuration the page
carries as data (`<script type="application/json" id="<map name>-config">`, config_element) and the
module reads. So the shell depends only on the assets, the first view and the mode's scripts, and is
built once per process (`map_shell`), instead of by folium on every request (30+ ms).

No text at all is handed to folium, not an entry's, not even a translated label. Two reasons:
- folium's popups and tooltips are not escaped and are written inside JavaScript template literals;
- branca compiles what each element writes (`MacroElement.render` wraps every macro's output in
  `Element(output)`, which is a jinja2 `Template`) and then runs it: text inside an element's output
  becomes template *source*, so `{{ 7*7 }}` in a name would print 49 and worse would run Python on
  the server.
`render_parts` enforces it with folium's and branca's public API only, before anything is rendered:
the map may hold nothing but the shell's own elements (the locate control and the module's call,
neither of which takes an argument), so no marker, popup, tooltip or layer can bring text, and the
map's own settings may hold no template syntax. Entry text and labels travel in the JSON
configuration and the GeoJSON layers (HTML-safe JSON, geo.geojson.safe_json), and the browser module
puts them in the page with textContent only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

import folium
from branca.element import MacroElement
from folium.plugins import LocateControl
from jinja2 import Template

from geo.geojson import safe_json

TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")  # what opens a jinja2 expression, statement or comment


@dataclass(frozen=True)
class MapAssets:
    """URLs of the browser libraries and of the directory's module, all served by the app itself, in
    the order they load (Leaflet first, its plugins, then the module and the mode's plugins)."""

    js: tuple[str, ...]
    css: tuple[str, ...]


@dataclass
class MapParts:
    """What a page needs to show a map: asset tags, the map container and the script that builds it."""

    assets: str
    container: str
    script: str
    asset_urls: list[str] = field(default_factory=list)
    name: str = ""  # the map's JavaScript variable and element id


class StartModule(MacroElement):
    """Hands the map to static/js/directory-map.js, which reads the page's JSON element
    `<map name>-config`. A constant template that prints nothing but the map's name."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        CamminaMap.start({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self):
        super().__init__()
        self._name = "StartModule"


class ShellLocateControl(LocateControl):
    """The locate button, with fixed options and no title (the module sets it from the configuration);
    its script and stylesheet are among the map's assets."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self):
        super().__init__(flyTo=True, showPopup=False)
        self._name = "ShellLocateControl"


SHELL_ELEMENTS = frozenset({"ShellLocateControl", "StartModule"})


def base_map(assets: MapAssets, *, center: tuple[float, float] = (17.0, -92.0), zoom: int = 4) -> folium.Map:
    """The shell: an empty Leaflet map with local assets, canvas rendering, a scale bar, fullscreen and
    locate controls, and the call to the browser module. `center` is (lat, lon)."""
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
    m.default_js = [(f"js{number}", url) for number, url in enumerate(assets.js)]
    m.default_css = [(f"css{number}", url) for number, url in enumerate(assets.css)]
    m.add_child(ShellLocateControl())
    m.add_child(StartModule())
    return m


@lru_cache(maxsize=64)
def map_shell(assets: MapAssets, *, center: tuple[float, float], zoom: int) -> MapParts:
    """The rendered shell of a directory map (built once per set of arguments and process)."""
    return render_parts(base_map(assets, center=center, zoom=zoom))


def config_element(parts: MapParts, config: dict) -> str:
    """The page's configuration of one map, as an HTML-safe JSON data element."""
    return f'<script type="application/json" id="{parts.name}-config">{safe_json(config)}</script>'


def render_parts(m: folium.Map) -> MapParts:
    """Render the shell for embedding in one of our pages: the asset links (and nothing of folium's
    full-page header: its styles would take over the page and forbid zooming on phones), the map
    container and the map script. First refuses (see the module's docstring) a map that holds anything
    but the shell's elements or whose settings hold template syntax; then refuses any asset that is not
    served by the app itself."""
    refuse_foreign_elements(m)
    refuse_template_syntax(m)
    root = m.get_root()
    m.render()  # each element writes its parts into the figure's header, html and script
    links = _AssetLinks.of(root.header.render())
    urls = [url for _kind, url in links]
    remote = [url for url in urls if "://" in url or url.startswith("//")]
    if remote:
        raise ValueError(f"map assets must be served locally, not from {remote}")
    tags = [f'<link rel="stylesheet" href="{escape(url)}">' for kind, url in links if kind == "css"]
    tags += [f'<script src="{escape(url)}"></script>' for kind, url in links if kind == "js"]
    return MapParts(
        assets="\n".join(tags),
        container=root.html.render(),
        script=root.script.render(),
        asset_urls=urls,
        name=m.get_name(),
    )


def refuse_foreign_elements(m: folium.Map) -> None:
    """ValueError unless the figure holds this map alone and the map only the shell's elements (read
    from branca's public tree, `to_dict`): anything else (a marker, a tooltip, a popup, a GeoJSON layer,
    an element put in the page's header) could carry text, which branca would run as a template."""
    tree = m.get_root().to_dict()
    foreign = [child["name"] for child in tree["children"].values() if child["id"] != m.to_dict(depth=0)["id"]]
    foreign += [
        f"{section}: {name}"
        for section in ("header", "html", "script")
        for name in tree[section]["children"]
        if name != "meta_http"  # branca's own <meta charset>, written by every Figure
    ]
    foreign += [name for name in _element_names(m.to_dict()) if name not in SHELL_ELEMENTS]
    if foreign:
        raise ValueError(
            f"a map shell holds only its own elements, not {foreign} (already rendered, or text handed to folium?): "
            "pass data in the page's JSON configuration instead"
        )


def refuse_template_syntax(m: folium.Map) -> None:
    """ValueError when one of the map's public settings (its options, location, sizes, assets...)
    holds jinja2 syntax: branca would run it as template source on the server."""
    for name, value in vars(m).items():
        if name.startswith("_"):
            continue
        for text in _strings(value):
            found = TEMPLATE_SYNTAX.search(text)
            if found:
                raise ValueError(
                    f"the map's {name} holds template syntax {found.group()!r}: text was handed to folium; "
                    "pass it in the page's JSON configuration instead"
                )


def _element_names(tree: dict):
    for child in tree["children"].values():
        yield child["name"]
        yield from _element_names(child)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


class _AssetLinks(HTMLParser):
    """The stylesheets and scripts linked in rendered HTML, in order, as ("css" | "js", url)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []

    @classmethod
    def of(cls, html: str) -> list[tuple[str, str]]:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser.links

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.links.append(("js", attributes["src"]))
        elif tag == "link" and attributes.get("rel") == "stylesheet" and attributes.get("href"):
            self.links.append(("css", attributes["href"]))


__all__ = [
    "MapAssets",
    "MapParts",
    "base_map",
    "render_parts",
    "map_shell",
    "config_element",
    "refuse_foreign_elements",
    "refuse_template_syntax",
]
