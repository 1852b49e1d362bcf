"""Contacts, phones and sites of an HSDS organization, wherever the document puts them.

HSDS nests contacts and phones in the organization, its locations, its services and their
service_at_locations, and the same contact or phone (same id, or same name and email, same number) often
appears in several of those places: the organisation gets each once, a contact's phones stay with the
contact. A location becomes a site when it has a valid position in a member country; otherwise the
preview says why it is not kept. Numbers and email addresses that our forms would refuse are left out
with a note instead of refusing the organisation.
"""

from __future__ import annotations

import re
from uuid import UUID

from flask_babel import gettext as _

from directory_app.geo_messages import geo_text
from directory_app.organisations.models import PhoneType
from directory_app.transfer.hsds_notes import Tracker
from geo.validate import GeometryError, check_lon_lat

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_NUMBER = re.compile(r"[+0-9 ()./-]{3,40}")
_PHONE_TYPES = {kind.value for kind in PhoneType}
_LIMITS = {"name": 200, "title": 200, "department": 200, "description": 200, "extension": 10}
PRECISION_LINK_TYPE = "location_precision"


def uuid_of(value) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        return ""


def with_id(item: dict, source: dict, t: Tracker) -> dict:
    found = uuid_of(t.get(source, "id"))
    return {"id": found, **item} if found else item


def clipped(t: Tracker, source: dict, key: str, limit: int) -> str:
    """The text of a field, cut to `limit` characters (the preview says so)."""
    text = t.text(source, key)
    if len(text) > limit:
        t.lost(source, _("%(field)s cut to %(n)d characters", field=key, n=limit))
        return text[:limit]
    return text


def email_of(t: Tracker, source: dict) -> str:
    email = t.text(source, "email")
    if email and not EMAIL.match(email):
        t.lost(source, _("'%(email)s' is not an email address: not kept", email=email[:80]))
        return ""
    return email


class People:
    """The contacts and phones of one organisation, each once."""

    def __init__(self, t: Tracker) -> None:
        self.t = t
        self.contacts: list[dict] = []
        self.phones: list[dict] = []
        self._contacts: dict[object, int] = {}
        self._phones: set[object] = set()
        self._pending: list[tuple[dict, int]] = []

    def contact(self, item: dict) -> None:
        t = self.t
        name = t.text(item, "name") or t.text(item, "title") or t.text(item, "department")
        key = uuid_of(item.get("id")) or (name.lower(), str(item.get("email") or "").lower())
        if key in self._contacts:
            t.whole(item)
            return
        t.name(item, _("contact '%(name)s'", name=name or "?"))
        if not name:
            t.lost(item, _("a contact without a name: not kept"))
            t.whole(item)
            return
        contact = {
            "name": name[: _LIMITS["name"]],
            "title": clipped(t, item, "title", _LIMITS["title"]),
            "department": clipped(t, item, "department", _LIMITS["department"]),
            "email": email_of(t, item),
        }
        self._contacts[key] = len(self.contacts)
        self.contacts.append(with_id(contact, item, t))
        self._pending += [(phone, self._contacts[key]) for phone in t.items(item, "phones")]

    def phone(self, item: dict, contact: int | None = None) -> None:
        t = self.t
        number = " ".join(t.text(item, "number").replace('"', " ").replace("'", " ").split())
        extension = t.text(item, "extension")
        key = uuid_of(item.get("id")) or (number, extension)
        if key in self._phones:
            t.whole(item)
            return
        self._phones.add(key)
        t.name(item, _("phone '%(number)s'", number=number or "?"))
        if not _NUMBER.fullmatch(number):
            t.lost(item, _("'%(number)s' is not a phone number: not kept", number=number[:60]))
            t.whole(item)
            return
        kind = t.text(item, "type").lower() or "voice"
        if kind not in _PHONE_TYPES:
            t.lost(item, _("phone type '%(type)s' is not one of ours: kept as voice", type=kind[:40]))
            kind = "voice"
        if len(extension) > _LIMITS["extension"]:
            t.lost(item, _("extension '%(extension)s' is too long: not kept", extension=extension[:40]))
            extension = ""
        phone = {
            "number": number,
            "type": kind,
            "extension": extension,
            "description": clipped(t, item, "description", _LIMITS["description"]),
            "contact": contact,
        }
        self.phones.append(with_id(phone, item, t))

    def contact_phones(self) -> None:
        """The phones of the contacts read so far (after every contact: a phone listed both alone and
        under its contact stays with the contact)."""
        pending, self._pending = self._pending, []
        for phone, contact in pending:
            self.phone(phone, contact)


class Sites:
    """The sites of one organisation (locations with a valid position in a member country), each once."""

    def __init__(self, t: Tracker, members: set[str]) -> None:
        self.t = t
        self.members = members
        self.sites: list[dict] = []
        self.countries: list[str] = []  # member countries of the addresses, in order
        self._seen: set[str] = set()

    def location(self, item: dict) -> None:
        t = self.t
        key = uuid_of(item.get("id")) or str(id(item))
        if key in self._seen:
            t.whole(item)
            return
        self._seen.add(key)
        name = t.text(item, "name")
        t.name(item, _("location '%(name)s'", name=name or "?"))
        address = self._address(item)
        country = str(address.get("country") or "").strip().upper()
        if country in self.members:
            self.countries.append(country)
        if t.text(item, "location_type").lower() == "virtual":
            return self._left_out(item, _("a virtual location has no place on the map: not kept"))
        latitude, longitude = t.get(item, "latitude"), t.get(item, "longitude")
        if latitude in (None, "") or longitude in (None, ""):
            return self._left_out(item, _("a location without latitude and longitude: not kept"))
        try:
            point = check_lon_lat(longitude, latitude)
        except GeometryError as exc:
            return self._left_out(item, _("its position cannot be used (%(reason)s): not kept", reason=geo_text(exc)))
        if country and country not in self.members:
            return self._left_out(item, _("'%(code)s' is not a member country: not kept", code=country[:10]))
        site = {
            "name": name[:300],
            "address": ", ".join(p for p in (t.text(address, "address_1"), t.text(address, "address_2")) if p),
            "city": t.text(address, "city")[:120],
            "region": (t.text(address, "state_province") or t.text(address, "region"))[:120],
            "postal_code": t.text(address, "postal_code")[:20],
            "lon": point.x,
            "lat": point.y,
        }
        if country:
            site["country_code"] = country
        t.use(address, "country")
        for attribute in t.items(item, "attributes"):
            if attribute.get("link_type") == PRECISION_LINK_TYPE and attribute.get("value") in ("approximate", "exact"):
                site["precision"] = attribute["value"]
                t.whole(attribute)
        self.sites.append(with_id(site, item, t))

    def _address(self, item: dict) -> dict:
        addresses = self.t.items(item, "addresses")
        if not addresses:
            return {}
        physical = [a for a in addresses if str(a.get("address_type") or "").lower() == "physical"]
        chosen = (physical or addresses)[0]
        self.t.use(chosen, "address_type")
        for other in addresses:
            if other is not chosen:
                self.t.lost(item, _("only one address per site is kept"))
                self.t.whole(other)
        return chosen

    def _left_out(self, item: dict, why: str) -> None:
        self.t.lost(item, why)
        self.t.whole(item)
