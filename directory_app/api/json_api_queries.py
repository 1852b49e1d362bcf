"""The JSON API's answers as plain dicts, built on the directory's own queries (organisations.search,
organisations.queries, geography.units). No Flask here: the views pass in who reads (exact
positions) and how to build URLs."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate
from directory_app.geography.provenance import Provenance, district_provenance
from directory_app.geography.units import districts_at, units_at
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.queries import Services, nearest_organisations, organisations_serving
from directory_app.organisations.search import DirectoryQuery, search_directory
from directory_app.organisations.site_boxes import Box, organisations_shown_in_boxes

UrlFor = Callable[[str], str]  # organisation uuid -> its page


def search_organisations(
    query: DirectoryQuery, per_page: int, page_url: UrlFor, bbox: Box | None = None, viewer_key: str = "public"
) -> dict:
    """One page of the directory search (the same filters and order as /organisations); with `bbox`, only
    the organisations with a site inside it at the position this reader is shown (site_boxes)."""
    among = organisations_shown_in_boxes(viewer_key, (bbox,)) if bbox else None
    result = search_directory(query, per_page=per_page, among=among)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "per_page": per_page,
        "organisations": [
            {
                "id": entry.uuid,
                "name": entry.name,
                "alternate_name": entry.alternate_name,
                "country": entry.country_code,
                "last_verified": entry.last_verified.isoformat() if entry.last_verified else None,
                "services": entry.categories,
                "cities": entry.cities,
                "url": page_url(entry.uuid),
            }
            for entry in result.organisations
        ],
    }


def organisation_detail(organisation_uuid: str, exact: Callable[[bool, str], bool], page_url: UrlFor) -> dict | None:
    """A published organisation with its services and sites (positions as the reader may see them)."""
    org = db.session.scalar(
        select(Organisation)
        .where(Organisation.uuid == organisation_uuid, Organisation.status == Status.PUBLISHED)
        .options(selectinload(Organisation.services), selectinload(Organisation.locations))
    )
    if org is None:
        return None
    is_exact = exact(org.hide_exact_location, org.country_code)
    return {
        "id": org.uuid,
        "name": org.name,
        "alternate_name": org.alternate_name,
        "country": org.country_code,
        "description": org.description,
        "last_verified": org.last_verified.isoformat() if org.last_verified else None,
        "url": page_url(org.uuid),
        "services": [
            {"id": s.uuid, "name": s.name, "category": s.category_code, "active": s.is_active} for s in org.services
        ],
        "sites": [
            {
                "id": loc.uuid,
                "name": loc.name,
                "city": loc.city,
                "region": loc.region,
                "country": loc.country_code,
                "address": loc.address if is_exact else None,
                "lon": round(loc.lon if is_exact else loc.public_lon, 5),
                "lat": round(loc.lat if is_exact else loc.public_lat, 5),
                "exact_position": is_exact,
            }
            for loc in org.locations
        ],
    }


def nearest(lon: float, lat: float, k: int, category: Services, exact: bool, page_url: UrlFor) -> dict:
    """The k published organisations nearest the point (by their nearest site), nearest first.
    With exact=False distances and positions use public positions only."""
    found = nearest_organisations(lon, lat, k=k, category=category, exact=exact)
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation).where(Organisation.id.in_([n.organisation_id for n in found]))
        ).all()
    )
    return {
        "lon": lon,
        "lat": lat,
        "organisations": [
            {
                "id": names[n.organisation_id].uuid,
                "name": names[n.organisation_id].name,
                "country": names[n.organisation_id].country_code,
                "url": page_url(names[n.organisation_id].uuid),
                "lon": round(n.lon, 5),
                "lat": round(n.lat, 5),
                "distance_km": round(n.distance_km, 3),
            }
            for n in found
        ],
    }


def _district_summary(district: ConsularDistrict, consulate: Consulate, provenance: Provenance) -> dict:
    return {
        "code": district.code,
        "sending_country": district.sending_country_code,
        "approximate": district.is_approximate,
        "provenance": provenance.as_dict(),
        "area_km2": round(district.area_km2, 1),
        "consulate": {
            "code": consulate.code,
            "name_es": consulate.name_es,
            "name_en": consulate.name_en,
            "city": consulate.city,
            "host_country": consulate.host_country_code,
            "lon": round(consulate.lon, 5),
            "lat": round(consulate.lat, 5),
        },
    }


def list_districts(sending_country: str | None) -> list[dict]:
    """Every consular district (of one sending country), by code."""
    statement = select(ConsularDistrict, Consulate).join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
    if sending_country:
        statement = statement.where(ConsularDistrict.sending_country_code == sending_country)
    rows = db.session.execute(statement.order_by(ConsularDistrict.code)).all()
    provenance = district_provenance([district.id for district, _consulate in rows])
    return [_district_summary(district, consulate, provenance[district.id]) for district, consulate in rows]


def district_organisations(
    code: str,
    category: Services,
    limit: int,
    offset: int,
    page_url: UrlFor,
    bbox: Box | None = None,
    viewer_key: str = "public",
) -> dict | None:
    """The published organisations serving a district, largest share first; None for an unknown code.
    With `bbox`, only those with a site inside it at the position this reader is shown (site_boxes)."""
    row = db.session.execute(
        select(ConsularDistrict, Consulate)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(ConsularDistrict.code == code)
    ).first()
    if row is None:
        return None
    among = organisations_shown_in_boxes(viewer_key, (bbox,)) if bbox else None
    serving, total = organisations_serving(row[0].id, category, limit=limit, offset=offset, among=among)
    return {
        "district": _district_summary(*row, district_provenance([row[0].id])[row[0].id]),
        "total": total,
        "limit": limit,
        "offset": offset,
        "organisations": [
            {
                "id": s.organisation.uuid,
                "name": s.organisation.name,
                "country": s.organisation.country_code,
                "url": page_url(s.organisation.uuid),
                "share": round(s.share, 4),
                "overlap_km2": round(s.overlap_km2, 1),
            }
            for s in serving
        ],
    }


def _unit(unit: AdminUnit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name_local,
        "name_es": unit.name_es,
        "name_en": unit.name_en,
        "level": unit.level,
        "country": unit.country_code,
    }


def places_at(lon: float, lat: float) -> dict:
    """The admin units (leaf and parent) and the consular districts that contain the point."""
    districts = districts_at(lon, lat)
    provenance = district_provenance([d.id for d in districts])
    consulates = {
        c.id: c
        for c in db.session.scalars(select(Consulate).where(Consulate.id.in_([d.consulate_id for d in districts])))
    }
    return {
        "lon": lon,
        "lat": lat,
        "admin_units": [_unit(unit) for unit in units_at(lon, lat)],
        "districts": [_district_summary(d, consulates[d.consulate_id], provenance[d.id]) for d in districts],
    }
