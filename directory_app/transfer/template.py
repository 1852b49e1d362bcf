"""The template to fill in (/transfer/template.xlsx and .csv): what it holds, and the example rows.

The columns are headed in the reader's language with the first header of transfer.headers for that
language (additional information by its label), so that the file maps itself on import whatever the
importer's language; a header that would not map itself falls back to the field's own name. The first
column, `example`, marks the two example rows: `skip_examples` drops every row with that cell filled
before the preview and the import, which say so. The Excel file adds drop-down lists
(template_files.py) of the labels in the reader's language, which the import reads as their codes
(transfer.cell_labels); the example rows use those labels too.

A country contact's template has no status column (their rows are proposals the Technical
Secretariat publishes) and lists only their own country.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.models import Role
from directory_app.extensions import db
from directory_app.extra_fields.models import FieldType
from directory_app.extra_fields.services import definitions
from directory_app.geography.models import Country
from directory_app.i18n import current_language
from directory_app.organisations.display import country_name, language_name
from directory_app.organisations.models import Network
from directory_app.organisations.search_params import LANGUAGE_CHOICES
from directory_app.organisations.translations import ENTRY_LANGUAGES
from directory_app.transfer.headers import EXAMPLE, EXTRA_PREFIX, header_for
from directory_app.transfer.mapping import FIELDS, suggest_mapping
from directory_app.transfer.readers import Table

BASE_FIELDS = (
    EXAMPLE,
    "name",
    "alternate_name",
    "kind",
    "country_code",
    "description",
    "website",
    "email",
    "phone",
    "site_name",
    "address",
    "city",
    "region",
    "postal_code",
    "lat",
    "lon",
    "hide_exact_location",
    "service_categories",
    "populations",
    "languages",
    "coverage_countries",
    "networks",
    "original_language",
    "last_verified",
    "external_id",
    "status",
)
REQUIRED = ("name", "kind", "country_code")
SEVERAL = ("service_categories", "populations", "languages", "coverage_countries", "networks")
"""Columns that take several codes separated by ';' (the drop-down offers one, typing more is allowed)."""
_YES_NO = {"es": ("sí", "no"), "fr": ("oui", "non"), "en": ("yes", "no")}


@dataclass(frozen=True)
class Column:
    field: str  # a target of mapping.FIELDS or "extra_<code>"
    header: str
    meaning: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label in the reader's language): the drop-down
    extra_type: str = ""


def template_columns(user) -> list[Column]:
    """The template's columns for `user`, headed in the reader's language."""
    language = current_language()
    lists = _choices(user, language)
    fields = [f for f in BASE_FIELDS if not (f == "status" and user.role != Role.TS_ADMIN)]
    columns = [Column(f, header_for(f, language), str(FIELDS[f]), lists.get(f, ())) for f in fields]
    for extra in definitions():
        choices: tuple[tuple[str, str], ...] = ()
        if extra.field_type == FieldType.CHOICE:
            choices = tuple((c, c) for c in extra.choices)
        elif extra.field_type == FieldType.YES_NO:
            choices = lists["hide_exact_location"]
        target = f"{EXTRA_PREFIX}{extra.code}"
        label = extra.label(language)
        meaning = _("Additional information: %(label)s", label=label)
        columns.append(Column(target, label, meaning, choices, str(extra.field_type)))
    headers = [c.header for c in columns]
    mapped = suggest_mapping(headers)
    return [c if mapped.get(c.header) == c.field else replace(c, header=c.field) for c in columns]


def _choices(user, language: str) -> dict[str, tuple[tuple[str, str], ...]]:
    def terms(items: tuple[vocabulary.Term, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((t.code, getattr(t, language, t.en)) for t in items)

    countries = db.session.scalars(select(Country).order_by(Country.code)).all()
    if user.role != Role.TS_ADMIN:
        countries = [c for c in countries if c.code == user.country_code]
    yes, no = _YES_NO.get(language, _YES_NO["en"])
    country_list = tuple((c.code, country_name(c)) for c in countries)
    return {
        "kind": terms(vocabulary.ORGANISATION_KINDS),
        "service_categories": terms(vocabulary.SERVICE_CATEGORIES),
        "populations": terms(vocabulary.POPULATIONS),
        "country_code": country_list,
        "coverage_countries": country_list,
        "languages": tuple((code, language_name(code)) for code in LANGUAGE_CHOICES),
        "original_language": tuple((code, language_name(code)) for code in ENTRY_LANGUAGES),
        "hide_exact_location": ((yes, _("Yes")), (no, _("No"))),
        "networks": tuple(
            tuple(r) for r in db.session.execute(select(Network.code, Network.name).order_by(Network.code))
        ),
        "status": (("draft", _("Draft")), ("published", _("Published")), ("archived", _("Archived"))),
    }


def example_rows(user, columns: list[Column]) -> list[list[str]]:
    """Two example rows, marked as examples in their first cell, valid otherwise."""
    from directory_app.geography.places import member_cities

    country = user.country_code if user.role != Role.TS_ADMIN and user.country_code else "MX"
    cities = sorted((c for c in member_cities() if c[1] == country), key=lambda c: -c[4])[:2]
    cities += [("", country, "", "", 0, ())] * (2 - len(cities))
    yes, no = _YES_NO.get(current_language(), _YES_NO["en"])
    marker = _("Example: delete this row or leave it, it is skipped")
    rows = []
    for number, (city, _country, lon, lat, _population, _names) in enumerate(cities[:2], start=1):
        values = {
            EXAMPLE: marker,
            "name": _("Example organisation %(n)s", n=number),
            "kind": ("shelter", "legal_clinic")[number - 1],
            "country_code": country,
            "description": _("What the organisation does, for whom, and how to reach it."),
            "website": f"https://example.org/{number}",
            "email": f"contact{number}@example.org",
            "phone": f"555 010 000{number}",
            "site_name": _("Main office"),
            "address": _("Example street %(n)s", n=number),
            "city": city,
            "lat": f"{lat:.4f}" if lat != "" else "",
            "lon": f"{lon:.4f}" if lon != "" else "",
            "hide_exact_location": (no, yes)[number - 1],
            "service_categories": ("shelter;food", "legal_assistance;asylum")[number - 1],
            "populations": ("women;unaccompanied_children", "asylum_seekers")[number - 1],
            "languages": ("es;en", "es")[number - 1],
            "original_language": current_language(),
            "external_id": f"example-{number}",
            "status": "draft",
        }
        rows.append([_as_labels(c, values.get(c.field, "")) for c in columns])
    return rows


def _as_labels(column: Column, value: str) -> str:
    """A cell of codes written with the labels the column's drop-down offers."""
    labels = dict(column.choices)
    if not value or not labels:
        return value
    return ";".join(labels.get(code, code) for code in value.split(";"))


def skip_examples(table: Table, mapping: dict[str, str]) -> tuple[Table, list[int]]:
    """The table without the rows marked as examples (the column mapped to `example` is filled),
    and the numbers of the rows skipped."""
    markers = [column for column, target in mapping.items() if target == EXAMPLE]
    if not markers or table.records is not None:
        return table, []
    kept, skipped = [], []
    for number, row in table.rows:
        if any(str(row.get(column) or "").strip() for column in markers):
            skipped.append(number)
        else:
            kept.append((number, row))
    return replace(table, rows=kept), skipped
