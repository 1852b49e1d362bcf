"""Nearest partners (/nearest) and the offline place search behind it (/places?q=)."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.geography.places import current_gazetteer, search_places
from directory_app.organisations import contact_links
from directory_app.organisations.display import is_stale
from directory_app.referrals import maps
from directory_app.referrals.blueprint import bp
from directory_app.referrals.links import reader_language
from directory_app.referrals.nearest_search import DEFAULT_K, MAX_K, find_nearest, read_nearest_query

PLACES_LIMIT = 10


@bp.context_processor
def contact_helpers() -> dict:
    """Phone, WhatsApp and directions links (organisations.contact_links) for the referral pages."""
    return contact_links.template_helpers() | {"is_stale": is_stale}


@bp.get("/nearest")
def nearest():
    """Choose a consulate, type a place, or give ?lat=&lon= (a map click); optional service and k."""
    query = read_nearest_query(request.args)
    results = find_nearest(query)
    consulates = db.session.scalars(
        select(Consulate)
        .options(selectinload(Consulate.host_country))
        .order_by(Consulate.host_country_code, Consulate.city, Consulate.code)
    ).all()
    lang = reader_language()
    gazetteer = current_gazetteer()
    page = render_template(
        "geography/nearest.html",
        query=query,
        results=results,
        consulates=consulates,
        categories=vocabulary.SERVICE_CATEGORIES,
        service_labels={term.code: getattr(term, lang) for term in vocabulary.SERVICE_CATEGORIES},
        choices=[(m, gazetteer.detail(m.place, lang), place_kind_label(m.place.kind)) for m in query.choices],
        country_names=gazetteer.country_names.get(lang) or gazetteer.country_names["en"],
        args=request.args,
        default_k=DEFAULT_K,
        max_k=MAX_K,
        map_html=maps.nearest_map(query.origin, results, services=query.services),
    )
    return page, 400 if query.errors else 200


def place_kind_label(kind: str) -> str:
    """What kind of place a gazetteer entry is, in words."""
    labels = {"city": _("city"), "consulate_city": _("city with a consulate"), "admin_unit": _("administrative unit")}
    return labels.get(kind, kind)


@bp.get("/places")
def places():
    """Places for an autocomplete, JSON: [{name, detail, lon, lat, kind}], at most 10."""
    text = (request.args.get("q") or "").strip()[:100]
    if len(text) < 2:
        return jsonify([])
    return jsonify(search_places(text, reader_language(), PLACES_LIMIT))
