"""The public directory: search and organisation pages."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.i18n import format_number
from directory_app.organisations.display import is_stale, template_helpers, website_href
from directory_app.organisations.maps import organisation_map, site_picker_map
from directory_app.organisations.profile import districts_served, find_organisation, phones_by_contact, visible_sites
from directory_app.organisations.search import (
    DirectoryQuery,
    filter_choices,
    parse_directory_query,
    search_directory,
)
from directory_app.organisations.service_choice import chip_options, choice_summary, short_label, short_labels

bp = Blueprint("organisations", __name__)
bp.context_processor(template_helpers)
bp.add_app_template_global(site_picker_map)  # the edit form's map (templates/edit/form.html)
bp.add_app_template_global(chip_options, "service_chip_options")  # templates/_service_chips.html
bp.add_app_template_global(choice_summary)  # "Organisations offering any of: ..."
bp.add_app_template_global(short_label)  # a service category's short name
bp.add_app_template_global(short_labels, "service_short_labels")  # all of them, by code


def form_choices(query: DirectoryQuery | None = None) -> dict:
    """The template variables of the shared filter form (templates/organisations/_filters.html)."""
    return {"choices": filter_choices(query or DirectoryQuery())}


@bp.get("/organisations")
def directory():
    query, problems = parse_directory_query(request.args)
    results = None if problems else search_directory(query)
    status = 400 if problems else 200
    if results is not None and results.total and query.page > results.pages:
        problems = [
            _(
                "Page %(page)s does not exist: there are %(pages)s pages.",
                page=format_number(query.page),
                pages=format_number(results.pages),
            )
        ]
        status = 404
    districts = [db.session.get(ConsularDistrict, i) for i in query.district_ids]
    return (
        render_template(
            "organisations/directory.html",
            query=query,
            problems=problems,
            results=results,
            districts=districts,
            **form_choices(query),
        ),
        status,
    )


@bp.get("/organisations/<organisation_uuid>")
def organisation_page(organisation_uuid: str):
    try:
        canonical = str(UUID(organisation_uuid))
    except ValueError:
        abort(404)
    org = find_organisation(canonical)
    if org is None:
        abort(404)
    return render_template(
        "organisations/organisation.html",
        org=org,
        sites=visible_sites(org),
        phones=phones_by_contact(org),
        districts=districts_served(org),
        website=website_href(org.website),
        stale=is_stale(org.last_verified),
        organisation_map=organisation_map(org),
    )
