"""An organisation as plain data, in the shape create_organisation takes.

Exports write it; the import compares a stored organisation's snapshot with the snapshot of what a
row would make of it, so that a re-imported file changes nothing. Positions go through
accounts.access (a hidden site is exported at its public, approximate point to the public), and each
site says which it is: "precision" is "exact" or "approximate" (the import never writes an
approximate position over an exact one). With `ids`, the organisation and every item carry their
UUID as "id" (what exports write, so that an import keeps them); the import compares without."""

from __future__ import annotations

from collections.abc import Callable

import shapely
from shapely.geometry import mapping

from directory_app.organisations.models import CoverageKind, Organisation
from directory_app.organisations.translations import other_language_texts

PRECISION = 7  # decimals of degrees kept for positions and geometry (about 1 cm)


def _rounded(geometry) -> dict | None:
    if geometry is None or geometry.is_empty:
        return None
    return mapping(shapely.set_precision(geometry, 10**-PRECISION, mode="pointwise"))


def organisation_snapshot(org: Organisation, position: Callable | None = None, *, ids: bool = False) -> dict:
    """The organisation's data. `position(location, org) -> (lon, lat, exact)` decides which point of
    a site is given (accounts.access.site_position in a request; exact positions without it)."""
    locations = list(org.locations)
    contacts = {id(c): i for i, c in enumerate(org.contacts)}
    index = {id(loc): i for i, loc in enumerate(locations)}
    snapshot = {
        "external_id": org.external_id or "",
        "name": org.name,
        "alternate_name": org.alternate_name or "",
        "description": org.description or "",
        "kind": org.kind,
        "website": org.website or "",
        "email": org.email or "",
        "country_code": org.country_code,
        "status": org.status.value if org.status else "draft",
        "hide_exact_location": bool(org.hide_exact_location),
        "last_verified": org.last_verified.isoformat() if org.last_verified else "",
        "networks": sorted(n.code for n in org.networks),
        "original_language": org.original_language or "es",
        "translations": other_language_texts(org),
        # Phones in a stable order: when an organisation is written, a contact's phones may be
        # inserted before the organisation's own, so their ids do not keep the file's order.
        "phones": sorted((_phone(p, contacts) for p in org.phones), key=_phone_order),
        "contacts": [
            {"name": c.name, "title": c.title or "", "department": c.department or "", "email": c.email or ""}
            for c in org.contacts
        ],
        "locations": [_location(loc, org, position) for loc in locations],
        "services": [_service(s) for s in org.services],
        "coverage": [_coverage_part(p, index) for p in org.coverage_parts],
    }
    return _with_ids(snapshot, org) if ids else snapshot


def _with_ids(snapshot: dict, org: Organisation) -> dict:
    """The snapshot with the organisation's and every item's UUID as "id" (first key of each)."""
    contacts = {id(c): i for i, c in enumerate(org.contacts)}
    rows = {
        "phones": sorted(org.phones, key=lambda p: _phone_order(_phone(p, contacts))),  # as the snapshot's
        "contacts": org.contacts,
        "locations": org.locations,
        "services": org.services,
        "coverage": org.coverage_parts,
    }
    for name, items in rows.items():
        snapshot[name] = [{"id": row.uuid, **item} for row, item in zip(items, snapshot[name])]
    return {"id": org.uuid, **snapshot}


def _phone(phone, contacts: dict[int, int]) -> dict:
    return {
        "number": phone.number,
        "type": phone.type.value,
        "extension": phone.extension or "",
        "description": phone.description or "",
        "contact": contacts.get(id(phone.contact)) if phone.contact is not None else None,
    }


def _phone_order(phone: dict) -> tuple:
    contact = phone["contact"]
    return (contact is not None, contact or 0, phone["number"], phone["type"], phone["extension"], phone["description"])


def _location(loc, org, position) -> dict:
    lon, lat, exact = position(loc, org) if position else (loc.lon, loc.lat, True)
    return {
        "name": loc.name or "",
        "precision": "exact" if exact else "approximate",
        "address": (loc.address or "") if exact else "",
        "city": loc.city or "",
        "region": loc.region or "",
        "postal_code": (loc.postal_code or "") if exact else "",
        "country_code": loc.country_code,
        "lon": round(float(lon), PRECISION),
        "lat": round(float(lat), PRECISION),
    }


def _service(service) -> dict:
    return {
        "category": service.category_code,
        "name": service.name,
        "description": service.description or "",
        "eligibility": service.eligibility or "",
        "fees": service.fees or "",
        "schedule": service.schedule or "",
        "populations": sorted(p.code for p in service.populations),
        "languages": sorted(language.code for language in service.languages),
        "translations": other_language_texts(service),
    }


def _coverage_part(part, index: dict[int, int]) -> dict:
    data: dict = {"kind": part.kind.value, "label": part.label or ""}
    if part.kind is CoverageKind.COUNTRY:
        data["country"] = part.country_code
    elif part.kind is CoverageKind.ADMIN_UNIT:
        data["unit"] = part.admin_unit.code
    elif part.kind is CoverageKind.RADIUS:
        data["location"] = index.get(id(part.location), 0)
        data["radius_km"] = part.radius_km
    else:
        data["geometry"] = _rounded(part.geometry)
    return data
