"""Consulates and their districts: the list, and each district's referral sheet."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload

from directory_app.extensions import db
from directory_app.geography.consular_network import current_code
from directory_app.geography.consular_services import network_reach
from directory_app.geography.district_search import find_districts
from directory_app.geography.models import ConsularDistrict, Consulate, Country, district_unit
from directory_app.organisations.service_choice import read_service_choice
from directory_app.referrals.blueprint import bp
from directory_app.referrals.district_page import district_page_context, find_district


@bp.get("/districts")
def district_list():
    """Every consular district, filterable by sending and host country (?sending=MX&host=US) and found by
    name (?q=houston: a consulate's city or name in any language and case, without accents, or a code)."""
    countries = db.session.scalars(select(Country).order_by(Country.code)).all()
    codes = {c.code for c in countries}
    sending = (request.args.get("sending") or "").upper() or None
    host = (request.args.get("host") or "").upper() or None
    error = None
    if (sending and sending not in codes) or (host and host not in codes):
        error = _("Unknown country code. Choose a country from the list.")
        sending = host = None
    query = (
        select(ConsularDistrict)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .options(selectinload(ConsularDistrict.consulate).selectinload(Consulate.host_country))
        .order_by(ConsularDistrict.sending_country_code, ConsularDistrict.code)
    )
    if sending:
        query = query.where(ConsularDistrict.sending_country_code == sending)
    if host:
        query = query.where(Consulate.host_country_code == host)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        named = find_districts(q).ids
        query = query.where(ConsularDistrict.id.in_(named)) if named else query.where(false())
    districts = db.session.scalars(query).all()
    unit_counts = dict(
        db.session.execute(
            select(district_unit.c.district_id, func.count()).group_by(district_unit.c.district_id)
        ).all()
    )
    page = render_template(
        "geography/district_list.html",
        districts=districts,
        reach=network_reach(sending) if sending else None,
        sending_country=next((c for c in countries if c.code == sending), None),
        unit_counts=unit_counts,
        countries=countries,
        sending=sending,
        host=host,
        q=q,
        error=error,
    )
    return page, 400 if error else 200


@bp.get("/districts/<code>")
def district_page(code: str):
    """The referral sheet of a district: its consulate, a summary table and a card of each organisation
    serving it, nearest first (?service=a&service=b[&match=all]: those offering any, or all, of them)."""
    district = find_district(code)
    if district is None:
        return _former_district(code)
    choice, problems = read_service_choice(request.args)
    if problems:
        abort(404)
    return render_template("geography/district.html", **district_page_context(district, choice))


def _former_district(code: str):
    """A district code of an office whose code was corrected (HN-US-DENVER, now HN-US-AURORA): a
    permanent redirect to the district it became, keeping the query; anything else is not found."""
    consulate_code, _, sending = code.partition("/")
    new = current_code(consulate_code)
    if new is None:
        abort(404)
    target = f"{new}/{sending}" if sending else new
    return redirect(url_for("referrals.district_page", code=target, **request.args), 301)


# The other views of the blueprint register themselves on import.
from directory_app.referrals import coverage_views, nearest_views, sheet_views, source_views  # noqa: E402, F401
