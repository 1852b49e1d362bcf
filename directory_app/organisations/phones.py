"""Phone numbers read, checked and written with libphonenumber (the `phonenumbers` package).

A number is read in the region of the organisation's country ("962 625 1234" in Mexico is
+52 962 625 1234) unless it starts with + and its country code. Saved numbers are stored in the
international format with spaces ("+52 962 625 1234", "+1 213 555 0100"); a number that is not
valid for its country is refused with a message that names it (`normalise_phone`, called by
organisations.entry_rows for every new or changed phone an entry saves, whatever the way: the edit
form, a proposal, an import, the API). A number saved before this check (or bulk-written demo data)
stays as it is while it is not changed, and is shown as written when it cannot be read (`shown`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from babel import Locale
from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.i18n import current_language

_DIGITS = re.compile(r"\D")


def _written(parsed: phonenumbers.PhoneNumber) -> str:
    """International format with spaces between the groups (ITU-T E.123): "+1 213 555 0100", not
    libphonenumber's "+1 213-555-0100"."""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL).replace("-", " ")


@dataclass(frozen=True)
class CheckedPhone:
    number: str  # international format: "+52 962 625 1234"
    extension: str  # the extension given, or the one written in the number ("... ext. 12")


def parse(number: str | None, region: str | None) -> phonenumbers.PhoneNumber | None:
    """The number read in `region` (an ISO 3166 alpha-2 code), or None when it is not a phone number."""
    if not number:
        return None
    try:
        return phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None


def _country_name(region: str | None) -> str:
    if not region:
        return ""
    return Locale.parse(current_language()).territories.get(region.upper(), region.upper())


def normalise_phone(number: str, extension: str, region: str | None, field: str) -> CheckedPhone:
    """The number in international format, or ValidationError (on `field`) that names the number and
    says how to write it: as dialled in the organisation's country, or with + and a country code."""
    parsed = parse(number, region)
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        code = phonenumbers.country_code_for_region((region or "").upper())
        if code:
            message = _(
                "'%(number)s' is not a valid phone number. Write it as it is dialled in %(country)s, "
                "or in full with + and the country code (+%(code)s for %(country)s).",
                number=number,
                country=_country_name(region),
                code=code,
            )
        else:
            message = _(
                "'%(number)s' is not a valid phone number. Write it in full with + and the country code.",
                number=number,
            )
        raise ValidationError(message, field=field)
    extension = extension or (parsed.extension or "")
    parsed.extension = None
    return CheckedPhone(_written(parsed), extension)


def shown(number: str, region: str | None) -> tuple[str, str | None]:
    """(the number as shown, its E.164 form or None). A number written with + and its country code
    (as every saved number is) is shown as written, its E.164 form being + and its digits: no parsing,
    so that a map layer of thousands of organisations costs little. Any other number is read in
    `region`: international format when valid, else as written; E.164 when possible."""
    number = (number or "").strip()
    digits = _DIGITS.sub("", number)
    if number.startswith("+"):
        return number, ("+" + digits) if 8 <= len(digits) <= 15 else None
    parsed = parse(number, region)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return number, None
    parsed.extension = None  # the extension is shown apart
    full = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return (_written(parsed) if phonenumbers.is_valid_number(parsed) else number), full
