"""What a referral sheet prints about an organisation: name, website, emails, phones, contacts,
when it was last verified, its active services and one site, read with a few narrow Core queries into plain records.

Why not ORM objects: a district sheet shows up to 150 entries; building full Organisation,
Service, Phone and Contact objects for them cost more than the rest of the page (measured at
10,000 organisations: 14 ms of ORM loading against 3 ms for these rows). The lines are named tuples, made
in a third of the time of frozen dataclasses (a district page makes several hundred)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Integer, String, cast, literal_column, null, select, type_coerce, union_all

from directory_app.extensions import db
from directory_app.organisations.display import reader_language
from directory_app.organisations.models import Contact, Location, Organisation, Phone, Service
from directory_app.organisations.translations import ServiceTranslation, service_text_in
from directory_app.referrals.id_lists import id_in


class ServiceLine(NamedTuple):
    category_code: str
    name: str
    schedule: str
    fees: str
    schedule_language: str = ""  # the language of `schedule` (the reader's when translated)


class PhoneLine(NamedTuple):
    number: str
    extension: str
    type: str
    description: str
    contact_name: str | None


class ContactLine(NamedTuple):
    name: str
    title: str
    email: str | None


class SiteLine(NamedTuple):
    id: int
    address: str
    city: str
    region: str


@dataclass
class OrganisationCard:
    """The printed fields of one organisation (hide_exact_location and country_code too, for
    accounts.access)."""

    id: int
    uuid: str
    name: str
    website: str | None
    email: str | None
    hide_exact_location: bool
    country_code: str
    last_verified: date | None = None
    services: list[ServiceLine] = field(default_factory=list)
    phones: list[PhoneLine] = field(default_factory=list)
    contacts: list[ContactLine] = field(default_factory=list)

    @property
    def summary_phones(self) -> list[PhoneLine]:
        """The phones of a summary line: the first, and the first WhatsApp number when it is another."""
        first = self.phones[:1]
        whatsapp = next((p for p in self.phones if p.type == "whatsapp"), None)
        return first + [whatsapp] if whatsapp is not None and whatsapp not in first else first


# The cards' statements, built once: the ids go in as one parameter (referrals.id_lists: a list of literals
# was coerced element by element, and its statement's cache key built, on every page; an expanding parameter
# was rendered and parsed id by id), and they are run on the session's connection (Core rows: the ORM's
# execution layer added a quarter of each query's time).
_ORGANISATIONS = select(
    Organisation.id,
    Organisation.uuid,
    Organisation.name,
    Organisation.website,
    Organisation.email,
    Organisation.hide_exact_location,
    Organisation.country_code,
    Organisation.last_verified,
    Organisation.original_language,
).where(id_in(Organisation.id))
# The cards' lines, of four kinds, in one statement: each statement costs a round trip and an execution (about
# 0.2 ms on PostgreSQL), more than its few rows. A row: (kind, organisation, line id, five texts, a number),
# each kind in entry order. A phone's person is named from the cards' own contacts (a join to the contact
# table cost PostgreSQL a scan of every contact); a person of another organisation, if any, is read apart
# (_NAMES).
_SERVICE, _CONTACT, _PHONE, _SITE = range(4)


# The number column's NULL, typed: PostgreSQL reads untyped NULLs met before the phones' contact ids as text,
# then refuses the integers.
_NO_NUMBER = cast(null(), Integer)


def _kind(kind: int):
    return literal_column(str(kind), Integer).label("kind")


@lru_cache(maxsize=8)
def _lines(reader: str):
    """The active services of the cards given under "ids" (their hours in `reader`'s language where the entry
    has them), their contacts and phones, and the sites given under "site_ids"."""
    services = (
        select(
            _kind(_SERVICE),
            Service.organisation_id,
            Service.id.label("line_id"),
            Service.category_code,
            Service.name,
            Service.schedule,
            Service.fees,
            ServiceTranslation.text,
            _NO_NUMBER,
        )
        .outerjoin(ServiceTranslation, service_text_in("schedule", reader))
        .where(id_in(Service.organisation_id), Service.is_active.is_(True))
    )
    contacts = select(
        _kind(_CONTACT),
        Contact.organisation_id,
        Contact.id,
        Contact.name,
        Contact.title,
        Contact.email,
        null(),
        null(),
        _NO_NUMBER,
    ).where(id_in(Contact.organisation_id))
    phones = select(
        _kind(_PHONE),
        Phone.organisation_id,
        Phone.id,
        Phone.number,
        Phone.extension,
        type_coerce(Phone.type, String),  # its value as stored ("whatsapp")
        Phone.description,
        null(),
        Phone.contact_id,
    ).where(id_in(Phone.organisation_id))
    sites = select(
        _kind(_SITE),
        Location.organisation_id,
        Location.id,
        Location.address,
        Location.city,
        Location.region,
        null(),
        null(),
        _NO_NUMBER,
    ).where(id_in(Location.id, "site_ids"))
    return union_all(services, contacts, phones, sites).order_by("kind", "line_id")


_NAMES = select(Contact.id, Contact.name).where(id_in(Contact.id))


def load_cards(ids: set[int], site_ids: list[int]) -> tuple[dict[int, OrganisationCard], dict[int, SiteLine]]:
    """The cards of these organisations, by id, with their active services (hours in the reader's
    language where the entry has them), and the address lines of these sites, by id: two queries whatever
    their number (a third if a phone names a person of another organisation)."""
    if not ids:
        return {}, {}
    connection = db.session.connection()
    ordered = sorted(ids)
    cards: dict[int, OrganisationCard] = {}
    original_language: dict[int, str] = {}
    for org_id, uuid, name, website, email, hidden, country, verified, language in connection.execute(
        _ORGANISATIONS, {"ids": ordered}
    ).all():
        cards[org_id] = OrganisationCard(org_id, uuid, name, website, email, bool(hidden), country, verified)
        original_language[org_id] = language
    reader = reader_language()
    names: dict[int, str] = {}
    phones = []
    sites: dict[int, SiteLine] = {}
    lines = connection.execute(_lines(reader), {"ids": ordered, "site_ids": sorted(site_ids)}).all()
    for kind, org_id, line_id, a, b, c, d, translated, number in lines:
        if kind == _SERVICE:  # category, name, schedule, fees; hours in the reader's language where the entry has them
            schedule, language = (translated, reader) if translated else (c or "", original_language[org_id])
            cards[org_id].services.append(ServiceLine(a, b, schedule, d or "", language))
        elif kind == _CONTACT:  # name, title, email
            cards[org_id].contacts.append(ContactLine(a, b or "", c))
            names[line_id] = a
        elif kind == _PHONE:  # number, extension, type, description; the contact's id
            phones.append((org_id, a, b, c, d, number))
        else:  # address, city, region
            sites[line_id] = SiteLine(line_id, a or "", b or "", c or "")
    others = {contact_id for *_, contact_id in phones if contact_id is not None and contact_id not in names}
    if others:
        names.update(connection.execute(_NAMES, {"ids": sorted(others)}).tuples().all())
    for org_id, number, extension, kind, description, contact_id in phones:
        contact_name = names.get(contact_id) if contact_id is not None else None
        cards[org_id].phones.append(PhoneLine(number, extension or "", kind, description or "", contact_name))
    return cards, sites
