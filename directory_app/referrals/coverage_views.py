"""The coverage overview (/coverage) and its CSV download (/coverage.csv)."""

from flask import Response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.consular_services import network_reach
from directory_app.geography.models import ConsularDistrict, Country
from directory_app.organisations.sample_data import mark_csv, sample_download_name
from directory_app.referrals.blueprint import bp
from directory_app.referrals.coverage_matrix import SORTS, coverage_csv, coverage_matrix
from directory_app.referrals.links import reader_language


def _read_filters() -> tuple[str | None, str, list[str]]:
    """(sending country, sort, errors) from ?sending=&sort=."""
    errors = []
    sending = (request.args.get("sending") or "").strip().upper() or None
    if sending and (len(sending) != 2 or db.session.get(Country, sending) is None):
        errors.append(_("Unknown sending country. Choose a country from the list."))
        sending = None
    sort = (request.args.get("sort") or "district").strip()
    if sort not in SORTS and sort not in vocabulary.SERVICE_CODES:
        errors.append(_("Unknown sort order. Sort by district, by total or by a service."))
        sort = "district"
    return sending, sort, errors


@bp.get("/coverage")
def coverage_overview():
    """Consular districts x services: how many published organisations in each cell."""
    sending, sort, errors = _read_filters()
    lang = reader_language()
    rows = coverage_matrix(sending, sort, lang)
    sending_countries = db.session.scalars(
        select(Country)
        .where(Country.code.in_(select(ConsularDistrict.sending_country_code).distinct()))
        .order_by(Country.code)
    ).all()
    page = render_template(
        "geography/coverage.html",
        rows=rows,
        categories=vocabulary.SERVICE_CATEGORIES,
        sending=sending,
        sort=sort,
        errors=errors,
        sending_countries=sending_countries,
        gap_count=sum(1 for r in rows for t in vocabulary.SERVICE_CATEGORIES if r.count(t.code) == 0),
        reach=network_reach(sending) if sending else None,
        sending_country=db.session.get(Country, sending) if sending else None,
        lang=lang,
    )
    return page, 400 if errors else 200


@bp.get("/coverage.csv")
def coverage_download():
    """The same matrix as CSV (UTF-8 with a byte order mark, for spreadsheets)."""
    sending, sort, errors = _read_filters()
    if errors:
        return Response("\n".join(errors) + "\n", status=400, mimetype="text/plain")
    text = mark_csv(coverage_csv(coverage_matrix(sending, sort, reader_language())))
    name = sample_download_name(f"coverage-{sending.lower() if sending else 'all'}.csv")
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
