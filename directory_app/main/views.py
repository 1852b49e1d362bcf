"""The home page: what the directory holds."""

from flask import Blueprint, current_app, render_template, send_from_directory
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.main.statistics import statistics
from directory_app.organisations.models import Organisation, Status

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    per_country = dict(
        db.session.execute(
            select(Organisation.country_code, func.count())
            .where(Organisation.status == Status.PUBLISHED)
            .group_by(Organisation.country_code)
        ).all()
    )
    countries = db.session.scalars(select(Country).order_by(Country.name_es)).all()
    return render_template("home.html", stats=statistics(), countries=countries, per_country=per_country)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: answer with the SVG icon."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
