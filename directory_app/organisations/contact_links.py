"""Contacts that act: a phone as a tel: link in international format (and a WhatsApp number also as
a https://wa.me/ link), and directions to a site (a geo: URI, which a phone opens in its maps
application, and an OpenStreetMap route). Every page that prints a phone or a site builds its links
here: the organisation page, the district referral sheet (referrals.referral_cards), the nearest
search, the directory list and the map popups (maps.layers).

Links are built from digits and numbers only, never from the text of an entry, so they cannot
become another kind of link. Directions go to the position the reader may see (accounts.access):
callers pass the public position for a hidden site, never the exact one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l

from directory_app.organisations.phones import shown

WHATSAPP = "whatsapp"
_NOT_TEL = re.compile("[^+0-9]")  # ASCII digits and + only (a str pattern's 0-9 is ASCII)
_NOT_DIGIT = re.compile("[^0-9]")
OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"


PHONE_TYPE_LABELS = {
    "voice": _l("phone"),
    "cell": _l("mobile"),
    "text": _l("text messages"),
    "fax": _l("fax"),
    "hotline": _l("hotline"),
    WHATSAPP: _l("WhatsApp"),
}
"""A phone's types in words (lazy: also the edit form's choices)."""


def phone_type_label(kind: str) -> str:
    """A phone's type in words, in the reader's language."""
    kind = str(getattr(kind, "value", kind) or "voice")
    label = PHONE_TYPE_LABELS.get(kind)
    return str(label) if label is not None else kind


@dataclass(frozen=True)
class PhoneLink:
    """A phone as a reader sees it: `text` in international format ("+52 962 625 1234"), its tel:
    link, its WhatsApp link (WhatsApp numbers only), its extension and its type in words."""

    text: str
    tel: str
    whatsapp: str | None
    extension: str
    kind: str

    @property
    def kind_label(self) -> str:
        return phone_type_label(self.kind)


def tel_link(number: str, extension: str = "") -> str:
    """tel:+529626251234 (digits and a leading + only), the extension after a pause (a comma)."""
    digits = _NOT_TEL.sub("", number)
    extension = _NOT_DIGIT.sub("", extension or "")
    return f"tel:{digits}" + (f",{extension}" if extension else "")


def whatsapp_href(full: str | None) -> str | None:
    """https://wa.me/<country code and number, digits only> of an E.164 number, or None."""
    return f"https://wa.me/{full[1:]}" if full else None


def phone_link(number: str, extension: str = "", kind: str = "voice", region: str | None = None) -> PhoneLink:
    """The links of one phone, read in `region` (the organisation's country) when it has no +code."""
    kind = str(getattr(kind, "value", kind) or "voice")
    text, full = shown(number, region)
    return PhoneLink(
        text=text,
        tel=tel_link(full or number, extension),
        whatsapp=whatsapp_href(full) if kind == WHATSAPP else None,
        extension=extension or "",
        kind=kind,
    )


def first_phone(phones, region: str | None) -> PhoneLink | None:
    """The phone to show in a list: the organisation's own lines before its people's, a WhatsApp
    number first among them (it is a call and a message), else the first listed. `phones` are
    objects or rows with number, extension, type and contact_id (or contact_name)."""
    phones = list(phones)
    if not phones:
        return None

    def order(indexed):
        i, phone = indexed
        own = getattr(phone, "contact_id", None) is None and not getattr(phone, "contact_name", None)
        kind = str(getattr(phone.type, "value", phone.type))
        return (not own, kind != WHATSAPP, i)

    _i, phone = min(enumerate(phones), key=order)
    return phone_link(phone.number, phone.extension or "", phone.type, region)


@dataclass(frozen=True)
class Directions:
    """How to get to a point: `geo` (RFC 5870, opened by a phone's maps application) and `osm` (a route
    on openstreetmap.org, from `origin` when given, else from where the reader chooses)."""

    geo: str
    osm: str


def directions(lon: float, lat: float, origin: tuple[float, float] | None = None) -> Directions:
    """Directions to (lon, lat): pass the position the reader may see (the public one for a hidden
    site). `origin` is (lon, lat) of the search's starting point, if any."""
    to = f"{lat:.5f},{lon:.5f}"
    start = f"{origin[1]:.5f},{origin[0]:.5f}" if origin else ""
    return Directions(
        geo=f"geo:{to}",
        osm=f"{OSM_DIRECTIONS}?{urlencode({'route': f'{start};{to}'})}",
    )


def template_helpers() -> dict:
    """The helpers above, for templates."""
    return {
        "phone_link": phone_link,
        "first_phone": first_phone,
        "directions": directions,
        "phone_type_label": phone_type_label,
    }
