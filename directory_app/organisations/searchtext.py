"""The normalised text the directory searches, kept on each organisation row.

`Organisation.search_text` holds, folded (NFKD, combining marks removed, casefolded) and each word
once, everything a person may type to find an organisation: its name, acronym and
description, its active services' names, descriptions and category labels, its sites' cities and regions
and its networks' names; the descriptions, eligibility and hours in every language of the entry
(organisations.translations). `Organisation.sort_name` is the folded name, the key of the name order.

Searching is then one `LIKE '%word%'` per typed word on one column, the same on SQLite and
PostgreSQL, with no per-request joins. The text is written:
- by the ORM, on every flush that creates or changes an organisation, a service, a site or a
  network name (the `before_flush` listener below), so forms, imports and restores keep it current;
- by `refresh_search_text` for bulk paths that write rows with Core inserts (the demo generator).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

# translations as a module, not its classes: it imports the models, which import this module.
from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.organisations import translations
from directory_app.organisations.bulk import update_rows
from directory_app.organisations.models import Location, Network, Organisation, Service, organisation_network

_SPACES = re.compile(r"\s+")
_CATEGORY_LABELS = {t.code: f"{t.es} {t.en} {t.fr}" for t in vocabulary.SERVICE_CATEGORIES}
_ORGANISATION_FIELDS = ("name", "alternate_name", "description", "networks")
_NETWORK_FIELDS = ("name", "code")
CHUNK = 5_000


def fold(text: str | None) -> str:
    """Text as the search compares it: NFKD, without combining marks, casefolded, single spaces.
    "Asesoría  Jurídica" -> "asesoria juridica"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_words(query: str | None) -> list[str]:
    """The distinct folded words of a typed query, in order."""
    return list(dict.fromkeys(fold(query).split()))


def compose_search_text(
    organisation: Iterable[str | None],
    services: Iterable[tuple[str, str | None, str | None]],
    places: Iterable[str | None],
    networks: Iterable[str | None],
) -> str:
    """The folded search text from plain values: the organisation's own texts, its services as
    (category code, name, description), its sites' cities and regions, its networks' names."""
    parts = list(organisation)
    for category, name, description in services:
        parts += [_CATEGORY_LABELS.get(category, ""), name, description]
    parts += list(dict.fromkeys(p for p in places if p))
    parts += list(networks)
    # Each word once: a typed word (it has no spaces) matches inside one word, so repeats add nothing
    # but length to scan.
    return " ".join(dict.fromkeys(fold(" ".join(p for p in parts if p)).split()))


def organisation_search_text(
    org: Organisation, deleted: Iterable[object] = (), added: Iterable[Service | Location] = ()
) -> str:
    """The search text of an organisation from its loaded relationships, ignoring objects that
    are about to be deleted and including new services and sites that name the organisation only
    by its id (so are not in its collections yet)."""
    gone = set(map(id, deleted))
    services = [s for s in org.services if id(s) not in gone and s.is_active is not False]
    locations = [loc for loc in org.locations if id(loc) not in gone]
    for obj in added:
        pending = services if isinstance(obj, Service) else locations
        if getattr(obj, "is_active", True) is not False and all(obj is not other for other in pending):
            pending.append(obj)

    def other_languages(entity) -> str:
        return " ".join(t.text for t in entity.translations if id(t) not in gone)

    return compose_search_text(
        (org.name, org.alternate_name, org.description, other_languages(org)),
        ((s.category_code, s.name, f"{s.description} {other_languages(s)}") for s in services),
        (p for loc in locations for p in (loc.city, loc.region)),
        (n.name for n in org.networks),
    )


def refresh_search_text(organisation_ids: Sequence[int]) -> None:
    """Recompute the search text and sort key of these organisations from the database, in a few
    queries per chunk (for bulk writers that bypass the ORM)."""
    ids = list(organisation_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        services, places, networks = defaultdict(list), defaultdict(list), defaultdict(list)
        for org_id, category, name, description in db.session.execute(
            select(Service.organisation_id, Service.category_code, Service.name, Service.description)
            .where(Service.organisation_id.in_(chunk), Service.is_active.is_(True))
            .order_by(Service.id)
        ):
            services[org_id].append((category, name, description))
        for org_id, text in db.session.execute(
            select(Service.organisation_id, translations.ServiceTranslation.text)
            .join(translations.ServiceTranslation, translations.ServiceTranslation.service_id == Service.id)
            .where(Service.organisation_id.in_(chunk), Service.is_active.is_(True))
        ):
            services[org_id].append(("", "", text))
        translated = defaultdict(list)
        for org_id, text in db.session.execute(
            select(
                translations.OrganisationTranslation.organisation_id, translations.OrganisationTranslation.text
            ).where(translations.OrganisationTranslation.organisation_id.in_(chunk))
        ):
            translated[org_id].append(text)
        for org_id, city, region in db.session.execute(
            select(Location.organisation_id, Location.city, Location.region)
            .where(Location.organisation_id.in_(chunk))
            .order_by(Location.id)
        ):
            places[org_id] += [city, region]
        for org_id, name in db.session.execute(
            select(organisation_network.c.organisation_id, Network.name)
            .join(Network, Network.id == organisation_network.c.network_id)
            .where(organisation_network.c.organisation_id.in_(chunk))
            .order_by(Network.code)
        ):
            networks[org_id].append(name)
        rows = [
            {
                "id": org_id,
                "search_text": compose_search_text(
                    (name, alternate, description, *translated[org_id]),
                    services[org_id],
                    places[org_id],
                    networks[org_id],
                ),
                "sort_name": fold(name)[:300],
            }
            for org_id, name, alternate, description in db.session.execute(
                select(Organisation.id, Organisation.name, Organisation.alternate_name, Organisation.description).where(
                    Organisation.id.in_(chunk)
                )
            )
        ]
        update_rows(Organisation.__table__, "id", rows)


def _changed(obj: object, fields: Sequence[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _owner(session: Session, obj: Service | Location) -> Organisation | None:
    if obj.organisation is not None:
        return obj.organisation
    return session.get(Organisation, obj.organisation_id) if obj.organisation_id else None


def _translation_owner(session: Session, row) -> Organisation | None:
    """The organisation whose search text a translation row belongs to."""
    if isinstance(row, translations.OrganisationTranslation):
        return row.organisation or (session.get(Organisation, row.organisation_id) if row.organisation_id else None)
    service = row.service or (session.get(Service, row.service_id) if row.service_id else None)
    return _owner(session, service) if service is not None else None


def _touched_organisations(session: Session) -> dict[Organisation, list[Service | Location]]:
    """The organisations whose search text may have changed, each with its new services and sites."""
    touched: dict[Organisation, list[Service | Location]] = {}
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Organisation):
            if obj in session.new or (obj in session.dirty and _changed(obj, _ORGANISATION_FIELDS)):
                touched.setdefault(obj, [])
        elif isinstance(obj, Service | Location):
            owner = _owner(session, obj)
            if owner is not None:
                touched.setdefault(owner, []).extend([obj] if obj in session.new else [])
        elif isinstance(obj, translations.OrganisationTranslation | translations.ServiceTranslation):
            owner = _translation_owner(session, obj)
            if owner is not None:
                touched.setdefault(owner, [])
        elif isinstance(obj, Network) and obj in session.dirty and _changed(obj, _NETWORK_FIELDS):
            for member in obj.members:
                touched.setdefault(member, [])
    return {org: added for org, added in touched.items() if org not in session.deleted}


def keep_search_text_current(session: Session, _context, _instances) -> None:
    """Whatever the ORM writes, the search text of the organisations it touches follows."""
    deleted = list(session.deleted)
    for org, added in _touched_organisations(session).items():
        text, sort_name = organisation_search_text(org, deleted, added), fold(org.name)[:300]
        if org.search_text != text:  # no version bump when nothing searchable changed
            org.search_text = text
        if org.sort_name != sort_name:
            org.sort_name = sort_name
