"""The home page ("find partners" first), the way from its form to a district or the nearest partners,
and what the directory holds (/statistics).

- `GET /` (main.home): the "find partners" form; for a signed-in person, a link to their start page.
- `GET /find?q=&service=&match=` (main.find): to the district page or /nearest (main.finder), or the home
  page again with the districts to choose from; a form without a place comes back with a message (400).
- `GET /statistics` (main.statistics): the counts and the published organisations per country.
"""

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory
from flask_login import current_user
from sqlalchemy import func, select

from directory_app.accounts.start_page import my_consulate_url, start_page
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.i18n import current_language
from directory_app.main.finder import FindRequest, read_find_request
from directory_app.main.statistics import statistics
from directory_app.organisations.models import Organisation, Status

bp = Blueprint("main", __name__)


def _home(found: FindRequest, status: int = 200):
    signed_in = current_user.is_authenticated
    page = render_template(
        "home.html",
        found=found,
        consulate_url=my_consulate_url(),
        start_url=start_page(current_user._get_current_object()) if signed_in else None,
    )
    return page, status


@bp.get("/")
def home():
    return _home(FindRequest())


@bp.get("/find")
def find():
    found = read_find_request(request.args, current_language())
    if found.target is not None:
        return redirect(found.target)
    return _home(found, 400 if found.errors else 200)


@bp.get("/statistics", endpoint="statistics")
def statistics_page():
    per_country = dict(
        db.session.execute(
            select(Organisation.country_code, func.count())
            .where(Organisation.status == Status.PUBLISHED)
            .group_by(Organisation.country_code)
        ).all()
    )
    countries = db.session.scalars(select(Country).order_by(Country.name_es)).all()
    return render_template("statistics.html", stats=statistics(), countries=countries, per_country=per_country)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: answer with the SVG icon."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
