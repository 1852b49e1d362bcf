"""How directory values are shown to the reader: labels in the reader's language, language names
from ISO codes, safe links (web, telephone, e-mail) and the freshness of an entry."""

from __future__ import annotations

import functools
import gettext
import re
from datetime import date
from urllib.parse import urlsplit

import pycountry
from babel import Locale
from flask_babel import gettext as _

from directory_app import vocabulary
from directory_app.i18n import current_language as reader_language  # the reader's language: es, en or fr
from directory_app.i18n import unit_name
from directory_app.organisations import contact_links
from directory_app.organisations.translations import LocalizedText, localized

STALE_AFTER_MONTHS = 12
_PHONE_CHARACTERS = re.compile(r"[^+0-9]")


def _term_label(terms: tuple[vocabulary.Term, ...], code: str) -> str:
    try:
        return vocabulary.label(terms, code, reader_language())
    except KeyError:
        return code


def category_label(code: str) -> str:
    """The service category's label in the reader's language (the code when unknown)."""
    return _term_label(vocabulary.SERVICE_CATEGORIES, code)


def population_label(code: str) -> str:
    return _term_label(vocabulary.POPULATIONS, code)


def kind_label(code: str) -> str:
    return _term_label(vocabulary.ORGANISATION_KINDS, code)


def country_name(country) -> str:
    """A Country's name in the reader's language."""
    return getattr(country, f"name_{reader_language()}", None) or country.name_en


def consulate_name(consulate) -> str:
    """A consulate's name in the reader's language (geography.consulate_names: French from the
    English name's parts)."""
    return consulate.name(reader_language())


def entry_text(entity, field: str) -> LocalizedText:
    """A translatable text of an organisation or service in the reader's language, or its original
    (then `is_fallback` is true and `fallback_note` says so)."""
    return localized(entity, field, reader_language())


def fallback_note(text: LocalizedText) -> str:
    """ "Shown in Spanish: no French text yet." in the reader's language."""
    return _(
        "Shown in %(language)s: no %(wanted)s text yet.",
        language=language_name(text.language),
        wanted=language_name(text.wanted),
    )


@functools.lru_cache(maxsize=8)
def _iso639_catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True)


@functools.lru_cache(maxsize=2048)
def _language_name(code: str, language: str) -> str:
    name = Locale.parse(language).languages.get(code)
    if name:
        return name
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    return _iso639_catalog(language).gettext(found.name)


def language_name(code: str) -> str:
    """The display name of an ISO 639 language code in the reader's language ("mam" -> "Mam")."""
    return _language_name(code, reader_language())


def language_name_in(code: str, language: str) -> str:
    """The display name of an ISO 639 language code in `language` ("es", "en", "fr")."""
    return _language_name(code, language)


def website_href(url: str | None) -> str | None:
    """The address itself when it is an http(s) address with a host, else None (never a
    `javascript:` or other scheme that would run or open something else)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def tel_href(number: str, extension: str = "") -> str:
    """A tel: link for a phone number: digits and a leading +, the extension after a comma."""
    digits = _PHONE_CHARACTERS.sub("", number)
    extension = re.sub(r"\D", "", extension or "")
    return f"tel:{digits}" + (f",{extension}" if extension else "")


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_stale(last_verified: date | None, today: date | None = None) -> bool:
    """True when the entry was never verified or was last verified more than 12 months ago."""
    if last_verified is None:
        return True
    return last_verified < months_before(today or date.today(), STALE_AFTER_MONTHS)


def template_helpers() -> dict:
    """The helpers the directory's templates use."""
    return {
        "category_label": category_label,
        "population_label": population_label,
        "kind_label": kind_label,
        "country_name": country_name,
        "consulate_name": consulate_name,
        "language_name": language_name,
        "unit_name": unit_name,
        "entry_text": entry_text,
        "fallback_note": fallback_note,
        "website_href": website_href,
        "tel_href": tel_href,
        "is_stale": is_stale,
        **contact_links.template_helpers(),  # phone_link, first_phone, directions, phone_type_label
    }
