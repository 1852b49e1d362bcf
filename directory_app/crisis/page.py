"""What the report page adds to a crisis report: its affected districts grouped by sending country, each
country with its name in the reader's language and its contact points in the network (the registry's
contact persons: whom to call in that country's consular service).

The directory holds no consulate telephone yet (crisis.report leaves consulate_phone empty); a country's
contact points are the people of the Liaison Officer Network for it. Consular users and the TS, members of
the network, see each person's phone and email; the public sees only the persons who agreed to be listed,
by name and role, as on /contact-points (registry.services.public_contact_points)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.registry.models import ContactPerson


@dataclass(frozen=True)
class CountryContact:
    name: str
    role: str
    phone: str = ""
    email: str = ""


@dataclass
class CountryGroup:
    code: str
    name: str
    districts: list = field(default_factory=list)
    contacts: list[CountryContact] = field(default_factory=list)


def district_groups(report, lang: str, full: bool) -> list[CountryGroup]:
    """The report's districts by sending country (in the report's order), with the country's name and
    contact points (`full`: with phones and emails, for consular users and the TS)."""
    groups: dict[str, CountryGroup] = {}
    for district in report.districts:
        groups.setdefault(district.sending_country, CountryGroup(district.sending_country, district.sending_country))
        groups[district.sending_country].districts.append(district)
    if not groups:
        return []
    for country in db.session.scalars(select(Country).where(Country.code.in_(list(groups)))):
        groups[country.code].name = country.name(lang)
    query = select(ContactPerson).where(ContactPerson.country_code.in_(list(groups))).order_by(ContactPerson.name)
    if not full:
        query = query.where(ContactPerson.listed_publicly.is_(True))
    for person in db.session.scalars(query):
        contact = CountryContact(person.name, person.role_title or "")
        if full:
            contact = CountryContact(person.name, person.role_title or "", person.phone or "", person.email or "")
        groups[person.country_code].contacts.append(contact)
    return list(groups.values())
