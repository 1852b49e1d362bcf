"""The public directory: parse what the reader asked (GET parameters) and find the organisations.

Every filter is a GET parameter, so that every state of the directory is a shareable URL:
`q` (words, each must match), `service` (category code), `population` (code), `language`
(ISO 639 code), `country` (member country code), `district` (ConsularDistrict.code: served, with
a published district coverage), `network` (Network.code), `sort` (name|verified|country), `page`.

The count and the page come from one query (the count is a scalar subquery of the same
statement); the page's services and sites are then loaded with one query each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Country
from directory_app.organisations import vocabulary
from directory_app.organisations.display import category_label, country_name, language_name, population_label
from directory_app.organisations.models import (
    DistrictCoverage,
    Location,
    Network,
    Organisation,
    Service,
    ServiceLanguage,
    Status,
    organisation_network,
    service_population,
)
from directory_app.organisations.searchtext import search_words
from directory_app.organisations.services import language_code

PER_PAGE = 25
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SORTS = ("name", "verified", "country")
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
MAX_PAGE = 100_000
# Languages offered in the filter form (any other ISO 639 code still works in the URL): the
# region's official languages and those most asked for at consulates.
LANGUAGE_CHOICES = ("es", "en", "fr", "pt", "ht", "mam", "quc", "kek", "cak", "kjb", "tzo", "tzh", "cab", "miq")


@dataclass(frozen=True)
class DirectoryQuery:
    """One state of the directory, as the URL gives it (only valid values)."""

    q: str = ""
    service: str = ""
    population: str = ""
    language: str = ""
    country: str = ""
    district: str = ""
    network: str = ""
    sort: str = "name"
    page: int = 1
    district_id: int | None = field(default=None, compare=False)
    network_id: int | None = field(default=None, compare=False)

    @property
    def words(self) -> list[str]:
        return search_words(self.q)

    def url_args(self, **changes) -> dict[str, str | int]:
        """The GET parameters of this state (empty ones left out), with `changes` applied."""
        state = replace(self, **changes)
        names = ("q", "service", "population", "language", "country", "district", "network")
        args: dict[str, str | int] = {name: getattr(state, name) for name in names if getattr(state, name)}
        if state.sort != "name":
            args["sort"] = state.sort
        if state.page != 1:
            args["page"] = state.page
        return args

    @property
    def is_filtered(self) -> bool:
        return bool(self.url_args(sort="name", page=1))


@dataclass(frozen=True)
class DirectoryPage:
    organisations: list[DirectoryEntry]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first_number(self) -> int:
        """The position of the page's first organisation in the whole result (1-based)."""
        return (self.page - 1) * self.per_page + 1


def parse_directory_query(args: Mapping[str, str]) -> tuple[DirectoryQuery, list[str]]:
    """The directory state asked for, and a message for each parameter that is not valid (those
    parameters are left out of the state)."""
    values: dict = {}
    problems: list[str] = []
    for name, check in _CHECKS:
        raw = str(args.get(name) or "").strip()
        if not raw:
            continue
        if _CONTROL.search(raw):  # PostgreSQL refuses NUL in text; no filter value has control characters
            problems.append(_("The parameter '%(name)s' contains characters that are not allowed.", name=name))
            continue
        try:
            values.update(check(raw))
        except ValidationError as exc:
            problems.append(exc.message)
    return DirectoryQuery(**values), problems


def _check_q(raw: str) -> dict:
    if len(raw) > MAX_QUERY_LENGTH:
        raise ValidationError(_("The search text is too long (at most %(n)d characters).", n=MAX_QUERY_LENGTH))
    if len(search_words(raw)) > MAX_WORDS:
        raise ValidationError(_("Use at most %(n)d words in the search.", n=MAX_WORDS))
    return {"q": raw}


def _check_service(raw: str) -> dict:
    if raw not in vocabulary.SERVICE_CODES:
        raise ValidationError(_("'%(value)s' is not a service category.", value=raw))
    return {"service": raw}


def _check_population(raw: str) -> dict:
    if raw not in vocabulary.POPULATION_CODES:
        raise ValidationError(_("'%(value)s' is not a population.", value=raw))
    return {"population": raw}


def _check_language(raw: str) -> dict:
    problem = ValidationError(_("'%(value)s' is not an ISO 639 language code.", value=raw))
    if not raw.isascii() or not raw.isalpha() or len(raw) not in (2, 3):
        raise problem
    try:
        return {"language": language_code(raw, "language")}
    except ValidationError:
        raise problem from None


def _check_country(raw: str) -> dict:
    code = raw.upper()
    if len(code) != 2 or db.session.get(Country, code) is None:
        raise ValidationError(_("'%(value)s' is not a member country code.", value=raw))
    return {"country": code}


def _check_district(raw: str) -> dict:
    district_id = db.session.scalar(select(ConsularDistrict.id).where(ConsularDistrict.code == raw[:70]))
    if district_id is None:
        raise ValidationError(_("There is no consular district with the code '%(value)s'.", value=raw))
    return {"district": raw, "district_id": district_id}


def _check_network(raw: str) -> dict:
    network_id = db.session.scalar(select(Network.id).where(Network.code == raw[:40]))
    if network_id is None:
        raise ValidationError(_("There is no network with the code '%(value)s'.", value=raw))
    return {"network": raw, "network_id": network_id}


def _check_sort(raw: str) -> dict:
    if raw not in SORTS:
        raise ValidationError(_("Sort by one of: %(sorts)s.", sorts=", ".join(SORTS)))
    return {"sort": raw}


def _check_page(raw: str) -> dict:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValidationError(_("'%(value)s' is not a page number.", value=raw))
    return {"page": int(raw)}


_CHECKS = (
    ("q", _check_q),
    ("service", _check_service),
    ("population", _check_population),
    ("language", _check_language),
    ("country", _check_country),
    ("district", _check_district),
    ("network", _check_network),
    ("sort", _check_sort),
    ("page", _check_page),
)


def filter_choices(query: DirectoryQuery) -> dict[str, list[tuple[str, str]]]:
    """(value, label) options of each select of the filter form, labels in the reader's language.
    A language asked for in the URL but not in LANGUAGE_CHOICES is added, so that it shows."""
    languages = list(LANGUAGE_CHOICES)
    if query.language and query.language not in languages:
        languages.append(query.language)
    countries = db.session.scalars(select(Country).order_by(Country.code)).all()
    return {
        "service": [(t.code, category_label(t.code)) for t in vocabulary.SERVICE_CATEGORIES],
        "population": [(t.code, population_label(t.code)) for t in vocabulary.POPULATIONS],
        "language": [(code, language_name(code)) for code in languages],
        "country": [(c.code, country_name(c)) for c in countries],
        "network": [
            tuple(row) for row in db.session.execute(select(Network.code, Network.name).order_by(Network.code))
        ],
    }


def _filtered(query: DirectoryQuery):
    """The published organisations matching every filter of the query."""
    statement = select(Organisation.id).where(Organisation.status == Status.PUBLISHED)
    for word in query.words:
        statement = statement.where(Organisation.search_text.contains(word, autoescape=True))
    if query.country:
        statement = statement.where(Organisation.country_code == query.country)
    of_org = and_(Service.organisation_id == Organisation.id, Service.is_active.is_(True))  # inactive: not offered
    if query.service:
        statement = statement.where(exists().where(of_org, Service.category_code == query.service))
    if query.population:
        statement = statement.where(
            exists().where(
                of_org,
                service_population.c.service_id == Service.id,
                service_population.c.population_code == query.population,
            )
        )
    if query.language:
        statement = statement.where(
            exists().where(of_org, ServiceLanguage.service_id == Service.id, ServiceLanguage.code == query.language)
        )
    if query.district_id is not None:
        statement = statement.where(
            exists().where(
                DistrictCoverage.organisation_id == Organisation.id,
                DistrictCoverage.district_id == query.district_id,
                DistrictCoverage.status == Status.PUBLISHED,
            )
        )
    if query.network_id is not None:
        statement = statement.where(
            exists().where(
                organisation_network.c.organisation_id == Organisation.id,
                organisation_network.c.network_id == query.network_id,
            )
        )
    return statement


def _order(sort: str) -> list:
    by_name = [Organisation.sort_name, Organisation.id]
    if sort == "verified":  # most recently verified first, never-verified last
        return [Organisation.last_verified.is_(None), Organisation.last_verified.desc(), *by_name]
    if sort == "country":
        return [Organisation.country_code, *by_name]
    return by_name


def search_directory(query: DirectoryQuery, per_page: int = PER_PAGE) -> DirectoryPage:
    """One page of the published organisations matching the query, with the total count.

    The page's ids and the count come from one query that reads only ids and sort keys; the
    result lines are then read, as plain
    columns, for those ids only."""
    base = _filtered(query)
    if query.words:
        # Typed words are matched row by row: count the rows of that one pass (a window over the
        # whole result, evaluated before LIMIT) rather than scanning a second time. Measured at
        # 10,000 organisations on SQLite: 6 ms instead of 13 for a rare word, 8 instead of 10 for a
        # word in 7 % of the entries; slower only for words in almost every entry.
        total_column = func.count().over()
    else:  # the page stops after `per_page` rows in name order; the count is evaluated once
        total_column = base.with_only_columns(func.count(Organisation.id)).correlate(None).scalar_subquery()
    rows = db.session.execute(
        base.add_columns(total_column.label("total"))
        .order_by(*_order(query.sort))
        .limit(per_page)
        .offset((query.page - 1) * per_page)
    ).all()
    if rows:
        total = rows[0].total
    else:
        total = db.session.scalar(base.with_only_columns(func.count(Organisation.id))) if query.page > 1 else 0
    pages = max(1, -(-total // per_page))
    return DirectoryPage(_load_listed([row[0] for row in rows]), total, query.page, pages, per_page)


@dataclass(frozen=True)
class DirectoryEntry:
    """One result line: what the directory shows of an organisation (no address, no position)."""

    id: int
    uuid: str
    name: str
    alternate_name: str | None
    country_code: str
    last_verified: date | None
    categories: list[str]  # distinct service category codes, in service order
    cities: list[str]  # distinct site cities


def _load_listed(ids: list[int]) -> list[DirectoryEntry]:
    """The result lines of these organisations, in this order, from three column queries."""
    if not ids:
        return []
    categories: dict[int, dict[str, None]] = {i: {} for i in ids}
    for org_id, code in db.session.execute(
        select(Service.organisation_id, Service.category_code)
        .where(Service.organisation_id.in_(ids), Service.is_active.is_(True))
        .order_by(Service.id)
    ):
        categories[org_id][code] = None
    cities: dict[int, dict[str, None]] = {i: {} for i in ids}
    for org_id, city in db.session.execute(
        select(Location.organisation_id, Location.city).where(Location.organisation_id.in_(ids)).order_by(Location.id)
    ):
        if city:
            cities[org_id][city] = None
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.uuid,
            Organisation.name,
            Organisation.alternate_name,
            Organisation.country_code,
            Organisation.last_verified,
        ).where(Organisation.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    return [DirectoryEntry(*by_id[i], list(categories[i]), list(cities[i])) for i in ids]


def matching_organisation_ids(query: DirectoryQuery):
    """A select of the ids of the published organisations matching the query's filters (the map
    layers draw the same set as the directory shows)."""
    return _filtered(query).with_only_columns(Organisation.id)
