"""What every map of the directory shares: local asset URLs, tiles, translated labels."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from directory_app import vocabulary
from geo.maps import MapAssets


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
