"""Terms of other publishers' taxonomies, and the service categories they are remembered to stand for.

An HSDS attribute classifies a service with a taxonomy_term (its taxonomy, code and name). A term of
ours (our service categories and populations, api.hsds_taxonomy) is read as it is; any other term is
"foreign": the import preview lists it, and the person importing maps it to one of our service
categories or keeps it as text (transfer.hsds_extra TERMS). Choices are stored in hsds_term_mapping
(transfer.models) per (taxonomy, code) and used for every later file.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from directory_app import vocabulary
from directory_app.api.hsds_taxonomy import find_term
from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.transfer.models import HsdsTermMapping

OUR_LINK_TYPES = ("service_category", "population")
_TEXT_LIMITS = {"taxonomy": 200, "code": 200, "name": 300}


@dataclass(frozen=True)
class TermKey:
    """A foreign term as the files name it."""

    taxonomy: str
    code: str
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.taxonomy, self.code)

    def label(self) -> str:
        """How text kept in the organisation's additional information names it."""
        name = f" ({self.name})" if self.name and self.name != self.code else ""
        return f"{self.taxonomy}: {self.code}{name}"


@dataclass
class ForeignTerm:
    """A foreign term seen in a file: how many services carry it and what it is remembered to be."""

    term: TermKey
    services: int = 0
    remembered: bool = False
    category: str | None = None  # the category it maps to; None: kept as text


def our_term(attribute: dict) -> tuple[str, str] | None:
    """("service_category" | "population", code) when the attribute names a term of ours."""
    term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
    found = find_term(str(term.get("id") or attribute.get("taxonomy_term_id") or ""))
    if found is not None:
        taxonomy, found_term = found
        return taxonomy.key, found_term.code
    link_type, value = attribute.get("link_type"), str(attribute.get("value") or "")
    codes = {"service_category": vocabulary.SERVICE_CODES, "population": vocabulary.POPULATION_CODES}
    if link_type in codes and value in codes[link_type]:
        return link_type, value
    return None


def foreign_term(attribute: dict) -> TermKey | None:
    """The foreign term an attribute names (None when it names no term at all)."""
    term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
    detail = term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), dict) else {}
    taxonomy = _clip(
        term.get("taxonomy") or detail.get("name") or term.get("taxonomy_id") or attribute.get("link_type"), "taxonomy"
    )
    code = _clip(term.get("code") or term.get("name") or term.get("id") or attribute.get("value"), "code")
    if not code:
        return None
    return TermKey(taxonomy or "-", code, _clip(term.get("name") or attribute.get("value"), "name"))


def _clip(value, what: str) -> str:
    return " ".join(str(value or "").split())[: _TEXT_LIMITS[what]]


def remembered() -> dict[tuple[str, str], str | None]:
    """{(taxonomy, code): category code or None} of every remembered choice."""
    rows = db.session.execute(select(HsdsTermMapping.taxonomy, HsdsTermMapping.code, HsdsTermMapping.category_code))
    return {(taxonomy, code): category for taxonomy, code, category in rows}


def remember(choices: list[tuple[TermKey, str | None]], user=None) -> None:
    """Store the choices (category code, or None: keep as text); the caller commits."""
    stored = {
        (row.taxonomy, row.code): row
        for row in db.session.scalars(
            select(HsdsTermMapping).where(HsdsTermMapping.code.in_([term.code for term, _c in choices]))
        )
    }
    for term, category in choices:
        if category is not None and category not in vocabulary.SERVICE_CODES:
            raise ValueError(f"unknown service category {category!r}")
        row = stored.get(term.key)
        if row is None:
            row = HsdsTermMapping(taxonomy=term.taxonomy, code=term.code)
            db.session.add(row)
            stored[term.key] = row
        row.name = term.name
        row.category_code = category
        row.updated_by_id = getattr(user, "id", None)
        row.updated_at = utcnow()
    db.session.flush()
