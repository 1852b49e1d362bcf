"""The contact registry: the TS records each member country's contact persons; the public sees, per
country, the name and role of those who agreed to be listed (never their email or phone)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.accounts.permissions import PermissionDenied, may_publish
from directory_app.audit import record_event
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.registry.models import ContactPerson

FIELDS = ("country_code", "name", "role_title", "email", "phone", "listed_publicly")


@dataclass(frozen=True)
class PublicContact:
    name: str
    role_title: str


def check_may_keep_registry(actor) -> None:
    if not may_publish(actor):
        raise PermissionDenied("Only the Technical Secretariat keeps the contact registry.")


def list_persons() -> list[ContactPerson]:
    """Every recorded person, by country then name (for the TS)."""
    return list(db.session.scalars(select(ContactPerson).order_by(ContactPerson.country_code, ContactPerson.name)))


def public_contact_points() -> list[tuple[Country, list[PublicContact]]]:
    """Every member country with the persons who agreed to be listed (name and role only)."""
    listed: dict[str, list[PublicContact]] = {}
    rows = db.session.execute(
        select(ContactPerson.country_code, ContactPerson.name, ContactPerson.role_title)
        .where(ContactPerson.listed_publicly.is_(True))
        .order_by(ContactPerson.name)
    )
    for country_code, name, role_title in rows:
        listed.setdefault(country_code, []).append(PublicContact(name, role_title))
    countries = db.session.scalars(select(Country).order_by(Country.code))
    return [(country, listed.get(country.code, [])) for country in countries]


def _clean(data: dict) -> dict:
    values = {key: data.get(key) for key in FIELDS}
    values["country_code"] = (values["country_code"] or "").upper()
    if db.session.get(Country, values["country_code"]) is None:
        raise ValidationError(_("Choose a member country."), field="country_code")
    for key in ("name", "role_title", "email", "phone"):
        values[key] = (values[key] or "").strip()
    if not values["name"]:
        raise ValidationError(_("The name is required."), field="name")
    values["email"] = values["email"].lower()
    values["listed_publicly"] = bool(values["listed_publicly"])
    return values


def save_person(actor, data: dict, person: ContactPerson | None = None) -> ContactPerson:
    """Add a person (person=None) or update one from `data` (keys FIELDS)."""
    check_may_keep_registry(actor)
    values = _clean(data)
    if person is None:
        person = ContactPerson(**values)
        db.session.add(person)
    else:
        for key, value in values.items():
            setattr(person, key, value)
    db.session.flush()
    shown = "listed publicly" if person.listed_publicly else "not listed"
    record_event("registry_changed", user=actor, detail=f"{person.country_code} {person.name} ({shown})")
    return person


def remove_person(actor, person: ContactPerson) -> None:
    check_may_keep_registry(actor)
    record_event("registry_changed", user=actor, detail=f"removed {person.country_code} {person.name}")
    db.session.delete(person)
    db.session.flush()
