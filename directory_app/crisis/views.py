"""The crisis pages (issue 19): /crisis/ (give an area), POST /crisis/report (its report, not saved),
/crisis/<uuid> (a saved crisis, recomputed from the current entries at each reading), its exports
(/crisis/<uuid>.csv|.xlsx|.geojson|.pdf) and those of an ad-hoc report (POST /crisis/report.<format>,
the area travelling back in the form), and the TS's archiving.

Who may do what is decided here, on the server, for every route: anyone may run an ad-hoc report, but
only consular users and the TS get exact positions of hidden sites (`exact`); saved crises are read,
saved and exported by consular users and the TS; only the TS archives. The report is computed by
crisis.report.build_report, the files by crisis.exports, the PDF by WeasyPrint (referrals.sheet_pdf),
rate-limited like the referral sheet's (accounts.ratelimit.COSTLY_VIEWS)."""

from __future__ import annotations

import json
import re
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden

from directory_app.accounts.permissions import PermissionDenied
from directory_app.crisis import services
from directory_app.crisis.exports import report_csv, report_geojson, report_xlsx
from directory_app.crisis.forms import ArchiveForm, CrisisAreaForm, kind_label, way_with_errors
from directory_app.crisis.maps import drawing_map, report_map
from directory_app.crisis.page import district_groups
from directory_app.crisis.report import build_report
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.i18n import current_language, format_day
from directory_app.organisations.contact_links import template_helpers
from directory_app.organisations.sample_data import sample_download_name
from directory_app.public_links import public_url
from directory_app.referrals.links import safe_website
from directory_app.referrals.sheet_links import qr_svg
from directory_app.referrals.sheet_pdf import DEFAULT_PAPER, PAPER_SIZES, PdfUnavailable, sheet_pdf

bp = Blueprint("crisis", __name__)
bp.context_processor(template_helpers)
bp.context_processor(lambda: {"kind_label": kind_label, "safe_website": safe_website})

# An ad-hoc report's area travels back in its export and save form; a bigger area is not offered
# there (Flask refuses a form field over MAX_FORM_MEMORY_SIZE, 500 kB): save it and export it saved.
MAX_CARRIED_AREA = 400_000


@bp.errorhandler(PermissionDenied)
def _permission_denied(_error):
    """A service's refusal becomes the site's 403 page (which the audit log records)."""
    return current_app.handle_http_exception(Forbidden())


def _exact() -> bool:
    """Hidden sites exactly: consular users and the TS only (the public and country contacts: public positions)."""
    return services.may_see_exact(current_user)


def _crisis_or_404(crisis_id: str):
    crisis = services.get_crisis(current_user, crisis_id)  # PermissionDenied (403) for other roles
    if crisis is None:
        abort(404)
    return crisis


@bp.get("/crisis/")
def start():
    """The start page: the four ways of giving an area; saved crises for consular users and the TS."""
    return _start_page(CrisisAreaForm(), 200)


def _start_page(form: CrisisAreaForm, status: int):
    keeper = services.may_see_crises(current_user)
    return render_template(
        "crisis/start.html",
        form=form,
        way=way_with_errors(form),
        drawing=drawing_map(form.drawn.id),
        crises=services.list_crises(current_user) if keeper else [],
        may_save=keeper,
    ), status


@bp.post("/crisis/report")
def report():
    """The report of the area given (not saved); with Save, a saved crisis (consular users and TS)."""
    form = CrisisAreaForm()
    if not form.validate_on_submit():
        return _start_page(form, 400)
    if form.wants_save():
        if not services.may_see_crises(current_user):
            abort(403)
        try:
            crisis = services.save_crisis(
                current_user,
                name=form.name.data or "",
                kind=form.kind.data,
                starts_on=form.starts_on.data or date.today(),
                ends_on=form.ends_on.data,
                notes=form.notes.data or "",
                area=form.area,
                area_source=AREA_SOURCES[form.how.data],
                area_description=form.area_label,
            )
        except ValidationError as error:
            db.session.rollback()
            field = getattr(form, error.field or "name", form.name)
            field.errors = [*field.errors, str(error)]
            return _start_page(form, 400)
        db.session.commit()
        flash(_("The crisis was saved. Its address can be shared with the people who respond."))
        return redirect(url_for("crisis.saved_crisis", crisis_id=crisis.id), 303)
    result = build_report(form.area, exact=_exact())
    carried = json.dumps(_carried_geojson(result.area))
    return _report_page(
        result,
        None,
        area_label=form.area_label,
        carried=carried if len(carried) <= MAX_CARRIED_AREA else None,
        may_save=services.may_see_crises(current_user),
    )


AREA_SOURCES = {"draw": "drawn", "upload": "upload", "units": "units", "circle": "circle"}


def _carried_geojson(area) -> dict:
    """The area as it travels back in a form: every vertex, to 6 decimals (about 10 cm)."""
    import shapely

    return json.loads(shapely.to_geojson(shapely.set_precision(area, 1e-6)))


@bp.post("/crisis/report.<any(csv, xlsx, geojson):fmt>")
def report_file(fmt: str):
    """An ad-hoc report as a file: the area comes back in the form (as drawn: `how` = draw)."""
    return _file(_carried_report(), fmt, _("Crisis report"), "crisis-report")


@bp.post("/crisis/report.pdf")
def report_pdf():
    """An ad-hoc report as a PDF sheet (rate-limited: accounts.ratelimit.COSTLY_VIEWS)."""
    return _pdf(_carried_report(), None, "crisis-report")


def _carried_report():
    form = CrisisAreaForm()
    if not form.validate_on_submit():
        problems = [e for errors in form.errors.values() for e in errors if isinstance(e, str)]
        abort(400, description=" ".join(problems) or _("No area was given."))
    return build_report(form.area, exact=_exact())


@bp.get("/crisis/<crisis_id>")
@login_required
def saved_crisis(crisis_id: str):
    """A saved crisis and its report, computed from the current entries."""
    crisis = _crisis_or_404(crisis_id)
    result = build_report(crisis.geometry, exact=_exact())
    may_archive = services.may_archive_crises(current_user) and not crisis.is_archived
    return _report_page(result, crisis, area_label=crisis.area_description, may_archive=may_archive)


@bp.get("/crisis/<crisis_id>.<any(csv, xlsx, geojson):fmt>")
@login_required
def saved_file(crisis_id: str, fmt: str):
    """A saved crisis's report as CSV, XLSX or GeoJSON."""
    crisis = _crisis_or_404(crisis_id)
    return _file(build_report(crisis.geometry, exact=_exact()), fmt, crisis.name, f"crisis-{crisis.id}")


@bp.get("/crisis/<crisis_id>.pdf")
@login_required
def saved_pdf(crisis_id: str):
    """A saved crisis's report as a PDF sheet (Letter; ?paper=a4)."""
    crisis = _crisis_or_404(crisis_id)
    return _pdf(build_report(crisis.geometry, exact=_exact()), crisis, f"crisis-{crisis.id}")


@bp.post("/crisis/<crisis_id>/archive")
@login_required
def archive(crisis_id: str):
    """The TS archives a crisis (its address still answers; it leaves the list of current crises)."""
    if not ArchiveForm().validate_on_submit():
        abort(400)
    services.archive_crisis(current_user, _crisis_or_404(crisis_id))
    db.session.commit()
    flash(_("The crisis was archived."))
    return redirect(url_for("crisis.saved_crisis", crisis_id=crisis_id), 303)


def _report_page(result, crisis, *, area_label: str, carried=None, may_save=False, may_archive=False, for_pdf=False):
    return render_template(
        "crisis/report.html",
        report=result,
        crisis=crisis,
        title=crisis.name if crisis else _("Crisis report"),
        area_label=area_label,
        report_map=None if for_pdf else report_map(result),
        carried=carried,
        may_save=may_save,
        may_archive=may_archive,
        sheet=_sheet(crisis),
        service_labels={g.code: g.label for g in result.services},
        groups=district_groups(result, current_language(), full=_exact()),
        for_pdf=for_pdf,
    )


def _sheet(crisis) -> dict:
    """What the printed sheet adds: the print day, and for a saved crisis its live address (on
    PUBLIC_BASE_URL, never the request's Host) with its QR code."""
    today = date.today()
    sheet = {"printed": format_day(today), "printed_iso": today.isoformat(), "live": None, "qr": None}
    if crisis is not None:
        live = public_url("crisis.saved_crisis", crisis_id=crisis.id, lang=current_language())
        sheet |= {"live": live, "qr": qr_svg(live, _("QR code of the link to this page"))}
    return sheet


def _page_url(organisation_id: str) -> str:
    return public_url("organisations.organisation_page", organisation_uuid=organisation_id)


def _download_name(stem: str, fmt: str) -> str:
    return sample_download_name(f"{re.sub(r'[^A-Za-z0-9-]+', '-', stem)}.{fmt}")


def _file(result, fmt: str, title: str, stem: str) -> Response:
    if fmt == "csv":
        body, mimetype = report_csv(result, _page_url), "text/csv"  # Werkzeug adds the charset
    elif fmt == "xlsx":
        body = report_xlsx(result, _page_url, title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = report_geojson(result, _page_url, title), "application/geo+json"
    disposition = f'attachment; filename="{_download_name(stem, fmt)}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _pdf(result, crisis, stem: str) -> Response:
    """The report page without its map, laid out by WeasyPrint on Letter (?paper=a4: A4)."""
    paper = request.args.get("paper", DEFAULT_PAPER)
    if paper not in PAPER_SIZES:
        abort(404)
    # an ad-hoc report's area comes back in its form with the words that named it (text, escaped as any)
    area_label = crisis.area_description if crisis else request.form.get("area_label", "")[:300]
    html = _report_page(result, crisis, area_label=area_label, for_pdf=True)
    try:
        pdf = sheet_pdf(html, paper)
    except PdfUnavailable:
        current_app.logger.exception("WeasyPrint cannot run: install Debian's libpango-1.0-0 and libpangoft2-1.0-0")
        abort(503)
    disposition = f'attachment; filename="{_download_name(stem, "pdf")}"'
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition})
