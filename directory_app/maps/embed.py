"""Maps embedded in the directory's pages: each function returns the HTML fragment (asset links,
map container and script) to put where the map goes. Geometry is not embedded: the browser
fetches it from the GeoJSON endpoints of maps.views. Positions of sites follow the reader's
rights (accounts.access)."""

from __future__ import annotations

from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from directory_app.accounts import access
from directory_app.maps.assets import base_config, language, map_assets
from geo.maps import MapParts, add_point, attach_layers, base_map, render_parts


def render_map(parts: MapParts, css_class: str = "") -> Markup:
    """The fragment for one map; the script carries the request's CSP nonce when there is one."""
    nonce = getattr(g, "csp_nonce", None)
    nonce_attr = Markup(' nonce="{}"').format(nonce) if nonce else ""
    return Markup(
        '<link rel="stylesheet" href="{maps_css}">\n{assets}\n<div class="map-frame {css}">{container}</div>\n'
        "<script{nonce}>{script}</script>"
    ).format(
        maps_css=url_for("static", filename="css/maps.css"),
        assets=Markup(parts.assets),
        css=css_class,
        container=Markup(parts.container),
        nonce=nonce_attr,
        script=Markup(parts.script),
    )


def organisation_map(organisation) -> Markup:
    """The organisation's sites (as the current reader may see them) and its coverage."""
    assets = map_assets()
    m = base_map(assets, locate_label=_("Show my location"))
    for location in organisation.locations:
        lon, lat, exact = access.site_position(location, organisation)
        label = location.name or organisation.name
        if not exact:
            label = f"{label} ({_('approximate location')})"
        add_point(m, lon, lat, label, kind="site")
    config = base_config() | {"title": _("Map of %(name)s", name=organisation.name)}
    config["layers"] = [
        {
            "type": "coverage",
            "url": url_for("maps.organisation_coverage", organisation_uuid=organisation.uuid),
            "fit": True,
        }
    ]
    attach_layers(m, assets, config)
    _fit_points(m, [access.site_position(loc, organisation)[:2] for loc in organisation.locations])
    return render_map(render_parts(m), "map-organisation")


def district_map(district) -> Markup:
    """The district boundary, its consulate and the sites of the organisations serving it."""
    assets = map_assets()
    consulate = district.consulate
    m = base_map(assets, center=(consulate.lat, consulate.lon), zoom=6, locate_label=_("Show my location"))
    add_point(m, consulate.lon, consulate.lat, consulate.name(language()), kind="consulate")
    config = base_config() | {"title": _("Map of the consular district")}
    config["layers"] = [
        {"type": "outline", "url": url_for("maps.district", code=district.code), "fit": True},
        {"type": "organisations", "url": url_for("maps.organisation_points", district=district.code), "fit": False},
    ]
    attach_layers(m, assets, config)
    return render_map(render_parts(m), "map-district")


def nearest_map(origin: tuple[float, float] | None, results, *, service: str | None = None) -> Markup:
    """The search origin (lon, lat), the organisations found (objects with .organisation,
    .lon, .lat, .distance_km as the reader may see them), and click-to-search."""
    assets = map_assets()
    m = base_map(assets, locate_label=_("Show my location"))
    points = []
    if origin is not None:
        add_point(m, origin[0], origin[1], _("Search point"), kind="origin")
        points.append(origin)
    for result in results:
        add_point(m, result.lon, result.lat, f"{result.name} · {result.distance_km:.1f} km", kind="site")
        points.append((result.lon, result.lat))
    config = base_config() | {"title": _("Map of the nearest organisations")}
    click_args = {"service": service} if service else {}
    config["layers"] = [{"type": "clickToSearch", "url": url_for("geography.nearest", **click_args)}]
    attach_layers(m, assets, config)
    _fit_points(m, points)
    return render_map(render_parts(m), "map-nearest")


def _fit_points(m, points) -> None:
    if points:
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        pad = 0.05
        m.fit_bounds([[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]], max_zoom=12)
