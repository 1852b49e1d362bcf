"""A district's referral sheet as a PDF download (/districts/<code>/sheet.pdf?service=...&lang=...): the
district page rendered without its map and laid out by WeasyPrint (referrals.sheet_pdf)."""

import re

from flask import Response, abort, current_app, render_template, request

from directory_app.organisations.sample_data import sample_download_name
from directory_app.organisations.service_choice import read_service_choice
from directory_app.referrals.blueprint import bp
from directory_app.referrals.district_page import district_page_context, find_district
from directory_app.referrals.sheet_pdf import DEFAULT_PAPER, PAPER_SIZES, PdfUnavailable, sheet_pdf


@bp.get("/districts/<code>/sheet.pdf")
def district_sheet_pdf(code: str):
    """The PDF of the district page for the chosen services, in the reader's language (?lang=), on
    Letter paper (?paper=a4 for A4; any other paper: 404)."""
    district = find_district(code)
    if district is None:
        abort(404)
    choice, problems = read_service_choice(request.args)
    paper = request.args.get("paper", DEFAULT_PAPER)
    if problems or paper not in PAPER_SIZES:
        abort(404)  # as the district page: no such list (and a PDF is not laid out for nothing)
    html = render_template("geography/district.html", **district_page_context(district, choice, with_map=False))
    name = sample_download_name(f"referral-sheet-{re.sub(r'[^A-Za-z0-9-]+', '-', district.code)}.pdf")
    try:
        pdf = sheet_pdf(html, paper)
    except PdfUnavailable:
        current_app.logger.exception("WeasyPrint cannot run: install Debian's libpango-1.0-0 and libpangoft2-1.0-0")
        abort(503)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
