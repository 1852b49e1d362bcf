"""Another publisher's HSDS organization as organisation data, with what the preview must say about it.

Field by field: name, other name, description, email, website; contacts and phones from wherever the
document nests them (transfer.hsds_people); sites from the locations with a valid position in a member
country; services with their category, populations, languages, eligibility, fees (with the cost
options) and hours (schedules in words), and their service areas as the organisation's coverage
(transfer.hsds_services, hsds_areas); identifiers, funding, programs and the terms of other taxonomies
not mapped to a category as additional information (transfer.hsds_extra). The organisation's country
is the first member country of its addresses, else the one chosen in the preview for entries that
name none; a new organisation is an NGO and a draft. What the document leaves out says nothing (an
existing organisation keeps it). Everything else the document holds is listed by the Tracker as not
kept, so that nothing is dropped without the preview saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.api.hsds_attributes import EXTRA_LINK_TYPE
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.transfer import hsds_extra
from directory_app.transfer.hsds_areas import Places
from directory_app.transfer.hsds_extra import FieldStates
from directory_app.transfer.hsds_notes import Note, Tracker
from directory_app.transfer.hsds_people import URL, People, Sites, email_of, uuid_of
from directory_app.transfer.hsds_services import ServiceReader, program_text, valid_date
from directory_app.transfer.hsds_taxonomy_map import ForeignTerm, foreign_term, remembered
from directory_app.transfer.mapping import CREATE_DEFAULTS, ORGANISATION_ID, SOURCE_MODIFIED, source_date

OUR_SCHEME = "CAMMINA"  # the identifier scheme of our exports' external_id
NEW_ORGANISATION = {"kind": "ngo", "status": "draft"}


@dataclass
class Context:
    """What reading a file depends on besides the file: the choices made in the preview (country of
    entries that name none, category of services that have none), the remembered term mappings, the
    member countries, admin units and additional fields; and the foreign terms seen so far."""

    country: str = ""
    category: str = ""
    mappings: dict = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    places: Places = field(default_factory=Places)
    fields: FieldStates = field(default_factory=lambda: FieldStates({}))
    terms: dict[tuple[str, str], ForeignTerm] = field(default_factory=dict)

    @classmethod
    def for_file(cls, options: dict | None = None) -> Context:
        options = options or {}
        members = set(db.session.scalars(select(Country.code)))
        country = str(options.get("country") or "").upper()
        category = str(options.get("category") or "")
        return cls(
            country=country if country in members else "",
            category=category if category in vocabulary.SERVICE_CODES else "",
            mappings=remembered(),
            members=members,
            fields=FieldStates.read(),
        )


@dataclass
class RecordReading:
    data: dict | ValidationError
    notes: list[Note]
    name: str = ""
    without_country: bool = False
    without_category: int = 0


def read_organization(document: dict, context: Context) -> RecordReading:
    """The organisation data of one HSDS organization document, or the error that prevents it."""
    t = Tracker()
    t.name(document, _("organization"))
    name = t.text(document, "name")
    if not name:
        return RecordReading(ValidationError(_("this field is required"), field="name"), [])
    data: dict = {"name": name}
    for key in ("alternate_name", "description"):
        if key in document:
            data[key] = t.text(document, key)
    if "email" in document:
        data["email"] = email_of(t, document)
    if "website" in document:
        data["website"] = t.text(document, "website")
        if data["website"] and not URL.match(data["website"]):
            t.lost(document, _("website '%(url)s' is not an http or https address: not kept", url=data["website"][:80]))
            data["website"] = ""
    extra: dict[str, list[str]] = {}
    people, sites = People(t), Sites(t, context.members)
    reader = ServiceReader(t, context, people, sites, extra)
    services, locations = t.items(document, "services"), t.items(document, "locations")
    for contact in t.items(document, "contacts") + [c for loc in locations for c in t.items(loc, "contacts")]:
        people.contact(contact)
    for service in services:
        reader.gather(service)
    people.contact_phones()
    for phone in t.items(document, "phones"):
        people.phone(phone)
    for location in locations:
        for phone in t.items(location, "phones"):
            people.phone(phone)
        sites.location(location)
    for service in services:
        reader.phones_and_sites(service)
    for service in services:
        reader.read(service)
    said = {
        "contacts": ("contacts" in document or people.contacts, people.contacts),
        "phones": ("phones" in document or people.phones, people.phones),
        "locations": ("locations" in document or sites.sites, sites.sites),
        "services": ("services" in document, reader.services),
        "coverage": (reader.said_coverage, reader.coverage),
    }
    data.update({key: items for key, (told, items) in said.items() if told})
    _organization_text(t, document, context, extra, reader)
    _extra(t, document, data, extra)
    _dates(t, document, services, data, reader)
    organisation_id = uuid_of(t.get(document, "id"))
    if organisation_id:
        data[ORGANISATION_ID] = organisation_id
    data["external_id"] = _external_id(t, document) or str(document.get("id") or "")[:100]
    defaults = dict(NEW_ORGANISATION)
    if sites.countries:
        data["country_code"] = sites.countries[0]
    elif context.country:
        defaults["country_code"] = context.country
    data[CREATE_DEFAULTS] = defaults
    return RecordReading(data, t.leftovers(document), name, not sites.countries, reader.without_category)


def _external_id(t: Tracker, document: dict) -> str:
    identifiers = t.items(document, "organization_identifiers")
    ours = [i for i in identifiers if i.get("identifier_scheme") == OUR_SCHEME]
    chosen = (ours or identifiers)[:1]
    return str(chosen[0].get("identifier") or "").strip()[:100] if chosen else ""


def _organization_text(t: Tracker, document: dict, context: Context, extra: dict, reader: ServiceReader) -> None:
    """Identifiers, funding, programs and foreign terms of the organization itself, as text."""
    lines = {hsds_extra.IDENTIFIERS: [], hsds_extra.FUNDING: [], hsds_extra.PROGRAMS: [], hsds_extra.TERMS: []}
    for identifier in t.items(document, "organization_identifiers"):
        t.whole(identifier)
        if identifier.get("identifier_scheme") != OUR_SCHEME:
            kind = " ".join(str(identifier.get(k) or "").strip() for k in ("identifier_scheme", "identifier_type"))
            lines[hsds_extra.IDENTIFIERS].append(f"{kind.strip()}: {identifier.get('identifier') or ''}".strip(": "))
    if tax_id := t.text(document, "tax_id"):
        lines[hsds_extra.IDENTIFIERS].append(f"tax_id: {tax_id}")
    for funding in t.items(document, "funding"):
        t.whole(funding)
        lines[hsds_extra.FUNDING].append(str(funding.get("source") or "").strip())
    lines[hsds_extra.FUNDING] += [  # a service's source that is not the organization's own
        f"{name}: {source}".strip(": ") for name, source in reader.funding if source not in lines[hsds_extra.FUNDING]
    ]
    for program in t.items(document, "programs"):
        t.whole(program)
        lines[hsds_extra.PROGRAMS].append(program_text(program))
    for attribute in t.items(document, "attributes"):
        if attribute.get("link_type") == EXTRA_LINK_TYPE:
            continue
        t.whole(attribute)
        term = foreign_term(attribute)
        if term is not None:
            lines[hsds_extra.TERMS].append(term.label())
    for code, found in lines.items():
        found = [line for line in found if line]
        if not found:
            continue
        if context.fields.usable(code):
            extra[code] = found + extra.get(code, [])
            t.kept(document, hsds_extra.kept_text(code, context.fields))
        else:
            t.lost(document, hsds_extra.unusable_text(code))


def _extra(t: Tracker, document: dict, data: dict, lines: dict[str, list[str]]) -> None:
    """{"extra": {code: value}}: the organization's additional-information attributes, then the text."""
    extra = {}
    for attribute in document.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("link_type") == EXTRA_LINK_TYPE:
            t.whole(attribute)
            term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
            if term.get("code"):
                extra[str(term["code"])] = str(attribute.get("value") or "")
    for code, found in lines.items():
        text, cut = hsds_extra.joined(found)
        if cut:
            t.lost(document, _("%(field)s cut to %(n)d characters", field=hsds_extra.label(code), n=len(text)))
        extra[code] = text
    if extra:
        data["extra"] = extra


def _dates(t: Tracker, document: dict, services: list[dict], data: dict, reader: ServiceReader) -> None:
    """The source's date of its last change (metadata, last_modified) and the last verification
    (the services' assured_date)."""
    dates, history = list(reader.modified), False
    for item in t.items(document, "metadata") + [m for s in services for m in t.items(s, "metadata")]:
        t.whole(item)
        history = history or any(item.get(k) for k in ("field_name", "previous_value", "replacement_value"))
        if item.get("last_action_date"):
            dates.append(str(item["last_action_date"]))
    valid = []
    for text in dates:
        try:
            valid.append(source_date(text, "metadata"))
        except ValidationError:
            continue
    if valid:
        data[SOURCE_MODIFIED] = max(valid)
    if history:
        t.lost(document, _("metadata: only the date of the last change is kept (in the history)"))
    assured = [d for d in map(valid_date, reader.assured) if d]
    if assured:
        data["last_verified"] = max(assured)
