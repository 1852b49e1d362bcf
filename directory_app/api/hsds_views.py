"""The HSDS 3.0 API under /hsds/ (paths and parameters of Open Referral's schema/openapi.json, read
as our profile says: api.hsds_params, docs/hsds-profile.md, the page /hsds/profile).

Published entries only; UUID columns are the HSDS ids; hidden locations are approximate for readers
who may not see them (accounts.access). Lists are paged ({total_items, total_pages, page_number,
size, first_page, last_page, empty, contents}; per_page is at most 100) or, with format=ndjson, every
result one JSON document a line. A parameter an endpoint does not take is refused (400)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from flask_babel import gettext as _

from directory_app.accounts.access import exact_location_rule, viewer_key
from directory_app.api import hsds_params
from directory_app.api import hsds_queries as queries
from directory_app.api.common import prepare_api_blueprint
from directory_app.api.hsds_attributes import extra_attributes
from directory_app.api.hsds_documents import (
    HSDS_VERSION,
    Reader,
    organization_document,
    organization_summary,
    service_at_location_document,
    service_at_location_summary,
    service_document,
    service_minimal,
    service_summary,
)
from directory_app.api.hsds_sal_queries import (
    ExactScope,
    Place,
    find_service_at_location,
    list_service_at_locations,
)
from directory_app.api.hsds_taxonomy import (
    TAXONOMIES,
    find_taxonomy,
    find_term,
    matching_terms,
    taxonomy_document,
    term_document,
)
from directory_app.api.params import (
    ApiProblem,
    bool_param,
    canonical_uuid,
    datetime_param,
    text_param,
    uuid_param,
)
from directory_app.extensions import db
from directory_app.organisations.searchtext import fold, search_words
from directory_app.public_links import public_url

bp = prepare_api_blueprint(Blueprint("hsds", __name__, url_prefix="/hsds"))
NDJSON = "application/x-ndjson"


@bp.before_request
def _refuse_unknown_parameters() -> None:
    hsds_params.refuse_unknown((request.endpoint or "").removeprefix("hsds."), request.args)


def _reader() -> Reader:
    return Reader(
        exact=exact_location_rule(),
        organisation_url=lambda uuid: public_url("organisations.organisation_page", organisation_uuid=uuid),
    )


def _filters(maximum: int = queries.MAX_PER_PAGE, default: int = 25) -> queries.HsdsFilters:
    args = request.args
    search = text_param(args, "search")
    if len(search_words(search)) > 12:
        raise ApiProblem(_("Use at most %(n)d words in the search.", n=12), parameter="search")
    page, per_page = hsds_params.page_params(args, maximum, default)
    values: dict = {
        "search": search,
        "organization_id": uuid_param(args, "organization_id"),
        "modified_after": datetime_param(args, "modified_after"),
        "page": page,
        "per_page": per_page,
    }
    term_id = uuid_param(args, "taxonomy_term_id")
    taxonomy_id = uuid_param(args, "taxonomy_id")
    if term_id:
        found = find_term(term_id)
        if found is None:
            values["match_nothing"] = True
        else:
            values["taxonomy"], values["term_code"] = found[0], found[1].code
    if taxonomy_id:
        if find_taxonomy(taxonomy_id) is None:
            values["match_nothing"] = True
        values["taxonomy_id"] = taxonomy_id
    return queries.HsdsFilters(**values)


def _dialect() -> str:
    return db.engine.dialect.name


def _listing(filters: queries.HsdsFilters, fetch: Callable[[queries.HsdsFilters], tuple[list[dict], int]]):
    """The paged envelope of `fetch` (documents and the number matching), or with format=ndjson every
    document, fetched a page of MAX_PER_PAGE at a time while the response streams."""
    if hsds_params.output_format(request.args) == "json":
        contents, total = fetch(filters)
        return jsonify(queries.page_envelope(contents, total, filters.page, filters.per_page))

    def lines() -> Iterator[str]:
        page = 1
        while True:
            contents, _total = fetch(dataclasses.replace(filters, page=page, per_page=queries.MAX_PER_PAGE))
            yield from (current_app.json.dumps(document) + "\n" for document in contents)
            if len(contents) < queries.MAX_PER_PAGE:
                return
            page += 1

    return Response(stream_with_context(lines()), mimetype=NDJSON)


@bp.get("/")
def api_info():
    return jsonify(
        version=HSDS_VERSION,
        profile=public_url("hsds.profile"),
        openapi_url=public_url("hsds.openapi"),
        links={
            "services": public_url("hsds.services"),
            "organizations": public_url("hsds.organizations"),
            "service_at_locations": public_url("hsds.service_at_locations"),
            "taxonomies": public_url("hsds.taxonomies"),
            "taxonomy_terms": public_url("hsds.taxonomy_terms"),
            "documentation": public_url("hsds.docs"),
        },
    )


@bp.get("/services")
def services():
    minimal = hsds_params.minimal_param(request.args)
    if minimal:  # "aim to return all services within one page"
        filters = _filters(hsds_params.MAX_MINIMAL, hsds_params.MAX_MINIMAL)
    else:
        filters = _filters()
    full = bool_param(request.args, "full")
    reader = _reader()

    def fetch(page: queries.HsdsFilters) -> tuple[list[dict], int]:
        found, total = queries.list_services(page, _dialect(), full=full)
        if minimal:
            return [service_minimal(service) for service in found], total
        if full:
            return [service_document(service, service.organisation, reader) for service in found], total
        return [service_summary(service, service.organisation) for service in found], total

    return _listing(filters, fetch)


@bp.get("/services/<service_id>")
def service(service_id: str):
    found = queries.find_service(canonical_uuid(service_id))
    if found is None:
        raise ApiProblem(_("There is no published service with this id."), 404)
    return jsonify(service_document(found, found.organisation, _reader(), with_organization=True))


@bp.get("/organizations")
def organizations():
    filters = _filters()
    full = bool_param(request.args, "full")
    full_service = bool_param(request.args, "full_service")
    reader = _reader()

    def fetch(page: queries.HsdsFilters) -> tuple[list[dict], int]:
        found, total = queries.list_organisations(page, _dialect(), full_services=full_service)
        if not (full or full_service):
            return [organization_summary(org, reader) for org in found], total
        services = "full" if full_service else "summary"
        extra = extra_attributes(found)
        return [
            _with_extra(organization_document(org, reader, services=services), extra[org.id]) for org in found
        ], total

    return _listing(filters, fetch)


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    full_service = bool_param(request.args, "full_service", default=True)
    found = queries.find_organisation(canonical_uuid(organization_id), full_services=full_service)
    if found is None:
        raise ApiProblem(_("There is no published organization with this id."), 404)
    document = organization_document(found, _reader(), services="full" if full_service else "summary")
    return jsonify(_with_extra(document, extra_attributes([found])[found.id]))


def _with_extra(document: dict, attributes: list[dict]) -> dict:
    """The organization's additional information (fields the TS defined) as HSDS attributes."""
    if attributes:
        document["attributes"] = list(document.get("attributes") or []) + attributes
    return document


@bp.get("/service_at_locations")
def service_at_locations():
    filters = _filters()
    full = bool_param(request.args, "full")
    place = Place(hsds_params.postcode_param(request.args), hsds_params.proximity_param(request.args))
    reader, scope = _reader(), ExactScope(viewer_key())
    render = service_at_location_document if full else service_at_location_summary

    def fetch(page: queries.HsdsFilters) -> tuple[list[dict], int]:
        found, total = list_service_at_locations(page, scope, place, full=full)
        return [render(pair.id, pair.service, pair.location, reader) for pair in found], total

    return _listing(filters, fetch)


@bp.get("/service_at_locations/<service_at_location_id>")
def service_at_location(service_at_location_id: str):
    found = find_service_at_location(canonical_uuid(service_at_location_id))
    if found is None:
        raise ApiProblem(_("There is no published service at a location with this id."), 404)
    return jsonify(service_at_location_document(found.id, found.service, found.location, _reader()))


def _paged(items: list):
    """A list held in memory, paged (or every item with format=ndjson)."""
    page, per_page = hsds_params.page_params(request.args)
    filters = queries.HsdsFilters(page=page, per_page=per_page)

    def fetch(page: queries.HsdsFilters) -> tuple[list[dict], int]:
        start = (page.page - 1) * page.per_page
        return items[start : start + page.per_page], len(items)

    return _listing(filters, fetch)


@bp.get("/taxonomies")
def taxonomies():
    words = search_words(text_param(request.args, "search"))
    found = [t for t in TAXONOMIES if all(w in fold(f"{t.name} {t.description}") for w in words)]
    return _paged([taxonomy_document(t) for t in found])


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    found = find_taxonomy(canonical_uuid(taxonomy_id))
    if found is None:
        raise ApiProblem(_("There is no taxonomy with this id."), 404)
    return jsonify(taxonomy_document(found))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    words = search_words(text_param(request.args, "search"))
    taxonomy_id = uuid_param(request.args, "taxonomy_id")
    parent_id = uuid_param(request.args, "parent_id")
    bool_param(request.args, "top_only")  # every term of ours is a top term: accepted, nothing to filter
    terms = [] if parent_id else matching_terms(words, taxonomy_id)
    if taxonomy_id and find_taxonomy(taxonomy_id) is None:
        terms = []
    return _paged([term_document(taxonomy, term) for taxonomy, term in terms])


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    found = find_term(canonical_uuid(term_id))
    if found is None:
        raise ApiProblem(_("There is no taxonomy term with this id."), 404)
    return jsonify(term_document(*found))
