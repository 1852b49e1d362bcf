"""Maps embedded in the directory's pages: each function returns the HTML fragment (stylesheets,
map container and scripts) to put where the map goes. Geometry is not embedded: the browser fetches
it from the GeoJSON endpoints of maps.views."""

from __future__ import annotations

from markupsafe import Markup


def organisation_map(organisation) -> Markup:
    """The organisation's sites (as the current reader may see them) and its coverage."""
    return Markup("")


def district_map(district) -> Markup:
    """The district boundary, its consulate and the sites of the organisations serving it."""
    return Markup("")


def nearest_map(origin: tuple[float, float] | None, results) -> Markup:
    """The search origin (lon, lat), the nearest organisations found, and click-to-search."""
    return Markup("")
