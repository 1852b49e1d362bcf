"""A stand-in edit page for the coverage editor, for tests, until review's coverage edit page exists:
the real CoverageEditorForm, the render_coverage_editor macro, replace_coverage and one commit.
`add_editor_page(app)` serves it at /test-editor/<organisation uuid> (before the app's first request)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template_string, url_for
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.coverage_form import CoverageEditorForm
from directory_app.organisations.models import Organisation
from directory_app.organisations.services import replace_coverage

PAGE = """{% extends "base.html" %}
{% from "edit/_coverage_editor.html" import render_coverage_editor %}
{% block content %}
<h1>{{ organisation.name }}</h1>
<form method="post" enctype="multipart/form-data" class="stacked">
  {{ form.csrf_token }}
  {{ render_coverage_editor(form, organisation) }}
  <p><button type="submit" id="save-coverage">Save</button></p>
</form>
{% endblock %}"""


def editor_page(organisation_uuid: str):
    organisation = db.session.scalar(select(Organisation).where(Organisation.uuid == organisation_uuid))
    if organisation is None:
        abort(404)
    form = CoverageEditorForm(organisation)
    if form.validate_on_submit():
        replace_coverage(organisation, form.parts())
        db.session.commit()
        return redirect(url_for("organisations.organisation_page", organisation_uuid=organisation_uuid))
    return render_template_string(PAGE, form=form, organisation=organisation)


def add_editor_page(app) -> None:
    harness = Blueprint("coverage_editor_test", __name__)
    harness.add_url_rule("/test-editor/<organisation_uuid>", view_func=editor_page, methods=["GET", "POST"])
    app.register_blueprint(harness)
