"""Consulates and their districts: the list, and each district with who serves it."""

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate, district_unit
from directory_app.organisations import vocabulary
from directory_app.organisations.queries import organisations_serving

bp = Blueprint("geography", __name__)
PER_PAGE = 50


@bp.get("/districts")
def district_list():
    districts = db.session.scalars(
        select(ConsularDistrict)
        .options(selectinload(ConsularDistrict.consulate).selectinload(Consulate.host_country))
        .order_by(ConsularDistrict.sending_country_code, ConsularDistrict.code)
    ).all()
    unit_counts = dict(
        db.session.execute(
            select(district_unit.c.district_id, func.count()).group_by(district_unit.c.district_id)
        ).all()
    )
    return render_template("geography/district_list.html", districts=districts, unit_counts=unit_counts)


@bp.get("/districts/<code>")
def district_page(code: str):
    district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
    if district is None:
        abort(404)
    category = request.args.get("service") or None
    if category and category not in vocabulary.SERVICE_CODES:
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    serving, total = organisations_serving(district.id, category, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template(
        "geography/district.html",
        district=district,
        serving=serving,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        category=category,
        categories=vocabulary.SERVICE_CATEGORIES,
    )
