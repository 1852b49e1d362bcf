"""Languages of the interface: Spanish (default), English and French, with Flask-Babel.

The reader's language comes from `?lang=` (remembered in the session), then the session, then the
browser's Accept-Language, then the default (`DEFAULT_LANGUAGE` in the environment, or the
BABEL_DEFAULT_LOCALE setting; Spanish unless said otherwise).

Catalogs: translations/{es,fr}/LC_MESSAGES/messages.po, compiled to .mo by `scripts/i18n.sh compile`
(serve.sh and test.sh do it). English has no catalog: the msgids are English. The templates get:
- `language_links()`: the switcher's links, each the current path and query with `lang=xx`;
- `current_language`: "es", "en" or "fr" (for `<html lang>`);
- `unit_name(unit)`: an admin unit's local name, with the reader's (or English) name where different;
- filters `number` (grouped digits for the locale), `km` (a distance or area: `|km` one decimal,
  `|km(0)` none), `share` (0..1 as a percentage) and `day` (a date in the locale's medium format:
  "31 ene 2026", "Jan 31, 2026");
- filters from directory_app.review.labels: `label` (a kind of change, proposal or organisation
  status, translated), `audit_kind` (an audit event kind, translated) and `when` (a date and time
  in the locale: "31 ene 2026, 14:05"; `when(seconds=True)` with seconds), `field_label` (a review
  snapshot's field path in words: "Service 1: Name"), `diff_value(path)` (a diff value: country
  codes, kinds, categories and statuses by name) and `country_code_name` ("GT" -> "Guatemala").
"""

from __future__ import annotations

import functools
import math
import os
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import NumberPattern, get_decimal_symbol, get_group_symbol, parse_pattern
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain, format_date, format_decimal, get_locale
from werkzeug.utils import cached_property

from directory_app.config import PROJECT_ROOT

LANGUAGES = ("es", "en", "fr")
DEFAULT_LANGUAGE = "es"
# Each language's name in itself: the switcher must be readable by someone who does not read the
# current language.
LANGUAGE_AUTONYMS = {"es": "Español", "en": "English", "fr": "Français"}


class _PerAppDomain(Domain):
    """Flask-Babel keeps loaded catalogs in one dict per process, shared by every app built in it;
    each app gets its own here, so that apps with other translation directories (tests) never read
    each other's catalogs."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault("i18n_translations", {})

    def get_translations(self):
        """Flask-Babel's, kept for the rest of the request while its locale stays the same (force_locale
        changes it): Flask-Babel looks the request's context, locale and catalog up again on every text
        (about 25 us on the benchmark machine; a district page translates about 120). Kept in Flask-Babel's
        own namespace of the request (g._flask_babel), beside the locale it holds (babel_locale); anything
        else, as before."""
        babel_context = g.get("_flask_babel") if g else None
        locale = getattr(babel_context, "babel_locale", None)
        if locale is None:
            return super().get_translations()
        kept = getattr(babel_context, "directory_translations", None)
        if kept is not None and kept[0] is self and kept[1] is locale:
            return kept[2]
        translations = super().get_translations()
        babel_context.directory_translations = (self, locale, translations)
        return translations


class DirectoryBabel(Babel):
    @cached_property
    def domain_instance(self):
        return _PerAppDomain(domain=self.domain)


babel = DirectoryBabel()


def default_language() -> str:
    configured = current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    return configured if configured in LANGUAGES else DEFAULT_LANGUAGE


def command_language() -> str:
    """The language of a command run in a terminal (no request): the first of LC_ALL, LC_MESSAGES
    and LANG that is set ("fr_CA.UTF-8" -> fr, "es_MX" -> es). The C or POSIX locale, another
    language or none means untranslated messages, as gettext does: English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            language = value[:2].lower()
            return language if language in LANGUAGES else "en"
    return "en"


def select_locale() -> str:
    """The reader's language: ?lang= (remembered), the session, Accept-Language, the default.
    Outside a request (commands, background work), the terminal's language."""
    if not has_request_context():
        return command_language()
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        if session.get("lang") != asked:
            session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or default_language()


def current_language() -> str:
    """The interface language of this request: es, en or fr."""
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else default_language()


def language_url(language: str) -> str:
    """The current page in `language`: same path, same query, `lang` replaced."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*query, ("lang", language)])


def language_links() -> list[dict]:
    """The switcher's entries: code, autonym, url and whether it is the current language."""
    current = current_language()
    return [
        {"code": code, "name": LANGUAGE_AUTONYMS[code], "url": language_url(code), "current": code == current}
        for code in LANGUAGES
    ]


@functools.lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    """`text` without accents nor case (kept per text: a district page compares the names of up to a few
    hundred units, the same on every page)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def unit_name(unit, language: str | None = None) -> str:
    """An admin unit's name in its local language, followed by its name in the reader's language
    (English for French readers: units have no French names) where that differs beyond accents:
    "Ciudad de México (Mexico City)", "British Columbia (Columbia Británica)"; "Québec", "Chiapas".
    `language`: the reader's (current_language()), when the caller names many units."""
    local = unit.name_local
    other = unit.name_es if (language or current_language()) == "es" else unit.name_en
    return f"{local} ({other})" if other and _folded(other) != _folded(local) else local


def format_number(value: float | int | None) -> str:
    """A count or quantity with the locale's digit grouping ("1,234" / "1 234" / "1234"). A whole number
    from 0 to 999 has no group nor sign to write: its digits, as Babel writes them in every language of the
    directory, without Babel's 20-30 us (a district page writes about 16 counts)."""
    if type(value) is int and 0 <= value < 1000:
        return str(value)
    return "" if value is None else format_decimal(value)


@functools.lru_cache(maxsize=8)
def _decimals(decimals: int) -> NumberPattern:
    """The number pattern with grouped digits and `decimals` decimals, parsed once (Babel parses a pattern
    given as text on every call: a third of the time of formatting a distance)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def format_km(value: float | None, decimals: int = 1) -> str:
    """A distance or area in the locale, with `decimals` decimals ("1,234.5" / "1 234,5"): as Babel's
    format_decimal with the pattern "#,##0.0" writes it, in a tenth of its time for a finite value of
    0 or more (a district page writes about 80); Babel itself for any other."""
    return "" if value is None else km_formatter(decimals)(value)


def km_formatter(decimals: int = 1) -> Callable[[float | None], str]:
    """format_km for the reader's locale, looked up once (for a page that writes many distances)."""
    locale = get_locale()
    group, point = _number_symbols(str(locale)) if locale is not None else ("", "")
    quantum = _QUANTA.get(decimals) if locale is not None else None  # no locale: Babel's default

    def formatted(value: float | None) -> str:
        if value is None:
            return ""
        if quantum is not None and isinstance(value, float | int) and math.copysign(1.0, value) > 0 and value < 1e15:
            # Babel: Decimal(str(value)) quantized in the decimal context (half to even), grouped by 3
            text = f"{Decimal(str(value)).quantize(quantum):,f}"
            return text.replace(",", "\x00").replace(".", point).replace("\x00", group)
        return format_decimal(value, format=_decimals(decimals))

    return formatted


_QUANTA = {n: Decimal(1).scaleb(-n) for n in range(4)}


@functools.lru_cache(maxsize=16)
def _number_symbols(locale: str) -> tuple[str, str]:
    """The locale's group and decimal symbols, as Babel's format_decimal uses them."""
    return get_group_symbol(locale), get_decimal_symbol(locale)


def format_share(value: float | None) -> str:
    """A share from 0 to 1 as a percentage with one decimal, in the locale ("12.5 %", "12,5 %")."""
    return "" if value is None else format_decimal(value * 100, format=_decimals(1)) + " %"


def format_day(value: date | datetime | None) -> str:
    """A date in the locale's medium format."""
    return "" if value is None else format_date(value, "medium")


def _vary_on_language(response):
    """Pages depend on the reader's language (browser or session): shared caches must keep each.
    JSON and GeoJSON set their own Vary (their language is in the URL)."""
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)  # Settings: DEFAULT_LANGUAGE
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(number=format_number, km=format_km, share=format_share, day=format_day)
    app.context_processor(lambda: {"language_links": language_links, "current_language": current_language()})
    app.add_template_global(unit_name)
    app.after_request(_vary_on_language)
