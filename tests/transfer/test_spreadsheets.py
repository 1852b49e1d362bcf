"""Spreadsheets as people save them, through the web import form, as the Technical Secretariat and as a
country contact: files written by the test in the encodings and dialects Excel writes (Windows-1252 with
semicolons and decimal commas, "Unicode text" = UTF-16 with a BOM and tabs, CSV UTF-8 with a BOM), Spanish
headers with accents mapped on the mapping page, every error of every row named by the person's column
header and row number, the default kind of new entries, and who will see what."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from directory_app.review.models import ChangeProposal
from tests.conftest import login_as
from tests.transfer.test_views import csrf_token_of
from tests.transfer.web_flow import Preview, import_now, upload

HEADER = ["Código", "Nombre de la organización", "Tipo", "País", "Ciudad", "Longitud", "Latitud", "Servicios"]
MAPPING = {
    "Código": "external_id",
    "Nombre de la organización": "name",
    "Tipo": "kind",
    "País": "country_code",
    "Ciudad": "city",
    "Longitud": "lon",
    "Latitud": "lat",
    "Servicios": "service_categories",
}
ROWS = [
    ["hoja-1", "Albergue Señor de la Misericordia", "shelter", "MX", "Tapachula", "-92,2613", "14,9063", "shelter"],
    [
        "hoja-2",
        "Clínica Jurídica Niñez y Café",
        "legal_clinic",
        "MX",
        "Ciudad de México",
        "-99,1332",
        "19,4326",
        "food",
    ],
]
NAMES = {"hoja-1": "Albergue Señor de la Misericordia", "hoja-2": "Clínica Jurídica Niñez y Café"}
POSITIONS = {"hoja-1": (-92.2613, 14.9063), "hoja-2": (-99.1332, 19.4326)}
_LABEL = re.compile(r'<label for="(column-\d+)">(.*?)</label>', re.S)


def text_file(rows: list[list[str]], delimiter: str, line_end: str = "\r\n") -> str:
    """Cells as Excel writes them: quoted only when they hold the delimiter, a quote or a line end."""

    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(v) for v in row) + line_end for row in rows)


DIALECTS = {
    # Excel "CSV (separado por comas)" on a Spanish Windows: the ANSI code page, semicolons, decimal commas
    "cp1252": ("lista.csv", text_file([HEADER, *ROWS], ";").encode("cp1252"), "Windows-1252 (Latin-1)", "semicolon"),
    # Excel "Texto Unicode": UTF-16 little-endian with its byte order mark, tab-separated
    "utf16": ("lista.txt", b"\xff\xfe" + text_file([HEADER, *ROWS], "\t").encode("utf-16-le"), "UTF-16 LE", "tab"),
    # Excel "CSV UTF-8": a byte order mark, commas, the decimal commas quoted as cells holding the delimiter
    "utf8bom": ("lista.csv", text_file([HEADER, *ROWS], ",").encode("utf-8-sig"), "UTF-8 (BOM)", "comma"),
}


def mapping_form(html: str, by_header: dict[str, str]) -> dict[str, str]:
    """The mapping form filled as a person would: each column (found by its header on the page) to a field."""
    columns = {unescape(header).strip(): name for name, header in _LABEL.findall(html)}
    missing = set(by_header) - set(columns)
    assert not missing, f"no column {missing} on the mapping page; it shows {sorted(columns)}"
    return {columns[header]: field for header, field in by_header.items()} | {
        name: "" for header, name in columns.items() if header not in by_header
    }


def preview_through_form(web, content: bytes, filename: str, by_header: dict, defaults: dict | None = None):
    response = upload(web, content, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    page = web.get(response.location)
    html = page.get_data(as_text=True)
    form = {"csrf_token": csrf_token_of(html)} | mapping_form(html, by_header) | (defaults or {})
    posted = web.post(response.location, data=form)
    assert posted.status_code == 302, posted.get_data(as_text=True)[-3000:]
    shown = web.get(posted.location)
    assert shown.status_code == 200
    return Preview(posted.location, shown.get_data(as_text=True)), html


def page_text(html: str) -> str:
    inline = re.sub(r"</?(strong|em|span)[^>]*>", "", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inline)))


def organisation_count() -> int:
    return db.session.scalar(select(func.count(Organisation.id)))


@pytest.mark.parametrize("role", ["ts_admin", "country_contact"])
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_spreadsheets_as_excel_saves_them_import_with_their_characters(fresh_app, dialect, role):
    filename, content, encoding, delimiter = DIALECTS[dialect]
    web = login_as(fresh_app.test_client(), role)
    with fresh_app.app_context():
        before = organisation_count()
    preview, mapping_page = preview_through_form(web, content, filename, MAPPING)
    assert "Nombre de la organización" in unescape(mapping_page) and "Albergue Señor" in unescape(mapping_page)
    said = page_text(preview.html)
    assert f"Read as text in {encoding}, with the columns separated by {delimiter}" in said
    assert preview.counts == {"to create": 2, "to update": 0, "unchanged": 0, "rejected": 0}, said
    assert all(name in said for name in NAMES.values())
    with fresh_app.app_context():
        assert organisation_count() == before  # the preview writes nothing
    import_now(web, preview)
    with fresh_app.app_context():
        if role == "ts_admin":
            stored = db.session.scalars(select(Organisation).where(Organisation.external_id.in_(NAMES))).all()
            assert {o.external_id: o.name for o in stored} == NAMES
            assert {o.external_id: (o.locations[0].lon, o.locations[0].lat) for o in stored} == POSITIONS
            assert {o.external_id: o.locations[0].city for o in stored}["hoja-2"] == "Ciudad de México"
        else:
            assert organisation_count() == before
            proposals = db.session.scalars(select(ChangeProposal).where(ChangeProposal.country_code == "MX")).all()
            snapshots = {p.snapshot.get("external_id"): p.snapshot for p in proposals}
            assert {key: snapshots[key]["name"] for key in NAMES} == NAMES
            assert snapshots["hoja-2"]["locations"][0]["city"] == "Ciudad de México"
            site = snapshots["hoja-1"]["locations"][0]
            assert (float(site["lon"]), float(site["lat"])) == POSITIONS["hoja-1"]


BAD = [
    HEADER,
    ["malo-1", "Casa Buena", "ngo", "MX", "Oaxaca", "-96,72", "17,06", "food"],
    ["malo-2", "Casa Torcida", "albergue", "MX", "Oaxaca", "abc", "17,06", "food"],
    ["malo-3", "Casa Sin Problema", "ngo", "MX", "Oaxaca", "-96,72", "17,06", "food"],
    ["malo-4", "Casa Lejana", "ngo", "MX", "Oaxaca", "-96,72", "95,5", "comida"],
    ["malo-5", "", "ngo", "XX", "Oaxaca", "-96,72", "17,06", "food"],
]


def test_a_file_with_three_bad_rows_lists_every_error_by_column_and_row(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    with fresh_app.app_context():
        before = organisation_count()
    content = text_file(BAD, ";").encode("cp1252")
    preview, _page = preview_through_form(web, content, "errores.csv", MAPPING)
    assert preview.counts == {"to create": 2, "to update": 0, "unchanged": 0, "rejected": 3}
    assert not preview.offers_import
    rows = {
        int(number): page_text(cells)
        for number, cells in re.findall(r'<tr class="action-reject">\s*<td>(\d+)</td>(.*?)</tr>', preview.html, re.S)
    }
    assert sorted(rows) == [3, 5, 6]  # the header is row 1
    assert "Tipo: unknown kind 'albergue'" in rows[3] and "Longitud: 'abc' is not a number" in rows[3]
    assert "Latitud: latitude 95,5 is outside -90..90" in rows[5] and "Servicios: unknown service category" in rows[5]
    assert "Nombre de la organización: this field is required" in rows[6]
    assert "País: 'XX' is not a member country" in rows[6]
    assert "locations[" not in preview.html and "services[" not in preview.html
    # Pressing "Import now" anyway (the form is not offered) writes nothing.
    done = web.post(preview.url.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(preview.html)})
    assert done.status_code == 400 and "Longitud" in done.get_data(as_text=True)
    with fresh_app.app_context():
        assert organisation_count() == before


def test_a_file_without_kind_gets_the_kind_the_form_says_and_the_preview_says_so(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    rows = [[c for i, c in enumerate(row) if i != 2] for row in [HEADER, *ROWS]]
    mapping = {header: field for header, field in MAPPING.items() if field != "kind"}
    content = text_file(rows, ";").encode("cp1252")
    preview, page = preview_through_form(web, content, "sin-tipo.csv", mapping, {"default-kind": "shelter"})
    assert '<option value="ngo" selected>' in page  # the default the mapping page offers first
    said = page_text(preview.html)
    assert "No column gives the kind: all 2 new entries will be “Migrant shelter”" in said
    assert preview.counts["to create"] == 2
    import_now(web, preview)
    with fresh_app.app_context():
        kinds = db.session.scalars(select(Organisation.kind).where(Organisation.external_id.in_(NAMES))).all()
        assert kinds == ["shelter", "shelter"]


def test_without_a_kind_default_the_rows_are_refused_naming_the_missing_kind(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    rows = [[c for i, c in enumerate(row) if i != 2] for row in [HEADER, *ROWS]]
    mapping = {header: field for header, field in MAPPING.items() if field != "kind"}
    preview, _page = preview_through_form(
        web, text_file(rows, ";").encode("cp1252"), "sin-tipo.csv", mapping, {"default-kind": ""}
    )
    assert preview.counts["rejected"] == 2 and "this field is required" in preview.html


@pytest.mark.parametrize(
    "role,defaults,sentences",
    [
        ("ts_admin", {"default-status": "published"}, ["2 new entries will be published at once"]),
        ("ts_admin", {}, ["2 new entries will be drafts or archived: invisible to the public"]),
        (
            "country_contact",
            {},
            [
                "Nothing of this import is public yet",
                "2 new entries will be proposals: once approved, they are published",
            ],
        ),
    ],
)
def test_the_preview_says_who_will_see_what(fresh_app, role, defaults, sentences):
    web = login_as(fresh_app.test_client(), role)
    content = text_file([HEADER, *ROWS], ";").encode("cp1252")
    preview, _page = preview_through_form(web, content, "lista.csv", MAPPING, defaults)
    said = page_text(preview.html)
    for sentence in sentences:
        assert sentence in said, said
    import_now(web, preview)
    with fresh_app.app_context():
        statuses = db.session.scalars(select(Organisation.status).where(Organisation.external_id.in_(NAMES))).all()
    expected = {"ts_admin": [Status.PUBLISHED] * 2 if defaults else [Status.DRAFT] * 2, "country_contact": []}
    assert sorted(statuses) == expected[role]


def test_an_update_of_a_published_entry_says_the_public_sees_the_change(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    with fresh_app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.status == Status.PUBLISHED)).first()
        row = [org.uuid, org.name + " (sede única)"]
    content = text_file([["organisation_id", "Nombre"], row], ";").encode("cp1252")
    mapping = {"organisation_id": "organisation_id", "Nombre": "name"}
    preview, _page = preview_through_form(web, content, "cambio.csv", mapping)
    assert preview.counts["to update"] == 1
    assert "1 published entry will change at once: everyone will see the change." in page_text(preview.html)


def test_excel_errors_name_the_sheet_row(fresh_app, tmp_path):
    """Errors carry the row number Excel shows, even with a title above the header and an empty row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADER)  # row 2
    sheet.append(ROWS[0])  # row 3
    sheet.append([])  # row 4
    sheet.append(["x-9", "Casa Nueve", "ngo", "MX", "Oaxaca", -96.72, 123.0, "food"])  # row 5
    path = tmp_path / "hoja.xlsx"
    workbook.save(path)
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview, _page = preview_through_form(web, path.read_bytes(), "hoja.xlsx", MAPPING)
    assert preview.counts == {"to create": 1, "to update": 0, "unchanged": 0, "rejected": 1}
    rejected = re.search(r'<tr class="action-reject">\s*<td>(\d+)</td>(.*?)</tr>', preview.html, re.S)
    assert rejected[1] == "5" and "Latitud: latitude 123" in page_text(rejected[2])
    assert "the row numbers are the sheet's" in page_text(preview.html)


@pytest.mark.parametrize(
    "content,message",
    [
        (
            "nombre;ciudad\nCasa Niño;Oaxaca\n".encode() + "Casa Peña;Oaxaca\n".encode("cp1252"),
            "Line 3 is not UTF-8 while the rest of the file is",
        ),
        (b"nombre;ciudad\nCasa\x01;Oaxaca\n", "Line 2 holds a character that is not text (U+0001"),
    ],
)
def test_text_that_cannot_be_read_faithfully_is_refused_with_its_line(client_as, content, message):
    response = upload(client_as("ts_admin"), content, "lista.csv")
    assert response.status_code == 400 and message in unescape(response.get_data(as_text=True))


def test_quoted_cells_holding_the_other_delimiters_do_not_change_the_delimiter(client_as):
    rows = [["Nombre, sigla", "Descripción; notas", "Ciudad"], ["Casa A, CA", "uno; dos", "Oaxaca"], ["B", "", "X"]]
    web = client_as("ts_admin")
    response = upload(web, text_file(rows, ",").encode("utf-8"), "lista.csv")
    page = web.get(response.location).get_data(as_text=True)
    assert "separated by comma" in page_text(page) and "Nombre, sigla" in unescape(page)


def test_a_comma_file_with_an_unquoted_decimal_comma_is_refused_with_a_hint(client_as):
    content = b"name,country_code,lon,lat\nCasa,MX,-96,72,17,06\n"
    response = upload(client_as("ts_admin"), content, "lista.csv")
    text = page_text(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "lista.csv, row 2: This row has 6 cells and the header 4" in text and "must be in quotes" in text


def test_the_command_line_reads_the_same_files_and_lists_every_error_by_column(fresh_app, tmp_path):
    path = tmp_path / "errores.csv"
    path.write_bytes(text_file(BAD, ";").encode("cp1252"))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    args = ["import-organisations", str(path), "--mapping", str(mapping), "--dry-run"]
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert "rejected row 3, column 'Longitud': 'abc' is not a number." in result.output
    assert "rejected row 3, column 'Tipo': unknown kind 'albergue'" in result.output
    assert "rejected row 6, column 'País': 'XX' is not a member country" in result.output
