"""Our controlled vocabularies published as HSDS taxonomies: the service categories (each service's
category is an HSDS attribute pointing at a taxonomy term) and the populations served.

HSDS wants UUIDs for taxonomies and terms; ours are derived from the stable codes (UUID 5), so
they never change while the codes do not."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from directory_app import vocabulary
from directory_app.organisations.searchtext import fold

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cammina.directory/hsds")


def derived_uuid(*parts: str) -> str:
    """A stable UUID for something that has no UUID column (an address, a language, a term)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class Taxonomy:
    key: str  # "service_category" or "population"
    name: str
    description: str
    terms: tuple[vocabulary.Term, ...]

    @property
    def id(self) -> str:
        return derived_uuid("taxonomy", self.key)

    def term_id(self, code: str) -> str:
        return derived_uuid("taxonomy", self.key, code)


TAXONOMIES: tuple[Taxonomy, ...] = (
    Taxonomy(
        "service_category",
        "CAMMINA service categories",
        "The kinds of help an organisation gives to migrants (codes are stable; labels in es, en, fr).",
        vocabulary.SERVICE_CATEGORIES,
    ),
    Taxonomy(
        "population",
        "CAMMINA populations",
        "The groups of people a service is meant for (codes are stable; labels in es, en, fr).",
        vocabulary.POPULATIONS,
    ),
)
SERVICE_CATEGORY, POPULATION = TAXONOMIES
_TERMS_BY_ID = {taxonomy.term_id(term.code): (taxonomy, term) for taxonomy in TAXONOMIES for term in taxonomy.terms}
_TAXONOMIES_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}


def taxonomy_document(taxonomy: Taxonomy) -> dict:
    """An HSDS taxonomy object."""
    return {"id": taxonomy.id, "name": taxonomy.name, "description": taxonomy.description, "version": "1"}


def term_document(taxonomy: Taxonomy, term: vocabulary.Term) -> dict:
    """An HSDS taxonomy_term: English name, the other labels in the description."""
    return {
        "id": taxonomy.term_id(term.code),
        "code": term.code,
        "name": term.en,
        "description": f"es: {term.es}; fr: {term.fr}",
        "taxonomy": taxonomy.name,
        "taxonomy_id": taxonomy.id,
        "language": "en",
    }


def find_term(term_id: str) -> tuple[Taxonomy, vocabulary.Term] | None:
    """The taxonomy and term of a term UUID, or None."""
    return _TERMS_BY_ID.get(term_id)


def find_taxonomy(taxonomy_id: str) -> Taxonomy | None:
    return _TAXONOMIES_BY_ID.get(taxonomy_id)


def matching_terms(words: list[str], taxonomy_id: str | None = None) -> list[tuple[Taxonomy, vocabulary.Term]]:
    """Terms (of one taxonomy, or all) whose code or labels contain every (folded) word."""
    found = []
    for taxonomy in TAXONOMIES:
        if taxonomy_id and taxonomy.id != taxonomy_id:
            continue
        for term in taxonomy.terms:
            text = fold(" ".join((term.code.replace("_", " "), term.es, term.en, term.fr)))
            if all(word in text for word in words):
                found.append((taxonomy, term))
    return found
