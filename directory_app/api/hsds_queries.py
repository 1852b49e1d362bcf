"""The read side of the HSDS API: published organisations and services, filtered and paged, loaded
with a fixed number of queries per page (selectin loading, no query per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from directory_app.api.hsds_taxonomy import POPULATION, SERVICE_CATEGORY, Taxonomy
from directory_app.extensions import db
from directory_app.organisations.models import (
    Contact,
    CoveragePart,
    Organisation,
    Service,
    Status,
    service_population,
)
from directory_app.organisations.searchtext import search_words

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class HsdsFilters:
    """The filters of the HSDS list endpoints (already validated)."""

    search: str = ""
    taxonomy: Taxonomy | None = None  # with term_code: services having that term
    term_code: str | None = None
    taxonomy_id: str | None = None  # services with any term of this taxonomy (all of ours have one)
    organization_id: str | None = None
    modified_after: datetime | None = None
    match_nothing: bool = False  # a filter named something that does not exist (an unknown term)
    page: int = 1
    per_page: int = 25


def page_envelope(contents: list, total: int, page: int, per_page: int) -> dict:
    """The paged envelope of the HSDS API (components/schemas/Page of schema/openapi.json)."""
    total_pages = max(1, -(-total // per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def organisation_options(full_services: bool = True) -> list:
    """Loader options for fully nested organisations: one query per relationship and page."""
    services = selectinload(Organisation.services)
    options = [
        selectinload(Organisation.locations),
        selectinload(Organisation.contacts).selectinload(Contact.phones),
        selectinload(Organisation.phones),
        selectinload(Organisation.coverage_parts).options(
            undefer(CoveragePart.geom_wkb), joinedload(CoveragePart.admin_unit)
        ),
        services,
    ]
    if full_services:
        options += [
            services.selectinload(Service.languages),
            services.selectinload(Service.populations),
            services.selectinload(Service.locations),
        ]
    return options


def published_organisations(filters: HsdsFilters):
    """SQL: the ids of the published organisations the filters select (search words, organization_id)."""
    statement = select(Organisation.id).where(Organisation.status == Status.PUBLISHED)
    if filters.match_nothing:
        statement = statement.where(Organisation.id.is_(None))
    for word in search_words(filters.search):
        statement = statement.where(Organisation.search_text.contains(word, autoescape=True))
    if filters.organization_id:
        statement = statement.where(Organisation.uuid == filters.organization_id)
    return statement


def service_conditions(filters: HsdsFilters) -> list:
    """SQL conditions on Service for the taxonomy filters."""
    conditions = []
    if filters.taxonomy is SERVICE_CATEGORY and filters.term_code:
        conditions.append(Service.category_code == filters.term_code)
    if filters.taxonomy is POPULATION and filters.term_code:
        conditions.append(
            exists().where(
                service_population.c.service_id == Service.id,
                service_population.c.population_code == filters.term_code,
            )
        )
    if filters.taxonomy_id == POPULATION.id:
        conditions.append(exists().where(service_population.c.service_id == Service.id))
    return conditions


def list_organisations(filters: HsdsFilters, dialect: str, full_services: bool = False) -> tuple[list, int]:
    """A page of published organisations (name order) and the number matching."""
    statement = published_organisations(filters)
    conditions = service_conditions(filters)
    if conditions:
        statement = statement.where(exists().where(Service.organisation_id == Organisation.id, *conditions))
    if filters.modified_after:
        statement = statement.where(Organisation.updated_at >= compare_value(filters.modified_after, dialect))
    return _page(
        statement, Organisation, [Organisation.sort_name, Organisation.id], filters, organisation_options(full_services)
    )


def list_services(filters: HsdsFilters, dialect: str, full: bool = False) -> tuple[list, int]:
    """A page of the services of published organisations (fully loaded when `full`) and the
    number matching."""
    organisations = published_organisations(filters)
    statement = select(Service.id).where(Service.organisation_id.in_(organisations), *service_conditions(filters))
    if filters.modified_after:
        statement = statement.where(Service.updated_at >= compare_value(filters.modified_after, dialect))
    options = service_options() if full else [joinedload(Service.organisation)]
    return _page(statement, Service, [Service.id], filters, options)


def _page(statement, model, order, filters: HsdsFilters, options: list) -> tuple[list, int]:
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    ids = list(
        db.session.scalars(
            statement.order_by(*order).limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
        )
    )
    if not ids:
        return [], total
    loaded = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))}
    return [loaded[i] for i in ids], total


def compare_value(value: datetime, dialect: str) -> datetime:
    """A datetime to compare with a stored timestamp (SQLite stores them naive, in UTC)."""
    return value.replace(tzinfo=None) if dialect == "sqlite" else value


def find_organisation(organisation_uuid: str, full_services: bool = True) -> Organisation | None:
    """A published organisation by UUID, fully loaded."""
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.uuid == organisation_uuid, Organisation.status == Status.PUBLISHED)
        .options(*organisation_options(full_services))
    )


def service_options() -> list:
    """Loader options for fully nested services with their organisations."""
    organisation = joinedload(Service.organisation)
    return [
        organisation.selectinload(Organisation.locations),
        organisation.selectinload(Organisation.contacts).selectinload(Contact.phones),
        organisation.selectinload(Organisation.phones),
        organisation.selectinload(Organisation.coverage_parts).options(
            undefer(CoveragePart.geom_wkb), joinedload(CoveragePart.admin_unit)
        ),
        selectinload(Service.languages),
        selectinload(Service.populations),
        selectinload(Service.locations),
    ]


def find_service(service_uuid: str) -> Service | None:
    """A service of a published organisation by UUID, with its organisation fully loaded."""
    return db.session.scalar(
        select(Service)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Service.uuid == service_uuid, Organisation.status == Status.PUBLISHED)
        .options(*service_options())
    )
