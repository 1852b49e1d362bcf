"""Official districts from a CSV as a Spanish Excel saves it (Windows-1252, semicolons, accented unit
names and notes): through the web form and `flask import-districts`, read with the right characters.
On SQLite and PostgreSQL."""

from __future__ import annotations

import io

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, DistrictSource
from tests.conftest import login_as
from tests.transfer.test_views import csrf_token_of

DISTRICT = "GT-MX-MEXICO-CITY"
ROWS = [
    ("admin_unit_code", "admin_unit_name"),
    ("MX-CMX", "Ciudad de México"),
    ("MX-QUE", "Querétaro"),
    ("MX-MIC", "Michoacán de Ocampo"),
]
TITLE = "Circular de la Dirección de Asuntos Consulares"
NOTE = "Según la Cancillería: jurisdicción del consulado en México"


def _cp1252_file() -> bytes:
    lines = ["consulate_code;admin_unit_code;admin_unit_name;source;source_title;source_date;note"]
    for code, name in ROWS[1:]:
        lines.append(f"{DISTRICT};{code};{name};https://example.org/circular;{TITLE};2025-03-01;{NOTE}")
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    assert b"\xe9" in content  # "é" as Windows-1252 writes it: not UTF-8
    return content


def _stored(app) -> tuple[set[str], set[tuple[str, str]]]:
    with app.app_context():
        district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == DISTRICT))
        sources = {(s.title, s.note) for s in db.session.scalars(select(DistrictSource))}
        return {u.code for u in district.units}, sources


def test_a_windows_1252_semicolon_file_imports_through_the_web_form(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    token = csrf_token_of(web.get("/transfer/districts").get_data(as_text=True))
    response = web.post(
        "/transfer/districts",
        data={"csrf_token": token, "file": (io.BytesIO(_cp1252_file()), "distritos.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    preview = web.get(response.location)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[-2000:]
    assert DISTRICT in html
    done = web.post(response.location.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(html)})
    assert done.status_code == 200, done.get_data(as_text=True)[-2000:]
    units, sources = _stored(fresh_app)
    assert {"MX-CMX", "MX-QUE", "MX-MIC"} <= units
    assert (TITLE, NOTE) in sources


def test_the_command_reads_the_same_file(fresh_app, tmp_path):
    path = tmp_path / "distritos.csv"
    path.write_bytes(_cp1252_file())
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["import-districts", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 official districts with 3 admin units" in result.output
    units, sources = _stored(fresh_app)
    assert {"MX-CMX", "MX-QUE", "MX-MIC"} <= units
    assert (TITLE, NOTE) in sources


def test_a_misspelt_accented_name_is_still_named_in_the_error(fresh_app, tmp_path):
    """The name check reads the decoded text: a wrong name is refused with its accents intact."""
    path = tmp_path / "distritos.csv"
    path.write_bytes(_cp1252_file().replace("Querétaro".encode("cp1252"), "Querétaro del Sur".encode("cp1252")))
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["import-districts", str(path)])
    assert result.exit_code != 0
    assert "'Querétaro del Sur'" in result.output and "row 3" in result.output
