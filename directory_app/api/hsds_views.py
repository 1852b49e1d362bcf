"""The HSDS 3.0 API under /hsds/ (paths and parameters of Open Referral's schema/openapi.json).

Published entries only; UUID columns are the HSDS ids; hidden locations are approximate for readers
who may not see them (accounts.access). Lists are paged ({total_items, total_pages, page_number,
size, first_page, last_page, empty, contents}); per_page is at most 100."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from directory_app.accounts.access import exact_location_rule
from directory_app.api import hsds_queries as queries
from directory_app.api.common import prepare_api_blueprint
from directory_app.api.hsds_attributes import extra_attributes
from directory_app.api.hsds_documents import (
    HSDS_VERSION,
    Reader,
    organization_document,
    organization_summary,
    service_document,
    service_summary,
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
    int_param,
    text_param,
    uuid_param,
)
from directory_app.extensions import db
from directory_app.organisations.searchtext import fold, search_words
from directory_app.public_links import public_url

bp = prepare_api_blueprint(Blueprint("hsds", __name__, url_prefix="/hsds"))
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/"


def _reader() -> Reader:
    return Reader(
        exact=exact_location_rule(),
        organisation_url=lambda uuid: public_url("organisations.organisation_page", organisation_uuid=uuid),
    )


def _filters() -> queries.HsdsFilters:
    args = request.args
    search = text_param(args, "search")
    if len(search_words(search)) > 12:
        raise ApiProblem(_("Use at most %(n)d words in the search.", n=12), parameter="search")
    values: dict = {
        "search": search,
        "organization_id": uuid_param(args, "organization_id"),
        "modified_after": datetime_param(args, "modified_after"),
        "page": int_param(args, "page", 1, 1, 100_000),
        "per_page": int_param(args, "per_page", 25, 1, queries.MAX_PER_PAGE),
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


@bp.get("/")
def api_info():
    return jsonify(
        version=HSDS_VERSION,
        profile=PROFILE_URL,
        openapi_url=OPENAPI_URL,
        links={
            "services": public_url("hsds.services"),
            "organizations": public_url("hsds.organizations"),
            "taxonomies": public_url("hsds.taxonomies"),
            "taxonomy_terms": public_url("hsds.taxonomy_terms"),
        },
    )


@bp.get("/services")
def services():
    filters = _filters()
    full = bool_param(request.args, "full")
    reader = _reader()
    found, total = queries.list_services(filters, _dialect(), full=full)
    if full:
        contents = [service_document(service, service.organisation, reader) for service in found]
    else:
        contents = [service_summary(service, service.organisation) for service in found]
    return jsonify(queries.page_envelope(contents, total, filters.page, filters.per_page))


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
    found, total = queries.list_organisations(filters, _dialect(), full_services=full_service)
    reader = _reader()
    if full or full_service:
        services = "full" if full_service else "summary"
        extra = extra_attributes(found)
        contents = [_with_extra(organization_document(org, reader, services=services), extra[org.id]) for org in found]
    else:
        contents = [organization_summary(org, reader) for org in found]
    return jsonify(queries.page_envelope(contents, total, filters.page, filters.per_page))


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


def _paged(items: list) -> dict:
    page = int_param(request.args, "page", 1, 1, 100_000)
    per_page = int_param(request.args, "per_page", 25, 1, queries.MAX_PER_PAGE)
    start = (page - 1) * per_page
    return queries.page_envelope(items[start : start + per_page], len(items), page, per_page)


@bp.get("/taxonomies")
def taxonomies():
    words = search_words(text_param(request.args, "search"))
    found = [t for t in TAXONOMIES if all(w in fold(f"{t.name} {t.description}") for w in words)]
    return jsonify(_paged([taxonomy_document(t) for t in found]))


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
    return jsonify(_paged([term_document(taxonomy, term) for taxonomy, term in terms]))


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    found = find_term(canonical_uuid(term_id))
    if found is None:
        raise ApiProblem(_("There is no taxonomy term with this id."), 404)
    return jsonify(term_document(*found))
