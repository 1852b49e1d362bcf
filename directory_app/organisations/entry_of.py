"""An organisation's data (organisations.entry_data.EntryData) read from its rows: the one builder.

Two uses, one function:
- `snapshot_of(org)`: what a proposal carries, a revision keeps and a restore applies again (every
  item with its id, the additional information, positions as stored);
- `exchange_snapshot(org, position, ids=...)`: what exports write and what an import compares. A
  site's position goes through `position(location, org) -> (lon, lat, exact)` (accounts.access.site_position
  in a request: a hidden site is given at its public, approximate point, without street nor postal
  code, and says so in its "precision"); positions and drawn areas are rounded to PRECISION decimals;
  phones come in a stable order (a contact's phones may be written before the organisation's own,
  so their ids do not keep the file's order); with `ids`, the organisation and every item carry
  their uuid; the additional information is not part of it (exports write it in columns of its own).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import shapely
from shapely.geometry import mapping

from directory_app.organisations.entry_data import (
    ABSENT,
    ContactData,
    CoverageData,
    EntryData,
    PhoneData,
    ServiceData,
    SiteData,
)
from directory_app.organisations.models import CoverageKind, CoveragePart, Organisation
from directory_app.organisations.translations import other_language_texts

PRECISION = 7  # decimals of degrees kept for positions and geometry in exchanges (about 1 cm)
Position = Callable[[Any, Organisation], tuple[float, float, bool]]


def entry_of(
    org: Organisation,
    *,
    position: Position | None = None,
    ids: bool = True,
    organisation_id: bool = False,
    extra: bool = True,
    decimals: int | None = None,
    stable_phone_order: bool = False,
) -> EntryData:
    """The organisation's data. `position` decides which point of a site is given (and marks each
    site's "precision"); `ids`: items carry their uuid; `organisation_id`: the data its own;
    `extra`: with the additional information; `decimals`: positions and areas rounded;
    `stable_phone_order`: phones sorted by (contact, number...) rather than as stored."""
    locations = list(org.locations)
    contacts = {id(c): i for i, c in enumerate(org.contacts)}
    sites = {id(loc): i for i, loc in enumerate(locations)}
    phones = [(_phone(p, contacts), p) for p in org.phones]
    if stable_phone_order:
        phones.sort(key=lambda pair: _phone_order(pair[0]))
    entry = EntryData(
        id=org.uuid if organisation_id else ABSENT,
        name=org.name,
        alternate_name=org.alternate_name or "",
        description=org.description or "",
        kind=org.kind,
        website=org.website or "",
        email=org.email or "",
        country_code=org.country_code,
        status=str(org.status) if org.status else "draft",
        hide_exact_location=bool(org.hide_exact_location),
        last_verified=org.last_verified.isoformat() if org.last_verified else None,
        external_id=org.external_id or "",
        networks=sorted(n.code for n in org.networks),
        original_language=org.original_language or "es",
        translations=other_language_texts(org),
        services=[_service(s) for s in org.services],
        locations=[_site(loc, org, position, decimals) for loc in locations],
        contacts=[
            ContactData(name=c.name, title=c.title or "", department=c.department or "", email=c.email or "")
            for c in org.contacts
        ],
        phones=[data for data, _row in phones],
        coverage=[_coverage(part, sites, decimals) for part in org.coverage_parts],
        extra=_extra(org) if extra else ABSENT,
    )
    if ids:
        rows = {
            "services": org.services,
            "locations": locations,
            "contacts": org.contacts,
            "phones": [row for _data, row in phones],
            "coverage": org.coverage_parts,
        }
        for name, items in rows.items():
            for item, row in zip(getattr(entry, name), items):
                item.id = row.uuid
    return entry


def snapshot_of(org: Organisation) -> dict[str, Any]:
    """The whole organisation as stored JSON: what proposals carry and revisions keep."""
    return entry_of(org).to_json()


def exchange_snapshot(org: Organisation, position: Position | None = None, *, ids: bool = False) -> dict:
    """The organisation as exports write it and an import compares it (see the module docstring)."""
    entry = entry_of(
        org,
        position=position or _exact,
        ids=ids,
        organisation_id=ids,
        extra=False,
        decimals=PRECISION,
        stable_phone_order=True,
    )
    data = entry.to_json()
    data["last_verified"] = data["last_verified"] or ""  # as exports have always written it
    return data


def _exact(location, org) -> tuple[float, float, bool]:
    return location.lon, location.lat, True


def _extra(org: Organisation) -> dict[str, str]:
    from directory_app.extra_fields.services import snapshot_values

    return snapshot_values(org)


def _service(service) -> ServiceData:
    return ServiceData(
        category=service.category_code,
        name=service.name,
        description=service.description or "",
        eligibility=service.eligibility or "",
        fees=service.fees or "",
        schedule=service.schedule or "",
        populations=sorted(p.code for p in service.populations),
        languages=sorted(language.code for language in service.languages),
        translations=other_language_texts(service),
    )


def _site(loc, org: Organisation, position: Position | None, decimals: int | None) -> SiteData:
    lon, lat, exact = position(loc, org) if position else (loc.lon, loc.lat, True)
    if decimals is not None:
        lon, lat = round(float(lon), decimals), round(float(lat), decimals)
    return SiteData(
        name=loc.name or "",
        address=(loc.address or "") if exact else "",
        city=loc.city or "",
        region=loc.region or "",
        postal_code=(loc.postal_code or "") if exact else "",
        country_code=loc.country_code,
        lon=lon,
        lat=lat,
        precision=None if position is None else "exact" if exact else "approximate",
    )


def _phone(phone, contacts: dict[int, int]) -> PhoneData:
    return PhoneData(
        number=phone.number,
        type=str(phone.type),
        extension=phone.extension or "",
        description=phone.description or "",
        contact=contacts.get(id(phone.contact)) if phone.contact is not None else None,
    )


def _phone_order(phone: PhoneData) -> tuple:
    contact = phone.contact
    return (contact is not None, contact or 0, phone.number, phone.type, phone.extension, phone.description)


def _coverage(part: CoveragePart, sites: dict[int, int], decimals: int | None) -> CoverageData:
    data = CoverageData(kind=str(part.kind), label=part.label or "")
    if part.kind is CoverageKind.COUNTRY:
        data.country = part.country_code
    elif part.kind is CoverageKind.ADMIN_UNIT:
        data.unit = part.admin_unit.code
    elif part.kind is CoverageKind.RADIUS:
        data.location = sites.get(id(part.location), 0)
        data.radius_km = part.radius_km
    else:
        data.geometry = _geometry(part.geometry, decimals)
    return data


def _geometry(geometry, decimals: int | None) -> dict | None:
    if geometry is None:
        return None
    if decimals is None:
        return json.loads(shapely.to_geojson(geometry))
    if geometry.is_empty:
        return None
    return mapping(shapely.set_precision(geometry, 10**-decimals, mode="pointwise"))
