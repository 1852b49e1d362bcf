"""Validation of an organisation's data (organisations.entry_data) against its definition: required
fields, lengths, formats, vocabularies, coordinates and coverage geometry. Each check returns the
value as it is written (texts stripped, codes normalised, positions as numbers) or raises
ValidationError naming the field ("services[0].fees"). What needs the database (member countries,
networks, admin units) is checked where the rows are written (organisations.services)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

from directory_app import vocabulary
from directory_app.errors import ValidationError
from directory_app.geo_messages import geo_text
from directory_app.i18n import format_number
from directory_app.organisations.entry_data import (
    ABSENT,
    ContactData,
    CoverageData,
    EntryData,
    Item,
    PhoneData,
    ServiceData,
    SiteData,
    spec,
)
from directory_app.organisations.language_names import code_for
from directory_app.organisations.models import CoverageKind, PhoneType, Status
from geo.validate import GeometryError, check_lon_lat, check_polygonal, geometry_from_geojson

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
ENTRY_LANGUAGES = ("es", "en", "fr")  # as organisations.translations.ENTRY_LANGUAGES
SERVICE_TEXTS = ("description", "eligibility", "schedule")
MAX_TRANSLATION = 10_000


def text(value: Any, field: str, *, required: bool = False, max_length: int | None = 300) -> str:
    """A text stripped, or ValidationError when required and empty or longer than `max_length`."""
    value = "" if value is None or value is ABSENT else str(value).strip()
    if required and not value:
        raise ValidationError(_("this field is required"), field=field)
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            _("at most %(max)s characters (got %(n)s)", max=format_number(max_length), n=format_number(len(value))),
            field=field,
        )
    return value


def _item_text(item: Item, key: str, where: str) -> str:
    limits = type(item).spec(key)
    return text(getattr(item, key), f"{where}.{key}", required=limits.required, max_length=limits.max_length)


def _entry_text(entry: EntryData, name: str) -> str:
    limits = spec(name)
    return text(getattr(entry, name), name, required=limits.required, max_length=limits.max_length)


def language_code(code: str, field: str) -> str:
    """An ISO 639 code, normalised to ISO 639-1 where the language has one, from a code or a
    language's name in Spanish, English or French (organisations.language_names)."""
    found = code_for(code)
    if found is None:
        message = _(
            "Languages: '%(code)s' is not a language name or an ISO 639 code (write, for example, "
            "español, K'iche', es or quc).",
            code=(code or "").strip(),
        )
        raise ValidationError(message, field=field)
    return found


def check_fields(entry: EntryData, *, creating: bool) -> EntryData:
    """The organisation's own fields checked; on an update an ABSENT field stays ABSENT (left as it is),
    on a creation it is checked as empty."""
    entry = entry.completed() if creating else entry
    clean: dict[str, Any] = {}

    def said(name: str) -> bool:
        return getattr(entry, name) is not ABSENT

    for name in ("name", "alternate_name", "description", "kind"):
        if said(name):
            clean[name] = _entry_text(entry, name)
    if said("kind") and clean["kind"] not in vocabulary.ORGANISATION_KIND_CODES:
        allowed = ", ".join(sorted(vocabulary.ORGANISATION_KIND_CODES))
        raise ValidationError(
            _("unknown kind '%(kind)s'; use one of: %(allowed)s", kind=clean["kind"], allowed=allowed), field="kind"
        )
    if said("website"):
        clean["website"] = _entry_text(entry, "website")
        if clean["website"] and not URL.match(clean["website"]):
            raise ValidationError(_("a website must be an http:// or https:// address"), field="website")
    if said("email"):
        clean["email"] = _entry_text(entry, "email")
        if clean["email"] and not EMAIL.match(clean["email"]):
            raise ValidationError(_("'%(email)s' is not an email address", email=clean["email"]), field="email")
    if said("country_code"):
        clean["country_code"] = _entry_text(entry, "country_code").upper()
    if said("status"):
        try:
            clean["status"] = str(Status(entry.status or "draft"))
        except ValueError:
            raise ValidationError(_("unknown status '%(status)s'", status=entry.status), field="status") from None
    if said("hide_exact_location"):
        clean["hide_exact_location"] = bool(entry.hide_exact_location)
    if said("last_verified"):
        day = check_date(entry.last_verified, "last_verified")
        clean["last_verified"] = day.isoformat() if day else None
    if said("external_id"):
        clean["external_id"] = _entry_text(entry, "external_id")
    if said("networks"):
        clean["networks"] = list(dict.fromkeys(entry.networks or []))
    return dataclasses.replace(entry, **clean)


def check_date(value, field: str) -> date | None:
    """A date from an ISO text (or a date), None for none."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a date (YYYY-MM-DD)", value=value), field=field) from None


def check_contact(item: ContactData, where: str) -> ContactData:
    email = _item_text(item, "email", where)
    if email and not EMAIL.match(email):
        raise ValidationError(_("'%(email)s' is not an email address", email=email), field=f"{where}.email")
    return dataclasses.replace(
        item,
        name=_item_text(item, "name", where),
        title=_item_text(item, "title", where),
        department=_item_text(item, "department", where),
        email=email,
    )


def check_phone(item: PhoneData, where: str, contacts: int) -> PhoneData:
    number = _item_text(item, "number", where)
    if not re.fullmatch(r"[+0-9 ()./-]{3,40}", number):
        raise ValidationError(_("'%(number)s' is not a phone number", number=number), field=f"{where}.number")
    try:
        kind = PhoneType(item.type or "voice")
    except ValueError:
        raise ValidationError(_("unknown phone type '%(type)s'", type=item.type), field=f"{where}.type") from None
    contact = item.contact
    if contact is not None and (not isinstance(contact, int) or not 0 <= contact < contacts):
        raise ValidationError(_("a phone's contact must be one of the contact people"), field=f"{where}.contact")
    return dataclasses.replace(
        item,
        number=number,
        type=str(kind),
        extension=_item_text(item, "extension", where),
        description=_item_text(item, "description", where),
    )


def check_position(item: SiteData, where: str) -> tuple[float, float]:
    try:
        point = check_lon_lat(item.lon, item.lat)
    except GeometryError as exc:
        raise ValidationError(geo_text(exc), field=f"{where}.lon/lat") from None
    return point.x, point.y


def check_site(item: SiteData, where: str, position: tuple[float, float]) -> SiteData:
    """The site's texts checked, at `position` (check_position); country "" is the organisation's."""
    return dataclasses.replace(
        item,
        **{key: _item_text(item, key, where) for key in ("name", "address", "city", "region", "postal_code")},
        country_code=str(item.country_code or "").strip().upper(),
        lon=position[0],
        lat=position[1],
    )


def check_service(item: ServiceData, where: str) -> ServiceData:
    category = _item_text(item, "category", where)
    if category not in vocabulary.SERVICE_CODES:
        raise ValidationError(_("unknown service category '%(code)s'", code=category), field=f"{where}.category")
    populations = list(dict.fromkeys(item.populations or []))
    unknown = set(populations) - vocabulary.POPULATION_CODES
    if unknown:
        raise ValidationError(
            _("unknown population(s): %(codes)s", codes=", ".join(sorted(unknown))), field=f"{where}.populations"
        )
    languages = list(dict.fromkeys(language_code(c, f"{where}.languages") for c in item.languages or []))
    name = _item_text(item, "name", where) or vocabulary.label(vocabulary.SERVICE_CATEGORIES, category, "es")
    return dataclasses.replace(
        item,
        category=category,
        name=name,
        **{key: _item_text(item, key, where) for key in ("description", "eligibility", "fees", "schedule")},
        populations=populations,
        languages=languages,
    )


def check_coverage(item: CoverageData, where: str, sites: int) -> CoverageData:
    """A coverage part checked; a polygon's geometry as a valid shapely geometry (repaired, the
    repairs in its label when it has none)."""
    try:
        kind = CoverageKind(item.kind)
    except ValueError:
        allowed = ", ".join(k.value for k in CoverageKind)
        raise ValidationError(
            _("unknown coverage kind '%(kind)s'; use one of: %(allowed)s", kind=item.kind, allowed=allowed),
            field=f"{where}.kind",
        ) from None
    part = dataclasses.replace(item, kind=str(kind), label=_item_text(item, "label", where))
    if kind is CoverageKind.COUNTRY:
        return dataclasses.replace(part, country=str(item.country or "").upper())
    if kind is CoverageKind.ADMIN_UNIT:
        return dataclasses.replace(part, unit=str(item.unit or "").upper())
    if kind is CoverageKind.RADIUS:
        index = item.location
        if not isinstance(index, int) or not 0 <= index < sites:
            raise ValidationError(_("a radius needs one of the organisation's sites"), field=f"{where}.location")
        try:
            radius = float(item.radius_km)
        except (TypeError, ValueError):
            raise ValidationError(_("the radius must be a number of km"), field=f"{where}.radius_km") from None
        return dataclasses.replace(part, radius_km=radius)
    try:
        geometry = item.geometry
        geometry = geometry_from_geojson(geometry) if isinstance(geometry, dict) else geometry
        checked = check_polygonal(geometry)
    except GeometryError as exc:
        raise ValidationError(geo_text(exc), field=f"{where}.geometry") from None
    label = part.label
    if checked.repairs and not label:
        label = "; ".join(map(str, checked.repairs))[:200]  # stored: in English, as geo says it
    return dataclasses.replace(part, geometry=checked.geometry, label=label)


def check_original_language(value: Any) -> str:
    if value not in ENTRY_LANGUAGES:
        languages = ", ".join(ENTRY_LANGUAGES)
        message = _("'%(value)s' is not one of %(languages)s.", value=value, languages=languages)
        raise ValidationError(message, field="original_language")
    return value


def check_texts(texts: Any, fields: tuple[str, ...], original: str, prefix: str = "") -> list[tuple[str, str, str]]:
    """(field, language, text) of texts in other languages ({field: {language: text}}); empty texts
    drop out. ValidationError names the field and language."""
    if texts in (None, {}, ""):
        return []
    if not isinstance(texts, dict):
        raise ValidationError(
            _("Translations must be an object {field: {language: text}}."), field=f"{prefix}translations"
        )
    rows = []
    for field, by_language in texts.items():
        where = f"{prefix}translations.{field}"
        if field not in fields or not isinstance(by_language, dict):
            message = _(
                "'%(field)s' cannot be translated; translatable: %(fields)s.", field=field, fields=", ".join(fields)
            )
            raise ValidationError(message, field=where)
        for language, value in by_language.items():
            value = str(value or "").strip()
            if language not in ENTRY_LANGUAGES or language == original:
                message = _("'%(value)s' is not a translation language here.", value=language)
                raise ValidationError(message, field=f"{where}.{language}")
            if len(value) > MAX_TRANSLATION:
                message = _("A translation is longer than %(n)s characters.", n=format_number(MAX_TRANSLATION))
                raise ValidationError(message, field=f"{where}.{language}")
            if value:
                rows.append((field, language, value))
    return rows
