"""The sources of the official consular districts: each page or document, the date it states, the
districts it defines; and what the other districts are (the nearest-consulate default)."""

from flask import render_template
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.geography.provenance import source_listing
from directory_app.referrals.blueprint import bp
from directory_app.referrals.links import reader_language


@bp.get("/districts/sources")
def district_sources():
    counts = dict(
        db.session.execute(
            select(ConsularDistrict.provenance, func.count()).group_by(ConsularDistrict.provenance)
        ).all()
    )
    return render_template(
        "geography/district_sources.html", listings=source_listing(), counts=counts, lang=reader_language()
    )
