"""Creating and updating organisations from plain data (forms, imports and demo data use it).

`data` is a dict; nested lists describe phones, contacts, locations, services and coverage
parts (see `save_organisation`). Every problem raises ValidationError naming the field; the
caller's transaction is then rolled back, so nothing is half-written.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import pycountry
from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import MANYTOONE

from directory_app import vocabulary
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import geo_text
from directory_app.geography.models import AdminUnit, Country
from directory_app.geography.units import leaf_units
from directory_app.i18n import format_number
from directory_app.models_base import utcnow
from directory_app.organisations.coverage import recompute_coverage
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
from directory_app.organisations.sites import place_sites
from geo.coverage import circle
from geo.validate import GeometryError, check_lon_lat, check_polygonal, geometry_from_geojson

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _text(data: dict, key: str, field: str, *, required: bool = False, max_length: int = 300) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ValidationError(_("this field is required"), field=field)
    if len(value) > max_length:
        raise ValidationError(
            _("at most %(max)s characters (got %(n)s)", max=format_number(max_length), n=format_number(len(value))),
            field=field,
        )
    return value


def language_code(code: str, field: str) -> str:
    """An ISO 639 code, normalised to ISO 639-1 where the language has one."""
    code = (code or "").strip().lower()
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if language is None:
        raise ValidationError(_("'%(code)s' is not an ISO 639 language code", code=code), field=field)
    return getattr(language, "alpha_2", language.alpha_3)


def create_organisation(data: dict) -> Organisation:
    """Create an organisation with its sites, services, contacts and coverage.

    Keys: name, alternate_name, description, kind, website, email, country_code, status,
    hide_exact_location, last_verified (date or ISO string), external_id, networks (codes),
    phones [{number, type, extension, description, contact: index in contacts or None}],
    contacts [{name, title, department, email}],
    locations [{name, address, city, region, postal_code, lon, lat}],
    services [{category, name, description, eligibility, fees, schedule, populations, languages}],
    coverage [{kind: admin_unit, unit: code} | {kind: country, country: code} |
    {kind: radius, location: index, radius_km} | {kind: polygon, geometry: GeoJSON}]."""
    org = Organisation()
    _fill(org, data)
    db.session.add(org)
    return replace_coverage(org, data.get("coverage") or [])


def update_organisation(org: Organisation, data: dict) -> Organisation:
    """Replace everything the organisation holds with `data` (the create_organisation format):
    fields, phones, contacts, sites, services and coverage. Its uuid and id stay; the version
    counter moves on even when only child rows change (updated_at is always written)."""
    _fill(org, data)
    org.updated_at = utcnow()
    return replace_coverage(org, data.get("coverage") or [])


def _set_coverage_parts(org: Organisation, parts: list[dict]) -> None:
    with db.session.no_autoflush:
        rows = _rows_by_uuid(org, ("coverage_parts",))
        org.coverage_parts = [
            _kept(rows, p, _coverage_part(p, f"coverage[{i}]", org.locations)) for i, p in enumerate(parts)
        ]


def _fill(org: Organisation, data: dict) -> None:
    # No autoflush while the organisation is built: its networks would otherwise be flushed
    # (Network.members) before the organisation is in the session.
    with db.session.no_autoflush:
        rows = _rows_by_uuid(org)
        _set_fields(org, data)
        contacts, phones = data.get("contacts") or [], data.get("phones") or []
        org.contacts = [_kept(rows, c, _contact(c, f"contacts[{i}]")) for i, c in enumerate(contacts)]
        org.phones = [_kept(rows, p, _phone(p, f"phones[{i}]", org.contacts)) for i, p in enumerate(phones)]
        sites = data.get("locations") or []
        org.locations = [_kept(rows, item, loc) for item, loc in zip(sites, _locations(sites, org))]
        services = data.get("services") or []
        org.services = [_kept(rows, s, _service(s, f"services[{i}]", org.locations)) for i, s in enumerate(services)]


def fill_organisation(org: Organisation, data: dict) -> Organisation:
    """Write `data` (the create_organisation format, coverage included) into `org` without adding it to
    the session, flushing or recomputing its coverage: for a writer that recomputes the coverage of
    many organisations at once (the importer). Rows named by their id keep it."""
    _fill(org, data)
    _set_coverage_parts(org, data.get("coverage") or [])
    return org


def replace_coverage(org: Organisation, parts: list[dict]) -> Organisation:
    """Give the organisation these coverage parts and recompute which units and districts
    it serves. Radius parts refer to the organisation's sites by their index."""
    _set_coverage_parts(org, parts)
    db.session.flush()
    recompute_coverage([org.id])
    return org


_ROW_LISTS = ("contacts", "phones", "locations", "services")
_OWN_COLUMNS = {"id", "uuid", "organisation_id", "created_at", "updated_at"}


def _rows_by_uuid(org: Organisation, lists: tuple[str, ...] = _ROW_LISTS) -> dict[str, object]:
    """The organisation's current rows (sites, services, people, phones, coverage parts) by uuid."""
    if org.id is None:
        return {}
    return {row.uuid: row for name in lists for row in getattr(org, name)}


def _kept(rows: dict[str, object], data: dict, new):
    """The row `data` names by its "id" (a row of this organisation, of the same type) with `new`'s
    values, so that its id stays what it was: what lets a review tell which service, site or phone
    two people changed (review.merge) and keeps the public ids (HSDS) of unchanged items. `new`
    when the data names none (a new item, imported data) or an id that is not one of these rows."""
    item_id = str(data.get("id") or "") if isinstance(data, dict) else ""
    existing = rows.pop(item_id, None) if item_id else None
    if existing is None or type(existing) is not type(new):
        free = _free_uuid(type(new), item_id, rows)
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


def _free_uuid(row_type: type, item_id: str, rows: dict) -> str | None:
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


def _set_fields(org: Organisation, data: dict) -> None:
    org.name = _text(data, "name", "name", required=True)
    org.alternate_name = _text(data, "alternate_name", "alternate_name") or None
    org.description = _text(data, "description", "description", max_length=10_000)
    org.kind = _text(data, "kind", "kind", required=True, max_length=40)
    if org.kind not in vocabulary.ORGANISATION_KIND_CODES:
        allowed = ", ".join(sorted(vocabulary.ORGANISATION_KIND_CODES))
        raise ValidationError(
            _("unknown kind '%(kind)s'; use one of: %(allowed)s", kind=org.kind, allowed=allowed), field="kind"
        )
    org.website = _text(data, "website", "website") or None
    if org.website and not _URL.match(org.website):
        raise ValidationError(_("a website must be an http:// or https:// address"), field="website")
    org.email = _text(data, "email", "email", max_length=254) or None
    if org.email and not _EMAIL.match(org.email):
        raise ValidationError(_("'%(email)s' is not an email address", email=org.email), field="email")
    country = _text(data, "country_code", "country_code", required=True, max_length=2).upper()
    if db.session.get(Country, country) is None:
        raise ValidationError(_("'%(code)s' is not a member country", code=country), field="country_code")
    org.country_code = country
    try:
        org.status = Status(data.get("status") or "draft")
    except ValueError:
        raise ValidationError(_("unknown status '%(status)s'", status=data.get("status")), field="status") from None
    org.hide_exact_location = bool(data.get("hide_exact_location", False))
    org.last_verified = _date(data.get("last_verified"), "last_verified")
    org.external_id = _text(data, "external_id", "external_id", max_length=100) or None
    codes = list(dict.fromkeys(data.get("networks") or []))
    networks = db.session.scalars(select(Network).where(Network.code.in_(codes))).all() if codes else []
    unknown = set(codes) - {n.code for n in networks}
    if unknown:
        raise ValidationError(_("unknown network(s): %(codes)s", codes=", ".join(sorted(unknown))), field="networks")
    org.networks = list(networks)


def _date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a date (YYYY-MM-DD)", value=value), field=field) from None


def _phone(data: dict, field: str, contacts: list[Contact]) -> Phone:
    number = _text(data, "number", f"{field}.number", required=True, max_length=40)
    if not re.fullmatch(r"[+0-9 ()./-]{3,40}", number):
        raise ValidationError(_("'%(number)s' is not a phone number", number=number), field=f"{field}.number")
    try:
        kind = PhoneType(data.get("type") or "voice")
    except ValueError:
        raise ValidationError(
            _("unknown phone type '%(type)s'", type=data.get("type")), field=f"{field}.type"
        ) from None
    contact = data.get("contact")
    if contact is not None and (not isinstance(contact, int) or not 0 <= contact < len(contacts)):
        raise ValidationError(_("a phone's contact must be one of the contact people"), field=f"{field}.contact")
    return Phone(
        number=number,
        type=kind,
        extension=_text(data, "extension", f"{field}.extension", max_length=10),
        description=_text(data, "description", f"{field}.description", max_length=200),
        contact=None if contact is None else contacts[contact],
    )


def _contact(data: dict, field: str) -> Contact:
    email = _text(data, "email", f"{field}.email", max_length=254) or None
    if email and not _EMAIL.match(email):
        raise ValidationError(_("'%(email)s' is not an email address", email=email), field=f"{field}.email")
    return Contact(
        name=_text(data, "name", f"{field}.name", required=True, max_length=200),
        title=_text(data, "title", f"{field}.title", max_length=200),
        department=_text(data, "department", f"{field}.department", max_length=200),
        email=email,
    )


def _locations(items: list[dict], org: Organisation) -> list[Location]:
    points = []
    for i, item in enumerate(items):
        try:
            point = check_lon_lat(item.get("lon"), item.get("lat"))
        except GeometryError as exc:
            raise ValidationError(geo_text(exc), field=f"locations[{i}].lon/lat") from None
        points.append((point.x, point.y, org.hide_exact_location))
    if not points:
        return []
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
    placements = place_sites(units, labels, points)
    locations = []
    for i, (item, placement) in enumerate(zip(items, placements)):
        field = f"locations[{i}]"
        country = str(item.get("country_code") or org.country_code).upper()
        if db.session.get(Country, country) is None:
            raise ValidationError(_("'%(code)s' is not a member country", code=country), field=f"{field}.country_code")
        locations.append(
            Location(
                name=_text(item, "name", f"{field}.name"),
                address=_text(item, "address", f"{field}.address"),
                city=_text(item, "city", f"{field}.city", max_length=120),
                region=_text(item, "region", f"{field}.region", max_length=120),
                postal_code=_text(item, "postal_code", f"{field}.postal_code", max_length=20),
                country_code=country,
                lon=points[i][0],
                lat=points[i][1],
                **placement.columns(),
            )
        )
    return locations


def _service(data: dict, field: str, locations: list[Location]) -> Service:
    category = _text(data, "category", f"{field}.category", required=True, max_length=40)
    if category not in vocabulary.SERVICE_CODES:
        raise ValidationError(_("unknown service category '%(code)s'", code=category), field=f"{field}.category")
    population_codes = list(dict.fromkeys(data.get("populations") or []))
    unknown = set(population_codes) - vocabulary.POPULATION_CODES
    if unknown:
        raise ValidationError(
            _("unknown population(s): %(codes)s", codes=", ".join(sorted(unknown))), field=f"{field}.populations"
        )
    languages = list(dict.fromkeys(language_code(c, f"{field}.languages") for c in data.get("languages") or []))
    label = vocabulary.label(vocabulary.SERVICE_CATEGORIES, category, "es")
    return Service(
        category_code=category,
        name=_text(data, "name", f"{field}.name") or label,
        description=_text(data, "description", f"{field}.description", max_length=10_000),
        eligibility=_text(data, "eligibility", f"{field}.eligibility", max_length=5_000),
        fees=_text(data, "fees", f"{field}.fees", max_length=2_000),
        schedule=_text(data, "schedule", f"{field}.schedule", max_length=2_000),
        populations=[db.session.get(Population, c) for c in population_codes],
        languages=[ServiceLanguage(code=c) for c in languages],
        locations=list(locations),
    )


def _coverage_part(data: dict, field: str, locations: list[Location]) -> CoveragePart:
    try:
        kind = CoverageKind(data.get("kind"))
    except ValueError:
        allowed = ", ".join(k.value for k in CoverageKind)
        raise ValidationError(
            _("unknown coverage kind '%(kind)s'; use one of: %(allowed)s", kind=data.get("kind"), allowed=allowed),
            field=f"{field}.kind",
        ) from None
    part = CoveragePart(kind=kind, label=_text(data, "label", f"{field}.label", max_length=200))
    try:
        if kind is CoverageKind.COUNTRY:
            code = str(data.get("country") or "").upper()
            if db.session.get(Country, code) is None:
                raise ValidationError(_("'%(code)s' is not a member country", code=code), field=f"{field}.country")
            part.country_code = code
        elif kind is CoverageKind.ADMIN_UNIT:
            code = str(data.get("unit") or "").upper()
            unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == code))
            if unit is None:
                raise ValidationError(_("unknown admin unit code '%(code)s'", code=code), field=f"{field}.unit")
            part.admin_unit = unit
        elif kind is CoverageKind.RADIUS:
            index = data.get("location", 0)
            if not isinstance(index, int) or not 0 <= index < len(locations):
                raise ValidationError(_("a radius needs one of the organisation's sites"), field=f"{field}.location")
            try:
                radius = float(data.get("radius_km"))
            except (TypeError, ValueError):
                raise ValidationError(_("the radius must be a number of km"), field=f"{field}.radius_km") from None
            site = locations[index]
            part.location, part.radius_km = site, radius
            part.set_geometry(circle(site.lon, site.lat, radius))
        else:
            geom = data.get("geometry")
            geom = geometry_from_geojson(geom) if isinstance(geom, dict) else geom
            checked = check_polygonal(geom)
            part.set_geometry(checked.geometry)
            if checked.repairs and not part.label:
                part.label = "; ".join(map(str, checked.repairs))[:200]  # stored: in English, as geo says it
    except GeometryError as exc:
        raise ValidationError(geo_text(exc), field=f"{field}.geometry") from None
    return part
