"""Cells of list columns may give the label instead of the code, in Spanish, English or French, in any case
and with or without accents: a CSV with labels imports through the web form with the right codes, and a
label that is no value of the list is named in the preview. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.conftest import login_as
from tests.transfer.web_flow import import_now, preview_upload

HEADER = [
    "name",
    "kind",
    "country_code",
    "status",
    "service_categories",
    "populations",
    "languages",
    "original_language",
]
ROWS = [
    [
        "Casa Etiquetas Uno",
        "Casa del migrante o albergue",  # es
        "méxico",  # es, without its capital
        "Publicado",  # es
        "Albergue; Food; assistance juridique",  # es, en, fr without its accent
        "Niñas, niños y adolescentes no acompañados; Femmes",  # a label with commas, then fr
        "Spanish; français",
        "Español",
    ],
    [
        "Clinique Étiquettes Deux",
        "Clinique juridique",  # fr
        "Guatemala",
        "draft",  # the code
        "legal_assistance, asylum",  # codes separated by a comma
        "women",
        "es",
        "fr",
    ],
]


def _csv(rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_labels_in_three_languages_import_as_codes(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, _csv(ROWS), "etiquetas.csv")
    assert preview.counts == {"to create": 2, "to update": 0, "unchanged": 0, "rejected": 0}, preview.html[-3000:]
    import_now(web, preview)
    with fresh_app.app_context():
        first = db.session.scalar(select(Organisation).where(Organisation.name == "Casa Etiquetas Uno"))
        assert (first.kind, first.country_code, first.status, first.original_language) == (
            "shelter",
            "MX",
            Status.PUBLISHED,
            "es",
        )
        assert {s.category_code for s in first.services} == {"shelter", "food", "legal_assistance"}
        service = first.services[0]
        assert {p.code for p in service.populations} == {"unaccompanied_children", "women"}
        assert {lang.code for lang in service.languages} == {"es", "fr"}
        second = db.session.scalar(select(Organisation).where(Organisation.name == "Clinique Étiquettes Deux"))
        assert (second.kind, second.country_code, second.status, second.original_language) == (
            "legal_clinic",
            "GT",
            Status.DRAFT,
            "fr",
        )
        assert {s.category_code for s in second.services} == {"legal_assistance", "asylum"}


def test_a_label_that_is_no_value_of_the_list_is_named(client_as):
    web = client_as("ts_admin")
    row = list(ROWS[1])
    row[1] = "Club deportivo"
    preview = preview_upload(web, _csv([row]), "etiquetas.csv")
    assert preview.counts["rejected"] == 1
    assert "unknown kind &#39;Club deportivo&#39;" in preview.html, preview.html[-3000:]
