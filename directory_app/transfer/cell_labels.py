"""Cells that name a choice by its label: "Albergue", "Shelter" or "Hébergement" for `shelter`.

The template's drop-down lists offer the labels of the reader's language (transfer.template), and people
type what they read: a cell of a column with a fixed list (kind, status, country, services, populations,
languages, the entry's language, coverage countries, networks) may hold the code or its label in Spanish,
English or French, in any case and with or without accents. Each is read as the code; a value that is
neither is left as it is, so that the entry's checks name it ("unknown kind 'club'"). A label that two
codes of one list share in different languages is not read as either.

Several values in one cell are separated by ";" (or "|"); "," separates them too, unless the text
with its commas is itself a label ("Niñas, niños y adolescentes no acompañados").
"""

from __future__ import annotations

import re

from flask import g, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.organisations.display import language_name_in
from directory_app.organisations.models import Network
from directory_app.organisations.search_params import LANGUAGE_CHOICES
from directory_app.organisations.searchtext import fold as search_fold

LANGUAGES = ("es", "en", "fr")
ONE = ("kind", "status", "country_code", "original_language")
SEVERAL = ("service_categories", "populations", "languages", "coverage_countries", "networks")


def fold(text) -> str:
    """Text as labels are compared (a cell may hold a number): as the search compares it, no accents,
    no case, single spaces."""
    return search_fold(str(text))


def codes_of(field: str, text: str) -> list[str]:
    """The codes a cell of a list column names (see the module docstring)."""
    found = []
    for piece in re.split(r"[;|]", text or ""):
        piece = piece.strip()
        if not piece:
            continue
        code = _lookup(field).get(fold(piece))
        if code is not None or "," not in piece:
            found.append(code or piece)
            continue
        found += [_lookup(field).get(fold(part), part.strip()) for part in piece.split(",") if part.strip()]
    return found


def code_of(field: str, text: str) -> str:
    """The code a one-value cell names, or the text as it is."""
    return _lookup(field).get(fold(text), text) if text else text


def _lookup(field: str) -> dict[str, str]:
    """{folded code or label: code} of one list, built once per request or command."""
    if not has_app_context():
        return _build(field)
    cache = g.setdefault("_cell_labels", {})
    if field not in cache:
        cache[field] = _build(field)
    return cache[field]


def _build(field: str) -> dict[str, str]:
    pairs = list(_labels(field))
    table: dict[str, str] = {}
    ambiguous: set[str] = set()
    for code, label in pairs:
        key = fold(label)
        if key and table.setdefault(key, code) != code:
            ambiguous.add(key)
    for code, _label in pairs:  # a code is itself, whatever a label of another language says
        table[fold(code)] = code
        ambiguous.discard(fold(code))
    return {key: code for key, code in table.items() if key not in ambiguous}


def _labels(field: str):
    terms = {
        "kind": vocabulary.ORGANISATION_KINDS,
        "service_categories": vocabulary.SERVICE_CATEGORIES,
        "populations": vocabulary.POPULATIONS,
    }
    if field in terms:
        for term in terms[field]:
            yield term.code, term.code
            for language in LANGUAGES:
                yield term.code, getattr(term, language)
    elif field in ("country_code", "coverage_countries"):
        for country in db.session.scalars(select(Country)):
            yield country.code, country.code
            for language in LANGUAGES:
                yield country.code, getattr(country, f"name_{language}", "") or ""
    elif field in ("languages", "original_language"):
        for code in LANGUAGE_CHOICES:
            yield code, code
            for language in LANGUAGES:
                yield code, language_name_in(code, language)
    elif field == "networks":
        for code, name in db.session.execute(select(Network.code, Network.name)):
            yield code, code
            yield code, name
    elif field == "status":
        for code, label in (("draft", "Draft"), ("published", "Published"), ("archived", "Archived")):
            yield code, code
            for language in LANGUAGES:
                with force_locale(language):
                    yield code, _(label)


def with_codes(values: dict) -> dict:
    """A mapped row's values with the labels of its list columns read as codes (several joined by ";")."""
    values = dict(values)
    for field in ONE:
        if isinstance(values.get(field), str) and values[field].strip():
            values[field] = code_of(field, values[field].strip())
    for field in SEVERAL:
        if isinstance(values.get(field), str) and values[field].strip():
            values[field] = ";".join(codes_of(field, values[field]))
    return values
