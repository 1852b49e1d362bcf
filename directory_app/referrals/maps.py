"""The maps of the referral pages: a consular district (its boundary, its consulate and the sites of
the organisations serving it) and the nearest search (origin, results, click to search again)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from directory_app.embedded_maps import base_config, bounds_of, language, render_map
from directory_app.organisations.service_choice import NO_CHOICE, ServiceChoice


def district_map(district, services: ServiceChoice = NO_CHOICE) -> Markup:
    """The district boundary, its consulate and the sites of the organisations serving it (those offering
    the chosen services)."""
    consulate = district.consulate
    config = base_config() | {
        "title": _("Map of the consular district"),
        "points": [
            {"lon": consulate.lon, "lat": consulate.lat, "kind": "consulate", "label": consulate.name(language())}
        ],
    }
    config["layers"] = [
        {"type": "outline", "url": url_for("maps.district", code=district.code), "fit": True},
        {
            "type": "organisations",
            "url": url_for("maps.organisation_point_table", district=district.code, **services.url_args()),
            "fit": False,
        },
    ]
    return render_map(config, "map-district")


def nearest_map(origin: tuple[float, float] | None, results, *, services: ServiceChoice = NO_CHOICE) -> Markup:
    """The search origin (lon, lat), the organisations found (objects with .name, .lon, .lat and
    .distance_km, positions as the reader may see them), and click-to-search."""
    points = []
    if origin is not None:
        points.append({"lon": origin[0], "lat": origin[1], "kind": "origin", "label": _("Search point")})
    for result in results:
        label = f"{result.name} · {result.distance_km:.1f} km"
        points.append({"lon": result.lon, "lat": result.lat, "kind": "site", "label": label})
    config = base_config() | {"title": _("Map of the nearest organisations"), "points": points}
    config["fit"] = bounds_of([(p["lon"], p["lat"]) for p in points])
    config["layers"] = [{"type": "clickToSearch", "url": url_for("referrals.nearest", **services.url_args())}]
    return render_map(config, "map-nearest")
