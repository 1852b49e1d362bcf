"""The public directory: find the published organisations matching a DirectoryQuery (see
search_params for the GET parameters), one page at a time with the total count.

The page's ids and the count come from one query over ids and sort keys; the page's result lines
are then read as plain columns, for those ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, false, func, select

from directory_app.extensions import db
from directory_app.extra_fields.filters import extra_filter_clauses
from directory_app.organisations.contact_links import PhoneLink, first_phone
from directory_app.organisations.models import (
    DistrictCoverage,
    Location,
    Organisation,
    Phone,
    Service,
    ServiceLanguage,
    Status,
    organisation_network,
    service_population,
)
from directory_app.organisations.search_params import (  # noqa: F401 (the directory's public names)
    LANGUAGE_CHOICES,
    SORTS,
    DirectoryQuery,
    filter_choices,
    parse_directory_query,
)
from directory_app.organisations.service_choice import offers

PER_PAGE = 25


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


def _filtered(query: DirectoryQuery):
    """The published organisations matching every filter of the query."""
    statement = select(Organisation.id).where(Organisation.status == Status.PUBLISHED)
    for word in query.words:
        statement = statement.where(Organisation.search_text.contains(word, autoescape=True))
    if query.country:
        statement = statement.where(Organisation.country_code == query.country)
    of_org = and_(Service.organisation_id == Organisation.id, Service.is_active.is_(True))  # inactive: not offered
    if query.service:  # any or all of the chosen categories
        statement = statement.where(offers(query.services, Organisation.id))
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
    if query.district_unknown:  # a name that names no district
        statement = statement.where(false())
    elif query.district_ids:  # serving any of the districts named
        statement = statement.where(
            exists().where(
                DistrictCoverage.organisation_id == Organisation.id,
                DistrictCoverage.district_id.in_(query.district_ids)
                if len(query.district_ids) > 1
                else DistrictCoverage.district_id == query.district_ids[0],
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
    if query.extra:
        statement = statement.where(*extra_filter_clauses(query.extra, Organisation.id))
    return statement


def _order(sort: str) -> list:
    by_name = [Organisation.sort_name, Organisation.id]
    if sort == "verified":  # most recently verified first, never-verified last
        return [Organisation.last_verified.is_(None), Organisation.last_verified.desc(), *by_name]
    if sort == "country":
        return [Organisation.country_code, *by_name]
    return by_name


def search_directory(query: DirectoryQuery, per_page: int = PER_PAGE, among=None) -> DirectoryPage:
    """One page of the published organisations matching the query, with the total count; only those
    `among` gives (a select of organisation ids, e.g. site_boxes.organisations_shown_in_boxes) if given.

    The page's ids and the count come from one query that reads only ids and sort keys; the
    result lines are then read, as plain
    columns, for those ids only."""
    base = _filtered(query)
    if among is not None:
        base = base.where(Organisation.id.in_(among))
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
    phone: PhoneLink | None = None  # the phone to call (organisations.contact_links.first_phone)


def _load_listed(ids: list[int]) -> list[DirectoryEntry]:
    """The result lines of these organisations, in this order, from four column queries."""
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
    phones: dict[int, list] = {i: [] for i in ids}
    for phone in db.session.execute(
        select(Phone.organisation_id, Phone.number, Phone.extension, Phone.type, Phone.contact_id)
        .where(Phone.organisation_id.in_(ids))
        .order_by(Phone.id)
    ):
        phones[phone.organisation_id].append(phone)
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
    return [
        DirectoryEntry(*by_id[i], list(categories[i]), list(cities[i]), first_phone(phones[i], by_id[i].country_code))
        for i in ids
    ]


def matching_organisation_ids(query: DirectoryQuery):
    """A select of the ids of the published organisations matching the query's filters (the map
    layers draw the same set as the directory shows)."""
    return _filtered(query).with_only_columns(Organisation.id)
