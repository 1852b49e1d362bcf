"""Maps embedded in the directory's pages: each function returns the HTML fragment (stylesheets,
map container, the page's map configuration as JSON data, and the map script) to put where the map
goes. Every text (entry names, translated labels) is in the configuration, never in the shell folium
writes (geo.maps says why). Geometry is not embedded: the browser fetches it from the GeoJSON endpoints of maps.views.
Positions of sites follow the reader's rights (accounts.access)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from directory_app.accounts import access
from directory_app.maps.assets import base_config, language, map_assets
from directory_app.security import csp_nonce
from geo.maps import MapParts, config_element, map_shell

REGION_CENTER = (30.0, -95.0)  # (lat, lon): from Canada to Panama


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
    config["fit"] = _bounds([(p["lon"], p["lat"]) for p in points])
    coverage_url = url_for("maps.organisation_coverage", organisation_uuid=organisation.uuid)
    config["layers"] = [{"type": "coverage", "url": coverage_url, "fit": True}]
    return render_map(config, "map-organisation")


def district_map(district) -> Markup:
    """The district boundary, its consulate and the sites of the organisations serving it."""
    consulate = district.consulate
    config = base_config() | {
        "title": _("Map of the consular district"),
        "points": [
            {"lon": consulate.lon, "lat": consulate.lat, "kind": "consulate", "label": consulate.name(language())}
        ],
    }
    config["layers"] = [
        {"type": "outline", "url": url_for("maps.district", code=district.code), "fit": True},
        {"type": "organisations", "url": url_for("maps.organisation_points", district=district.code), "fit": False},
    ]
    return render_map(config, "map-district")


def nearest_map(origin: tuple[float, float] | None, results, *, service: str | None = None) -> Markup:
    """The search origin (lon, lat), the organisations found (objects with .name, .lon, .lat and
    .distance_km, positions as the reader may see them), and click-to-search."""
    points = []
    if origin is not None:
        points.append({"lon": origin[0], "lat": origin[1], "kind": "origin", "label": _("Search point")})
    for result in results:
        label = f"{result.name} · {result.distance_km:.1f} km"
        points.append({"lon": result.lon, "lat": result.lat, "kind": "site", "label": label})
    config = base_config() | {"title": _("Map of the nearest organisations"), "points": points}
    config["fit"] = _bounds([(p["lon"], p["lat"]) for p in points])
    click_args = {"service": service} if service else {}
    config["layers"] = [{"type": "clickToSearch", "url": url_for("referrals.nearest", **click_args)}]
    return render_map(config, "map-nearest")


def _bounds(points: list[tuple[float, float]], pad: float = 0.05) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the points, or None."""
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]
