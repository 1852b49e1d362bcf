"""A crisis report as plain JSON-ready data: what the JSON API answers and what exports can start from.
Positions are those of the report (a public report never holds a hidden site's exact point)."""

from __future__ import annotations

import json
from collections.abc import Callable

import shapely

from directory_app.crisis.models import Crisis
from directory_app.crisis.report import AffectedDistrict, CrisisReport, OrganisationHit
from geo.simplify import on_grid

PRECISION = 5  # decimals of degrees in the area's coordinates (about 1 m)


def _share(value: float) -> float:
    return round(value, 6)


def district_data(d: AffectedDistrict) -> dict:
    return {
        "code": d.code,
        "sending_country": d.sending_country,
        "host_country": d.host_country,
        "district_share": _share(d.district_share),
        "area_share": _share(d.area_share),
        "overlap_km2": round(d.overlap_km2, 1),
        "consulate": {
            "name": d.consulate_name,
            "city": d.consulate_city,
            "phone": d.consulate_phone,
            "email": d.consulate_email,
            "url": d.consulate_url,
        },
    }


def organisation_data(o: OrganisationHit, page_url: Callable[[str], str]) -> dict:
    return {
        "id": o.id,
        "name": o.name,
        "country": o.country,
        "url": page_url(o.id),
        "area_share": _share(o.area_share),
        "overlap_km2": round(o.overlap_km2, 1),
        "phones": list(o.phones),
        "emails": list(o.emails),
        "website": o.website,
        "last_verified": o.last_verified.isoformat() if o.last_verified else None,
        "site_inside": o.site_inside,
        "sites": [{"lon": round(lon, PRECISION), "lat": round(lat, PRECISION)} for lon, lat in o.positions],
        "services": list(o.services),
    }


def area_geojson(area: shapely.Geometry) -> dict:
    """The area as a GeoJSON geometry, on a grid of PRECISION decimals."""
    return json.loads(shapely.to_geojson(on_grid(area, 10**-PRECISION)))


def crisis_data(crisis: Crisis) -> dict:
    return {
        "id": crisis.id,
        "name": crisis.name,
        "kind": crisis.kind.value,
        "starts_on": crisis.starts_on.isoformat(),
        "ends_on": crisis.ends_on.isoformat() if crisis.ends_on else None,
        "notes": crisis.notes,
        "area_source": crisis.area_source.value,
        "area_description": crisis.area_description,
        "archived": crisis.is_archived,
    }


def report_document(report: CrisisReport, page_url: Callable[[str], str], crisis: Crisis | None = None) -> dict:
    """The report as JSON-ready data; with `crisis`, its saved fields under "crisis"."""
    document = {
        "exact_locations": report.exact,
        "area": area_geojson(report.area),
        "area_km2": round(report.area_km2, 1),
        "districts": [district_data(d) for d in report.districts],
        "organisations": [organisation_data(o, page_url) for o in report.organisations],
        "services": [
            {"code": g.code, "label": g.label, "organisations": [o.id for o in g.organisations]}
            for g in report.services
        ],
        "gaps": [{"code": g.code, "label": g.label} for g in report.gaps],
    }
    if crisis is not None:
        document = {"crisis": crisis_data(crisis), **document}
    return document
