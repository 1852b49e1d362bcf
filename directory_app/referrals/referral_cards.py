"""What a referral sheet prints about an organisation: name, website, emails, phones, contacts,
when it was last verified, its active services and one site, read with a few narrow Core queries into plain records.

Why not ORM objects: a district sheet shows up to 150 entries; building full Organisation,
Service, Phone and Contact objects for them cost more than the rest of the page (measured at
10,000 organisations: 14 ms of ORM loading against 3 ms for these rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.display import reader_language
from directory_app.organisations.models import Contact, Location, Organisation, Phone, Service
from directory_app.organisations.translations import ServiceTranslation, service_text_in


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


def load_cards(ids: set[int]) -> dict[int, OrganisationCard]:
    """The cards of these organisations, by id, with their active services (hours in the reader's
    language where the entry has them): four IN queries whatever their number."""
    if not ids:
        return {}
    ids_list = sorted(ids)
    cards: dict[int, OrganisationCard] = {}
    original_language: dict[int, str] = {}
    for r in db.session.execute(
        select(
            Organisation.id,
            Organisation.uuid,
            Organisation.name,
            Organisation.website,
            Organisation.email,
            Organisation.hide_exact_location,
            Organisation.country_code,
            Organisation.last_verified,
            Organisation.original_language,
        ).where(Organisation.id.in_(ids_list))
    ):
        cards[r.id] = OrganisationCard(
            r.id, r.uuid, r.name, r.website, r.email, bool(r.hide_exact_location), r.country_code, r.last_verified
        )
        original_language[r.id] = r.original_language
    # Hours in the reader's language where the entry has them, else as written.
    reader = reader_language()
    services = (
        select(
            Service.organisation_id,
            Service.category_code,
            Service.name,
            Service.schedule,
            Service.fees,
            ServiceTranslation.text,
        )
        .outerjoin(ServiceTranslation, service_text_in("schedule", reader))
        .where(Service.organisation_id.in_(ids_list), Service.is_active.is_(True))
        .order_by(Service.id)
    )
    for r in db.session.execute(services):
        schedule, language = (r.text, reader) if r.text else (r.schedule or "", original_language[r.organisation_id])
        cards[r.organisation_id].services.append(
            ServiceLine(r.category_code, r.name, schedule, r.fees or "", schedule_language=language)
        )
    phones = (
        select(Phone.organisation_id, Phone.number, Phone.extension, Phone.type, Phone.description, Contact.name)
        .outerjoin(Contact, Contact.id == Phone.contact_id)
        .where(Phone.organisation_id.in_(ids_list))
        .order_by(Phone.id)
    )
    for org_id, number, extension, kind, description, contact_name in db.session.execute(phones):
        kind = getattr(kind, "value", kind)
        cards[org_id].phones.append(PhoneLine(number, extension or "", kind, description or "", contact_name))
    contacts = select(Contact.organisation_id, Contact.name, Contact.title, Contact.email).where(
        Contact.organisation_id.in_(ids_list)
    )
    for r in db.session.execute(contacts.order_by(Contact.id)):
        cards[r.organisation_id].contacts.append(ContactLine(r.name, r.title or "", r.email))
    return cards


def load_sites(ids: list[int]) -> dict[int, SiteLine]:
    """The address lines of these sites, by id."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Location.id, Location.address, Location.city, Location.region).where(Location.id.in_(sorted(ids)))
    )
    return {r.id: SiteLine(r.id, r.address or "", r.city or "", r.region or "") for r in rows}
