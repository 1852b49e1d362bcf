"""The template to fill in (/transfer/template.xlsx and .csv): downloaded through the web in the reader's
language, filled as a person would (openpyxl, the csv module) under the example rows, uploaded through
the import form, previewed and imported; untouched it imports nothing and says its examples were
skipped; its drop-down lists are in the workbook."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.extra_fields.models import ExtraField, ExtraFieldValue
from directory_app.organisations.models import Organisation
from directory_app.transfer.headers import header_for
from tests.conftest import login_as
from tests.transfer.web_flow import import_now, preview_upload

ROWS = [
    {
        "name": "Albergue Plantilla Uno",
        "kind": "shelter",
        "country_code": "MX",
        "city": "Oaxaca",
        "lat": "17.0654",
        "lon": "-96.7236",
        "service_categories": "shelter;food",
        "populations": "women",
        "languages": "es",
        "hide_exact_location": None,  # the reader's word for yes, set per language
        "phone": "+52 951 123 4567",
    },
    {
        "name": "Clínica Plantilla Dos",
        "kind": "legal_clinic",
        "country_code": "MX",
        "city": "Tapachula",
        "lat": "14.9060",
        "lon": "-92.2630",
        "service_categories": "legal_assistance",
    },
]
YES = {"es": "sí", "fr": "oui", "en": "yes"}


def _download(web, what: str, language: str):
    response = web.get(f"/transfer/template.{what}?lang={language}")
    assert response.status_code == 200, response.status_code
    assert f"cammina-template-{language}.{what}" in response.headers["Content-Disposition"]
    return response.get_data()


def _english(web) -> None:
    """The rest of the flow in English (the page texts the helpers read), whatever the template's language."""
    web.get("/transfer/import?lang=en")


def _filled_xlsx(content: bytes, language: str) -> bytes:
    """The workbook with two organisations written under the example rows, as a person would: in the
    columns with a drop-down, the label the list offers (several joined by ";")."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[1]}
    offered = {header: dict((code, label) for label, code in pairs) for header, pairs in _lists(workbook).items()}
    first_free = sheet.max_row + 1
    for offset, row in enumerate(ROWS):
        for field, value in row.items():
            header = header_for(field, language)
            value = YES[language] if field == "hide_exact_location" else value
            if header in offered and field != "hide_exact_location":
                value = ";".join(offered[header][code] for code in value.split(";"))
                assert value != row[field], (field, value)  # a label, not the code
            sheet.cell(row=first_free + offset, column=columns[header], value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_excel_template_is_in_the_readers_language_with_lists_and_instructions(client_as, language):
    workbook = load_workbook(io.BytesIO(_download(client_as("ts_admin"), "xlsx", language)))
    data, instructions, lists = workbook.worksheets
    headers = [cell.value for cell in data[1]]
    assert headers[:5] == [
        header_for(f, language) for f in ("example", "name", "alternate_name", "kind", "country_code")
    ]
    assert header_for("service_categories", language) in headers and header_for("lat", language) in headers
    assert [data.cell(row=r, column=1).value for r in (2, 3)] and all(
        data.cell(row=r, column=1).value for r in (2, 3)
    ), "both example rows are marked"
    assert data.cell(row=4, column=1).value is None
    validated = {}
    for validation in data.data_validations.dataValidation:
        assert validation.type == "list"
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        validated[data[f"{column}1"].value] = validation.formula1
    for field in ("kind", "country_code", "service_categories", "populations", "languages", "hide_exact_location"):
        assert header_for(field, language) in validated, field
    # the drop-downs offer the labels of the template's language; the sheet of lists gives each code beside it
    kinds = dict(_list_pairs(workbook, validated[header_for("kind", language)]))
    assert {getattr(t, language): t.code for t in vocabulary.ORGANISATION_KINDS}.items() <= kinds.items()
    services = dict(_list_pairs(workbook, validated[header_for("service_categories", language)]))
    assert {getattr(t, language): t.code for t in vocabulary.SERVICE_CATEGORIES}.items() <= services.items()
    countries = dict(_list_pairs(workbook, validated[header_for("country_code", language)]))
    assert countries[{"es": "México", "fr": "Mexique"}[language]] == "MX" and "GT" in countries.values()
    assert "MX" not in countries  # labels, not codes
    yes = _list_values(workbook, validated[header_for("hide_exact_location", language)])[0]
    assert yes.lower() == YES[language]
    described = [row[0] for row in instructions.iter_rows(values_only=True)]
    assert header_for("name", language) in described and header_for("populations", language) in described
    assert lists.max_row > 10


def _list_values(workbook, formula: str) -> list[str]:
    return [label for label, _code in _list_pairs(workbook, formula)]


def _list_pairs(workbook, formula: str) -> list[tuple[str, str]]:
    """(label, code) of each value a drop-down offers: the code is in the next column of the lists sheet."""
    sheet_name, cells = formula.rsplit("!", 1)
    sheet = workbook[sheet_name.strip("'")]
    cells = sheet[cells.replace("$", "")]
    return [(cell.value, sheet.cell(row=cell.row, column=cell.column + 1).value) for (cell,) in cells]


def _lists(workbook) -> dict[str, list[tuple[str, str]]]:
    """{column header: (label, code) pairs} of every drop-down of the data sheet."""
    data = workbook.worksheets[0]
    found = {}
    for validation in data.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        found[data[f"{column}1"].value] = _list_pairs(workbook, validation.formula1)
    return found


def test_a_country_contacts_template_offers_only_their_country_and_no_status(client_as):
    workbook = load_workbook(io.BytesIO(_download(client_as("country_contact"), "xlsx", "es")))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert header_for("status", "es") not in headers
    country = next(
        v.formula1
        for v in workbook.worksheets[0].data_validations.dataValidation
        if str(v.sqref).startswith("E2")  # the country column
    )
    assert _list_pairs(workbook, country) == [("México", "MX")]


@pytest.mark.parametrize("role, status", [("public", 302), ("consular", 403), ("country_contact", 200)])
def test_only_importers_get_the_template(client_as, client, role, status):
    web = client if role == "public" else client_as(role)
    assert web.get("/transfer/template.xlsx").status_code == status
    assert web.get("/transfer/template.csv").status_code == status


def test_the_import_page_links_to_the_templates(client_as):
    page = client_as("ts_admin").get("/transfer/import").get_data(as_text=True)
    assert 'href="/transfer/template.xlsx"' in page and 'href="/transfer/template.csv"' in page


@pytest.mark.parametrize("what", ["xlsx", "csv"])
def test_the_untouched_template_imports_nothing_and_says_its_examples_were_skipped(fresh_app, what):
    web = login_as(fresh_app.test_client(), "ts_admin")
    content = _download(web, what, "es")
    _english(web)
    with fresh_app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Organisation))
    preview = preview_upload(web, content, f"plantilla.{what}")
    assert 'class="notice warning examples-skipped"' in preview.html and "rows 2, 3" in preview.html
    assert "Nothing to import" in preview.html and not preview.offers_import
    with fresh_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Organisation)) == before


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_filled_excel_template_imports(fresh_app, language):
    web = login_as(fresh_app.test_client(), "ts_admin")
    filled = _filled_xlsx(_download(web, "xlsx", language), language)
    _english(web)
    preview = preview_upload(web, filled, "organisations.xlsx")
    assert preview.counts["to create"] == 2 and preview.counts["rejected"] == 0, preview.html[-4000:]
    assert "examples-skipped" in preview.html and "rows 2, 3" in preview.html
    import_now(web, preview)
    with fresh_app.app_context():
        first = db.session.scalar(select(Organisation).where(Organisation.name == "Albergue Plantilla Uno"))
        second = db.session.scalar(select(Organisation).where(Organisation.name == "Clínica Plantilla Dos"))
        assert first is not None and second is not None
        assert first.hide_exact_location is True and first.kind == "shelter"
        assert {s.category_code for s in first.services} == {"shelter", "food"}
        assert first.locations[0].lat == pytest.approx(17.0654) and first.phones[0].number == "+52 951 123 4567"
        assert second.kind == "legal_clinic" and second.hide_exact_location is False
        examples = select(Organisation).where(Organisation.external_id.in_(["example-1", "example-2"]))
        assert db.session.scalar(examples) is None  # the example rows were skipped


def test_the_filled_csv_template_imports_with_additional_information(fresh_app):
    with fresh_app.app_context():
        db.session.add(
            ExtraField(
                code="beds",
                label_es="Camas disponibles",
                label_en="Beds available",
                label_fr="Lits disponibles",
                field_type="choice",
                choices_text="1-10\n11-50\nmore",
            )
        )
        db.session.commit()
    web = login_as(fresh_app.test_client(), "ts_admin")
    text = _download(web, "csv", "fr").decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[1] == header_for("name", "fr") and "Lits disponibles" in header
    workbook = load_workbook(io.BytesIO(_download(web, "xlsx", "fr")))
    assert "Lits disponibles" in [cell.value for cell in workbook.worksheets[0][1]]
    out = io.StringIO()
    writer = csv.writer(out)
    for line in csv.reader(io.StringIO(text)):
        writer.writerow(line)
    row = dict.fromkeys(header, "")
    row.update({header_for(f, "fr"): v for f, v in ROWS[1].items()} | {"Lits disponibles": "11-50"})
    writer.writerow([row[h] for h in header])
    _english(web)
    preview = preview_upload(web, out.getvalue().encode("utf-8"), "liste.csv")
    assert preview.counts["to create"] == 1 and preview.counts["rejected"] == 0, preview.html[-4000:]
    import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Clínica Plantilla Dos"))
        value = db.session.scalar(select(ExtraFieldValue.value).where(ExtraFieldValue.organisation_id == org.id))
        assert value == "11-50"


def test_the_command_line_skips_the_examples_too(fresh_app, tmp_path):
    web = login_as(fresh_app.test_client(), "ts_admin")
    (tmp_path / "template.xlsx").write_bytes(_filled_xlsx(_download(web, "xlsx", "en"), "en"))
    with fresh_app.app_context():
        done = fresh_app.test_cli_runner().invoke(args=["import-organisations", str(tmp_path / "template.xlsx")])
        assert done.exit_code == 0, done.output
        assert "Skipped the template's example rows: 2, 3." in done.output and "Created 2" in done.output
