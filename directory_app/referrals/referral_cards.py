"""What a referral sheet prints about an organisation: name, website, emails, phones, contacts,
when it was last verified, its active services and one site, read with a few narrow Core queries into plain records.

Why not ORM objects: a district sheet shows up to 150 entries; building full Organisation,
Service, Phone and Contact objects for them cost more than the rest of the page (measured at
10,000 organisations: 14 ms of ORM loading against 3 ms for these rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.display import reader_language
from directory_app.organisations.models import Contact, Location, Organisation, Phone, Service
from directory_app.organisations.translations import ServiceTranslation, service_text_in
from directory_app.referrals.id_lists import id_in


@dataclass(frozen=True)
class ServiceLine:
    category_code: str
    name: str
    schedule: str
    fees: str
    schedule_language: str = ""  # the language of `schedule` (the reader's when translated)


@dataclass(frozen=True)
class PhoneLine:
    number: str
    extension: str
    type: str
    description: str
    contact_name: str | None


@dataclass(frozen=True)
class ContactLine:
    name: str
    title: str
    email: str | None


@dataclass(frozen=True)
class SiteLine:
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
# A phone's person is named from the cards' own contacts (a join to the contact table cost PostgreSQL a
# scan of every contact); a person of another organisation, if any, is read apart (_NAMES).
_PHONES = (
    select(Phone.organisation_id, Phone.number, Phone.extension, Phone.type, Phone.description, Phone.contact_id)
    .where(id_in(Phone.organisation_id))
    .order_by(Phone.id)
)
_CONTACTS = (
    select(Contact.organisation_id, Contact.id, Contact.name, Contact.title, Contact.email)
    .where(id_in(Contact.organisation_id))
    .order_by(Contact.id)
)
_NAMES = select(Contact.id, Contact.name).where(id_in(Contact.id))
_SITES = select(Location.id, Location.address, Location.city, Location.region).where(id_in(Location.id))


@lru_cache(maxsize=8)
def _services(reader: str):
    """The active services of the cards, with their hours in `reader`'s language where the entry has them."""
    return (
        select(
            Service.organisation_id,
            Service.category_code,
            Service.name,
            Service.schedule,
            Service.fees,
            ServiceTranslation.text,
        )
        .outerjoin(ServiceTranslation, service_text_in("schedule", reader))
        .where(id_in(Service.organisation_id), Service.is_active.is_(True))
        .order_by(Service.id)
    )


def load_cards(ids: set[int]) -> dict[int, OrganisationCard]:
    """The cards of these organisations, by id, with their active services (hours in the reader's
    language where the entry has them): four IN queries whatever their number
    (a fifth if a phone names a person of another organisation)."""
    if not ids:
        return {}
    connection = db.session.connection()
    params = {"ids": sorted(ids)}
    cards: dict[int, OrganisationCard] = {}
    original_language: dict[int, str] = {}
    for org_id, uuid, name, website, email, hidden, country, verified, language in connection.execute(
        _ORGANISATIONS, params
    ).all():
        cards[org_id] = OrganisationCard(org_id, uuid, name, website, email, bool(hidden), country, verified)
        original_language[org_id] = language
    # Hours in the reader's language where the entry has them, else as written.
    reader = reader_language()
    for org_id, category, name, schedule, fees, text in connection.execute(_services(reader), params).all():
        schedule, language = (text, reader) if text else (schedule or "", original_language[org_id])
        cards[org_id].services.append(ServiceLine(category, name, schedule, fees or "", schedule_language=language))
    names: dict[int, str] = {}
    for org_id, contact_id, name, title, email in connection.execute(_CONTACTS, params).all():
        cards[org_id].contacts.append(ContactLine(name, title or "", email))
        names[contact_id] = name
    phones = connection.execute(_PHONES, params).all()
    others = {row.contact_id for row in phones if row.contact_id is not None and row.contact_id not in names}
    if others:
        names.update(connection.execute(_NAMES, {"ids": sorted(others)}).tuples().all())
    for org_id, number, extension, kind, description, contact_id in phones:
        kind = getattr(kind, "value", kind)
        contact_name = names.get(contact_id) if contact_id is not None else None
        cards[org_id].phones.append(PhoneLine(number, extension or "", kind, description or "", contact_name))
    return cards


def load_sites(ids: list[int]) -> dict[int, SiteLine]:
    """The address lines of these sites, by id."""
    if not ids:
        return {}
    rows = db.session.connection().execute(_SITES, {"ids": sorted(ids)}).all()
    return {i: SiteLine(i, address or "", city or "", region or "") for i, address, city, region in rows}
