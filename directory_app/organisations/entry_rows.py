"""Rows of an organisation written from its checked data (organisations.entry_checks): sites, services,
contact people, phones and coverage parts, and what needs the database to be checked (member
countries, networks, admin units). Used by organisations.services, the one write path; items named
by their "id" keep their row (and so their public id).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import MANYTOONE

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.geography.units import leaf_units
from directory_app.organisations.entry_checks import (
    check_contact,
    check_coverage,
    check_phone,
    check_position,
    check_service,
    check_site,
)
from directory_app.organisations.entry_data import ABSENT, CoverageData, EntryData
from directory_app.organisations.models import (
    Contact,
    CoverageKind,
    CoveragePart,
    Location,
    Network,
    Organisation,
    Phone,
    PhoneType,
    Population,
    Service,
    ServiceLanguage,
    Status,
)
from directory_app.organisations.phones import CheckedPhone, normalise_phone
from directory_app.organisations.sites import place_sites
from geo.coverage import circle


def member_country(code: str, field: str) -> str:
    if db.session.get(Country, code) is None:
        raise ValidationError(_("'%(code)s' is not a member country", code=code), field=field)
    return code


def set_fields(org: Organisation, entry: EntryData) -> None:
    """The organisation's own fields that `entry` (checked) says."""
    for name in ("name", "description", "kind", "hide_exact_location"):
        if getattr(entry, name) is not ABSENT:
            setattr(org, name, getattr(entry, name))
    for name in ("alternate_name", "website", "email", "external_id"):
        if getattr(entry, name) is not ABSENT:
            setattr(org, name, getattr(entry, name) or None)
    if entry.country_code is not ABSENT:
        org.country_code = member_country(entry.country_code, "country_code")
    if entry.status is not ABSENT:
        org.status = Status(entry.status)
    if entry.last_verified is not ABSENT:
        org.last_verified = date.fromisoformat(entry.last_verified) if entry.last_verified else None
    if entry.networks is not ABSENT:
        codes = entry.networks
        networks = db.session.scalars(select(Network).where(Network.code.in_(codes))).all() if codes else []
        unknown = set(codes) - {n.code for n in networks}
        if unknown:
            raise ValidationError(
                _("unknown network(s): %(codes)s", codes=", ".join(sorted(unknown))), field="networks"
            )
        org.networks = list(networks)


def set_lists(org: Organisation, entry: EntryData, rows: dict) -> None:
    """The contact people, phones, sites and services that `entry` says (a list it does not say stays)."""
    if entry.contacts is not ABSENT:
        org.contacts = [kept(rows, c.id, _contact(c, f"contacts[{i}]")) for i, c in enumerate(entry.contacts)]
    if entry.phones is not ABSENT:
        org.phones = [
            kept(rows, p.id, _phone(p, f"phones[{i}]", org.contacts, org.country_code, rows))
            for i, p in enumerate(entry.phones)
        ]
    if entry.locations is not ABSENT:
        sites = entry.locations
        org.locations = [kept(rows, item.id, loc) for item, loc in zip(sites, _locations(sites, org))]
    elif entry.hide_exact_location is not ABSENT and org.locations:
        _place_again(org)
    if entry.services is not ABSENT:
        org.services = [
            kept(rows, s.id, _service(s, f"services[{i}]", org.locations)) for i, s in enumerate(entry.services)
        ]
    elif entry.locations is not ABSENT:
        for service in org.services:  # every service is offered at every site
            service.locations = list(org.locations)


def set_coverage_parts(org: Organisation, parts: list[CoverageData]) -> None:
    with db.session.no_autoflush:
        rows = rows_by_uuid(org, ("coverage_parts",))
        org.coverage_parts = [
            kept(rows, p.id, _coverage_part(p, f"coverage[{i}]", org.locations)) for i, p in enumerate(parts)
        ]


def _phone(item, field: str, contacts: list[Contact], region: str, rows: dict) -> Phone:
    item = check_phone(item, field, len(contacts))
    # A new or changed number must be valid for the organisation's country (or carry its +code) and
    # is written in international format (organisations.phones); a saved phone whose number is sent
    # back unchanged stays as it was written.
    phone = CheckedPhone(item.number, item.extension)
    if not item.id or stored_number(rows, str(item.id)) != item.number:
        phone = normalise_phone(item.number, item.extension, region, f"{field}.number")
    return Phone(
        number=phone.number,
        type=PhoneType(item.type),
        extension=phone.extension,
        description=item.description,
        contact=None if item.contact is None else contacts[item.contact],
    )


def stored_number(rows: dict, phone_id: str) -> str | None:
    """The number saved for the phone `phone_id`: from this organisation's rows, else (an import's
    preview builds a new organisation) from the database."""
    row = rows.get(phone_id)
    if isinstance(row, Phone):
        return row.number
    return db.session.scalar(select(Phone.number).where(Phone.uuid == phone_id))


def _contact(item, field: str) -> Contact:
    item = check_contact(item, field)
    return Contact(name=item.name, title=item.title, department=item.department, email=item.email or None)


def _placements(points: list[tuple[float, float, bool]]) -> list:
    """The derived columns (unit, public position, grid keys, vectors) of (lon, lat, hidden) sites."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    units = leaf_units(bbox=(min(lons), min(lats), max(lons), max(lats)))
    labels = dict(
        (r.id, (r.label_lon, r.label_lat))
        for r in db.session.execute(
            select(AdminUnit.id, AdminUnit.label_lon, AdminUnit.label_lat).where(
                AdminUnit.id.in_([int(i) for i in units.ids])
            )
        )
    )
    return place_sites(units, labels, points)


def _place_again(org: Organisation) -> None:
    """The stored sites' public positions (and what derives from them) after hide_exact_location was
    said without the sites: every reader's position stays a stored column (organisations.site_boxes)."""
    sites = list(org.locations)
    for site, placement in zip(sites, _placements([(s.lon, s.lat, org.hide_exact_location) for s in sites])):
        for name, value in placement.columns().items():
            setattr(site, name, value)


def _locations(items: list, org: Organisation) -> list[Location]:
    positions = [check_position(item, f"locations[{i}]") for i, item in enumerate(items)]
    if not positions:
        return []
    placements = _placements([(lon, lat, org.hide_exact_location) for lon, lat in positions])
    locations = []
    for i, (item, placement, position) in enumerate(zip(items, placements, positions)):
        field = f"locations[{i}]"
        site = check_site(item, field, position)
        locations.append(
            Location(
                name=site.name,
                address=site.address,
                city=site.city,
                region=site.region,
                postal_code=site.postal_code,
                country_code=member_country(site.country_code or org.country_code, f"{field}.country_code"),
                lon=site.lon,
                lat=site.lat,
                **placement.columns(),
            )
        )
    return locations


def _service(item, field: str, locations: list[Location]) -> Service:
    item = check_service(item, field)
    return Service(
        category_code=item.category,
        name=item.name,
        description=item.description,
        eligibility=item.eligibility,
        fees=item.fees,
        schedule=item.schedule,
        populations=[db.session.get(Population, c) for c in item.populations],
        languages=[ServiceLanguage(code=c) for c in item.languages],
        locations=list(locations),
    )


def _coverage_part(item: CoverageData, field: str, locations: list[Location]) -> CoveragePart:
    item = check_coverage(item, field, len(locations))
    kind = CoverageKind(item.kind)
    part = CoveragePart(kind=kind, label=item.label)
    if kind is CoverageKind.COUNTRY:
        part.country_code = member_country(item.country, f"{field}.country")
    elif kind is CoverageKind.ADMIN_UNIT:
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == item.unit))
        if unit is None:
            raise ValidationError(_("unknown admin unit code '%(code)s'", code=item.unit), field=f"{field}.unit")
        part.admin_unit = unit
    elif kind is CoverageKind.RADIUS:
        site = locations[item.location]
        part.location, part.radius_km = site, item.radius_km
        part.set_geometry(circle(site.lon, site.lat, item.radius_km))
    else:
        part.set_geometry(item.geometry)
    return part


_ROW_LISTS = ("contacts", "phones", "locations", "services")
# Columns a kept row keeps: its identity, and the copy of its organisation's status (Location.
# organisation_status, kept in step by organisations.sites' session hooks, never by the entry's data).
_OWN_COLUMNS = {"id", "uuid", "organisation_id", "created_at", "updated_at", "organisation_status"}


def rows_by_uuid(org: Organisation, lists: tuple[str, ...] = _ROW_LISTS) -> dict[str, object]:
    """The organisation's current rows (sites, services, people, phones, coverage parts) by uuid."""
    if org.id is None:
        return {}
    return {row.uuid: row for name in lists for row in getattr(org, name)}


def kept(rows: dict[str, object], item_id: str | None, new):
    """The row named by `item_id` (a row of this organisation, of the same type) with `new`'s
    values, so that its id stays what it was: what lets a review tell which service, site or phone
    two people changed (entry_merge) and keeps the public ids (HSDS) of unchanged items. `new`
    when no id is given (a new item, imported data) or an id that is not one of these rows."""
    item_id = str(item_id or "")
    existing = rows.pop(item_id, None) if item_id else None
    if existing is None or type(existing) is not type(new):
        free = free_uuid(type(new), item_id, rows)
        if free:
            new.uuid = free  # an item removed earlier comes back as itself (a restore)
        return new
    mapper, values = sa_inspect(type(new)), dict(sa_inspect(new).dict)
    related = {}
    for rel in mapper.relationships:  # the new object lets go of what it points to (and of backrefs)
        if rel.key in values and rel.key != "organisation" and not rel.viewonly:
            related[rel.key] = list(values[rel.key]) if rel.uselist else values[rel.key]
            setattr(new, rel.key, [] if rel.uselist else None)
    if new in db.session:
        db.session.expunge(new)
    set_by_relationship = set()
    for rel in mapper.relationships:
        local = {column.key for column in rel.local_columns}
        if rel.key == "organisation" or rel.viewonly:
            continue
        if rel.key in related:
            setattr(existing, rel.key, related[rel.key])
            set_by_relationship |= local
        elif rel.direction is MANYTOONE and not local & set(values):
            setattr(existing, rel.key, None)
            set_by_relationship |= local
    for column in mapper.column_attrs:
        if column.key in _OWN_COLUMNS or column.key in set_by_relationship:
            continue
        default = column.columns[0].default
        fallback = default.arg if default is not None and not callable(default.arg) else None
        setattr(existing, column.key, values.get(column.key, fallback))
    return existing


def free_uuid(row_type: type, item_id: str, rows: dict) -> str | None:
    """`item_id` as a uuid when no row of that type has it (nor another item of this save)."""
    try:
        item_id = str(UUID(item_id))
    except ValueError:
        return None
    taken = rows.setdefault(None, set())
    if item_id in taken or db.session.scalar(select(row_type.id).where(row_type.uuid == item_id)) is not None:
        return None
    taken.add(item_id)
    return item_id
