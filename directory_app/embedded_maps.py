"""The one builder of every map a page embeds: the public map, an organisation's, a district's, the
nearest search, the coverage editor, the review of a proposal and the edit form's site picker. A
feature calls `render_map(config, css_class)` with its page's configuration, made from `base_config()`
(tiles, layer URLs, translated labels shared by every map) and what the page adds: the layers to fetch,
a few points, the view to fit, and a `mode` (MODES: the scripts each mode adds to the shell).

The map itself is a folium shell (geo.maps.map_shell: local assets, canvas, controls, and the call to
static/js/directory-map.js), the same for every page of a mode and built once per process; the
configuration travels as an HTML-safe JSON element beside it, which the browser module reads. Every
text (entry names, translated labels) travels in the configuration, never in the shell (geo.maps says
why); geometry is not embedded: the browser fetches it from the GeoJSON endpoints of maps.views (and
review's proposal coverage). The features' builders: organisations.maps (an organisation's map, the
coverage editor, the site picker), referrals.maps (a district, the nearest search), maps.public_map (the
public map), review.maps (a proposal's coverage)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from directory_app import vocabulary
from directory_app.security import csp_nonce
from geo.geojson import safe_json
from geo.maps import MapAssets, config_element, map_shell

REGION_CENTER = (30.0, -95.0)  # (lat, lon): from Canada to Panama
# Up to this zoom a map draws the base map and the districts from their `detail=low` layers
# (geo.simplify.low_zoom_coverage, made for zoom 4 and less), beyond it from the detailed ones.
LOW_DETAIL_MAX_ZOOM = 4

# The scripts and stylesheets of every map, in load order, then those each mode adds (static/ paths).
CORE_JS = (
    "vendor/leaflet/leaflet.js",
    "vendor/fullscreen/Control.FullScreen.js",
    "vendor/locate/L.Control.Locate.min.js",
    "js/directory-map.js",
    "js/directory-map-layers.js",
)
CORE_CSS = (
    "vendor/leaflet/leaflet.css",
    "vendor/fullscreen/Control.FullScreen.css",
    "vendor/locate/L.Control.Locate.min.css",
)
MODES = {
    None: ((), ()),  # layers and points only
    "editor": (("vendor/draw/leaflet.draw.js", "js/directory-map-editor.js"), ("vendor/draw/leaflet.draw.css",)),
    "picker": (("js/directory-map-picker.js",), ()),
    "crisis": (("js/crisis-map.js",), ()),  # a crisis report's area, districts and sites (crisis.maps)
}
# Maps that work with the form around them, and the crisis report's map (what its page is for), load with
# the page; a map that only shows (mode None: the public map, an organisation's, a district's, the
# nearest search, a proposal's) loads its scripts when it comes near the screen (static/js/map-loader.js).
EAGER_MODES = frozenset({"editor", "picker", "crisis"})


def map_assets(mode: str | None = None) -> MapAssets:
    """The URLs of the scripts and stylesheets of a map of `mode`, all served by the app."""
    js, css = MODES[mode]
    return MapAssets(
        js=tuple(url_for("static", filename=path) for path in CORE_JS + js),
        css=tuple(url_for("static", filename=path) for path in CORE_CSS + css),
    )


def language() -> str:
    return str(get_locale() or "es")


def base_config() -> dict:
    """The part of every map's configuration that does not depend on the page."""
    lang = language()
    tiles = current_app.config.get("MAP_TILE_URL") or ""
    return {
        "tiles": {"url": tiles, "attribution": "© OpenStreetMap contributors"} if tiles else None,
        "baseUrl": url_for("maps.base_layer"),
        "baseLowUrl": url_for("maps.base_layer", detail="low"),
        "lowZoom": LOW_DETAIL_MAX_ZOOM,
        # Leaflet writes attributions as HTML: the text is escaped here (a translation is text, not markup).
        "baseAttribution": str(
            escape(_("Boundaries: Natural Earth, US Census Bureau, geoBoundaries (© OpenStreetMap contributors, ODbL)"))
        ),
        "placesUrl": url_for("maps.city_names", tier=0).replace("/0.geojson", "/__TIER__.geojson"),
        "organisationUrl": url_for("organisations.organisation_page", organisation_uuid="__ID__"),
        "districtUrl": url_for("referrals.district_page", code="__ID__"),
        "coverageUrl": url_for("maps.organisation_coverage", organisation_uuid="__ID__"),
        "siteUrl": url_for("maps.site_details", site_id=0).replace("/0.json", "/__ID__.json"),
        # The organisations layer's clusters are computed in a worker, with Supercluster (both served by the app).
        "clusterWorkerUrl": url_for("static", filename="js/site-clusters-worker.js"),
        "clusterLibraryUrl": url_for("static", filename="vendor/supercluster/supercluster.min.js"),
        "services": {t.code: getattr(t, lang, t.en) for t in vocabulary.SERVICE_CATEGORIES},
        "labels": {
            "base": _("Boundaries (works offline)"),
            "tiles": _("OpenStreetMap"),
            "organisations": _("Organisations"),
            "districts": _("Consular districts"),
            "coverage": _("Coverage"),
            "consulates": _("Consulates"),
            "details": _("Open the organisation page"),
            "phone": _("Phone"),
            "whatsapp": _("WhatsApp"),
            "lastVerified": _("Last verified"),
            "neverVerified": _("never"),
            "approximate": _("Approximate location (the organisation asked to hide its exact address)"),
            "organisationsCount": _("organisations"),
            # {} is replaced by the number in the script (a translated text, set as a title, never HTML)
            "clusterSites": _("{} sites here: zoom in"),
            "sitesHere": _("Sites at this place"),
            "legendTitle": _("Organisations per district"),
            "noData": _("none"),
            "offline": _("Map tiles unreachable: showing the directory's own base map."),
            "loading": _("Loading the map…"),
            "loadError": _("A map layer could not be loaded."),
            "district": _("District"),
            "approximateDistrict": _("approximate district"),
            "nearestHere": _("Nearest organisations to this point"),
            "locate": _("Show my location"),
        },
    }


def render_map(config: dict, css_class: str, *, center=REGION_CENTER, zoom: int = 3) -> Markup:
    """The HTML of one map: the shell of its mode (`config["mode"]`, built once per process) and the
    page's `config` as a JSON element; the script carries the request's CSP nonce. A map of a mode
    outside EAGER_MODES starts when it scrolls into view: its scripts are handed to map-loader.js and
    the shell's script runs once they have loaded. The only markup joined here is the app's own:
    folium's output for a shell that holds no page text (geo.maps.render_parts), the configuration and
    the script URLs as HTML-safe JSON (config_element, safe_json); URLs, the class and the nonce are
    escaped."""
    assets = map_assets(config.get("mode"))
    parts = map_shell(assets, center=center, zoom=zoom)
    maps_css = url_for("static", filename="css/maps.css")
    nonce = escape(csp_nonce())
    if config.get("mode") in EAGER_MODES:
        scripts = f"{parts.assets}\n"
        start = f'<script nonce="{nonce}">{parts.script}</script>'
    else:
        scripts = "".join(f'<link rel="stylesheet" href="{escape(url)}">\n' for url in assets.css)
        scripts += f'<script src="{escape(url_for("static", filename="js/map-loader.js"))}"></script>\n'
        # The shell's script runs inside the callback; its map stays a global, as when it runs inline.
        body = f"{parts.script}\nwindow.{parts.name} = {parts.name};"
        frame = f"document.getElementById({safe_json(parts.name)})"
        start = (
            f'<script nonce="{nonce}">CamminaMapLoader.whenVisible({frame}, {safe_json(list(assets.js))}, '
            f"function () {{{body}}});</script>"
        )
    html = (
        f'<link rel="stylesheet" href="{escape(maps_css)}">\n{scripts}'
        f'<div class="map-frame {escape(css_class)}">{parts.container}</div>\n'
        f"{config_element(parts, config)}\n{start}"
    )
    return Markup(html)  # nosec B704


def bounds_of(points: list[tuple[float, float]], pad: float = 0.05) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the points, or None."""
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]
