"""Phone numbers read, checked and written with libphonenumber (the `phonenumbers` package).

A number is read in the region of the organisation's country ("962 625 1234" in Mexico is
+52 962 625 1234) unless it starts with + and its country code. Saved numbers are stored in the
international format ("+52 962 625 1234"); a number that is not valid for its country is refused
with a message that names it (`normalise_phone`, called for every phone an entry saves, whatever
the way: the edit form, an import, the API). Numbers stored before this check (or bulk-written demo
data) are shown as written when they cannot be read (`international`, `e164`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from babel import Locale
from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.i18n import current_language

_DIGITS = re.compile(r"\D")


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
    written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return CheckedPhone(written, extension or (parsed.extension or ""))


def international(number: str, region: str | None) -> str:
    """The number as shown: international format when it is a valid number, else as written."""
    parsed = parse(number, region)
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return number
    parsed.extension = None  # the extension is shown apart
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def e164(number: str, region: str | None) -> str | None:
    """ "+529626251234", or None when the number cannot be read as a possible number. A number written
    with a leading + that libphonenumber cannot read keeps its digits (stored before the check)."""
    parsed = parse(number, region)
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = _DIGITS.sub("", number or "")
    if (number or "").strip().startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    return None
