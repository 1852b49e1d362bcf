"""The languages a service is offered in, by name: what a person types ("español", "espagnol",
"Spanish", "K'iche'", "quc" or "quiché (quc)") read as its ISO 639 code (639-1 where one exists),
which is what is stored; and the names of the codes in the reader's language for the edit form's
picker (templates/edit/_language_picker.html, static/js/language-picker.js).

Names come from Babel's locale data (Locale.languages) in the interface languages (es, en, fr),
with pycountry's English name for the region's languages Babel does not name (Mam, Q'anjob'al...),
and any ISO 639-3 language is also found by its pycountry name. Names are compared folded: accents,
case, apostrophes (K'iche', Kʼicheʼ, K’iche’) and punctuation ignored.
"""

from __future__ import annotations

import functools
import re

import pycountry
from babel import Locale

from directory_app.organisations.searchtext import fold as search_fold

INTERFACE_LANGUAGES = ("es", "en", "fr")
# Languages of the region that Babel may not name: Mayan languages, Garifuna, Miskito, Ngäbere, Guna.
REGIONAL = ("quc", "mam", "kek", "cak", "tzo", "tzh", "yua", "zap", "kjb", "jac", "ixl", "poh", "tzj", "acr")
REGIONAL += ("ctu", "cab", "miq", "gym", "cuk")
_WITH_CODE = re.compile(r"^(?P<name>.*)\((?P<code>[A-Za-z]{2,3})\)\s*$")


def fold(text: str) -> str:
    """As the search folds text (no accents, no case, single spaces), without apostrophes ("K'iche'" and
    "Kʼicheʼ" alike) or other punctuation."""
    text = re.sub(r"[ʼ’‘'`´]", "", search_fold(str(text)))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def iso_code(code: str) -> str | None:
    """The ISO 639 code (639-1 where the language has one) of a 2- or 3-letter code, or None."""
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", code):
        return None
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if language is None and len(code) == 3:
        language = pycountry.languages.get(bibliographic=code)  # "fre", "spa" is already alpha_3
    if language is None:
        return None
    return getattr(language, "alpha_2", None) or language.alpha_3


@functools.cache
def _names() -> dict[str, dict[str, str]]:
    """{code: {interface language: name}} of the languages Babel names and the regional ones."""
    names: dict[str, dict[str, str]] = {}
    for lang in INTERFACE_LANGUAGES:
        for key, name in Locale.parse(lang).languages.items():
            code = iso_code(key) if "_" not in key else None
            if code:
                names.setdefault(code, {}).setdefault(lang, name)
    for key in REGIONAL:
        code = iso_code(key)
        if code:
            english = pycountry.languages.get(alpha_3=key).name
            for lang in INTERFACE_LANGUAGES:
                names.setdefault(code, {}).setdefault(lang, english)
    return names


@functools.cache
def _by_folded_name() -> dict[str, str]:
    index: dict[str, str] = {}
    for language in pycountry.languages:  # every ISO 639-3 language by its English name, then ours win
        code = getattr(language, "alpha_2", None) or language.alpha_3
        for name in (language.name, getattr(language, "common_name", None)):
            if name:
                index.setdefault(fold(name), code)
    for code, by_lang in _names().items():
        for name in by_lang.values():
            index[fold(name)] = code
    return index


def code_for(text: str) -> str | None:
    """The ISO 639 code of a language typed as a code, a name in Spanish, English or French (any
    case, with or without accents), or "name (code)"; None when it is none of them."""
    text = (text or "").strip()
    matched = _WITH_CODE.match(text)
    if matched:
        return iso_code(matched.group("code"))
    return iso_code(text) or _by_folded_name().get(fold(text))


def language_name(code: str, lang: str) -> str:
    """The name of the language `code` in the reader's language `lang` (then English, pycountry, the code)."""
    by_lang = _names().get(code, {})
    if by_lang.get(lang) or by_lang.get("en"):
        return by_lang.get(lang) or by_lang["en"]
    language = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return language.name if language else code


def named_codes(codes, lang: str) -> str:
    """A service's languages as the form shows them: "español (es), K'iche' (quc)"."""
    return ", ".join(f"{language_name(code, lang)} ({code})" for code in codes)


def picker_options(lang: str) -> list[list[str]]:
    """[code, name in `lang`, folded names in every interface language and the code] for the picker,
    by name in `lang`."""
    options = []
    for code, by_lang in _names().items():
        shown = language_name(code, lang)
        words = " ".join(dict.fromkeys(fold(n) for n in [shown, *by_lang.values(), code]))
        options.append([code, shown, words])
    return sorted(options, key=lambda option: fold(option[1]))
