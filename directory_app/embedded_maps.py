"""The one pipeline of every map a page embeds: local asset URLs, tiles and translated labels shared by
every map (base_config), and the HTML fragment (map_fragment) that puts a folium shell and the page's
configuration where the map goes. Every text (entry names, translated labels) travels in the
configuration, never in the shell folium writes (geo.maps says why); geometry is not embedded: the
browser fetches it from the GeoJSON endpoints of maps.views. Each feature builds its own maps on it:
organisations.maps (an organisation's map, the coverage editor), referrals.maps (a district, the
nearest search), maps.public_map (the public map)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from directory_app import vocabulary
from directory_app.security import csp_nonce
from geo.maps import MapAssets, MapParts, config_element, map_shell

REGION_CENTER = (30.0, -95.0)  # (lat, lon): from Canada to Panama


def map_assets() -> MapAssets:
    def vendor(path: str) -> str:
        return url_for("static", filename=f"vendor/{path}")

    return MapAssets(
        leaflet_js=vendor("leaflet/leaflet.js"),
        leaflet_css=vendor("leaflet/leaflet.css"),
        markercluster_js=vendor("markercluster/leaflet.markercluster.js"),
        markercluster_css=(
            vendor("markercluster/MarkerCluster.css"),
            vendor("markercluster/MarkerCluster.Default.css"),
        ),
        fullscreen_js=vendor("fullscreen/Control.FullScreen.js"),
        fullscreen_css=vendor("fullscreen/Control.FullScreen.css"),
        locate_js=vendor("locate/L.Control.Locate.min.js"),
        locate_css=vendor("locate/L.Control.Locate.min.css"),
        directory_js=url_for("static", filename="js/directory-map.js"),
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
        "organisationUrl": url_for("organisations.organisation_page", organisation_uuid="__ID__"),
        "districtUrl": url_for("referrals.district_page", code="__ID__"),
        "coverageUrl": url_for("maps.organisation_coverage", organisation_uuid="__ID__"),
        "services": {t.code: getattr(t, lang, t.en) for t in vocabulary.SERVICE_CATEGORIES},
        "labels": {
            "base": _("Boundaries (works offline)"),
            "tiles": _("OpenStreetMap"),
            "organisations": _("Organisations"),
            "districts": _("Consular districts"),
            "coverage": _("Coverage"),
            "consulates": _("Consulates"),
            "details": _("Open the organisation page"),
            "approximate": _("Approximate location (the organisation asked to hide its exact address)"),
            "organisationsCount": _("organisations"),
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
    """The fragment for one map: the cached shell for this language, and this page's `config`."""
    return map_fragment(map_shell(map_assets(), center=center, zoom=zoom), config, css_class)


def map_fragment(parts: MapParts, config: dict, css_class: str) -> Markup:
    """A rendered shell and a page's `config` as one HTML fragment; the script carries the request's
    CSP nonce. The only markup joined here is the app's own: folium's output for a shell that holds no
    page text (geo.maps.render_parts), and the configuration as HTML-safe JSON (config_element); the
    stylesheet's URL, the class and the nonce are escaped."""
    maps_css = url_for("static", filename="css/maps.css")
    html = (
        f'<link rel="stylesheet" href="{escape(maps_css)}">\n{parts.assets}\n'
        f'<div class="map-frame {escape(css_class)}">{parts.container}</div>\n'
        f'{config_element(parts, config)}\n<script nonce="{escape(csp_nonce())}">{parts.script}</script>'
    )
    return Markup(html)  # nosec B704


def bounds_of(points: list[tuple[float, float]], pad: float = 0.05) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the points, or None."""
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]
