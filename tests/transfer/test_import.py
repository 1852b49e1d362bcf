"""Import: preview of mixed rows, idempotent re-import, all-or-nothing commit, round trips per format."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from directory_app.organisations.search import DirectoryQuery
from directory_app.organisations.translations import set_translation
from directory_app.transfer.exports import export_organisations
from directory_app.transfer.importer import ImportRejected, apply_rows
from tests.transfer.helpers import import_file, preview_file, reading_as, remove_all_organisations, snapshots

MIXED = """id,nombre,tipo,pais,ciudad,latitud,longitud,servicios,idiomas,cobertura,telefono,sitio web
T-1,Casa Uno,shelter,MX,Tapachula,14.9,-92.26,shelter;food,es;mam,MX-CHP,+52 962 000 0000,https://uno.example.org
T-2,Casa Dos,ngo,GT,Guatemala,14.6,-90.5,legal_assistance,es,,,
T-3,,ngo,GT,Guatemala,14.6,-90.5,legal_assistance,es,,,
T-4,Casa Cuatro,ngo,XX,Guatemala,14.6,-90.5,legal_assistance,es,,,
T-5,Casa Cinco,ngo,MX,Oaxaca,94.6,-90.5,legal_assistance,es,,,
T-6,Casa Seis,ngo,MX,Oaxaca,17.0,-96.7,bogus,es,,,
T-7,Casa Siete,ngo,MX,Oaxaca,17.0,-96.7,food,es,,,javascript:alert(1)
T-2,Casa Dos otra vez,ngo,GT,Guatemala,14.6,-90.5,food,es,,,
"""


@pytest.fixture(autouse=True)
def request_context(fresh_ctx):
    """Messages are translated per request (the locale comes from the request)."""
    with fresh_ctx.test_request_context("/"):
        yield


def count() -> int:
    return db.session.scalar(select(func.count(Organisation.id)))


def test_preview_of_mixed_rows_names_row_field_and_reason(fresh_ctx, tmp_path):
    (tmp_path / "mixed.csv").write_text(MIXED, encoding="utf-8")
    before = count()
    report = preview_file(tmp_path / "mixed.csv")
    got = {r.row: (r.action, r.field) for r in report.rows}
    assert got == {
        2: ("create", ""),
        3: ("create", ""),
        4: ("reject", "name"),
        5: ("reject", "country_code"),
        6: ("reject", "lat"),
        7: ("reject", "services[0].category"),
        8: ("reject", "website"),
        9: ("reject", "external_id"),
    }
    reasons = {r.row: r.reason for r in report.rejected}
    assert "required" in reasons[4] and "XX" in reasons[5] and "latitude 94.6" in reasons[6]
    assert "row 3" in reasons[9]
    assert count() == before
    with pytest.raises(ImportRejected):
        import_file(tmp_path / "mixed.csv")
    db.session.rollback()
    assert count() == before


def _rows(n: int, bad: int | None = None) -> str:
    lines = ["external_id,name,kind,country_code,service_categories"]
    for i in range(1, n + 1):
        lines.append(f"bulk-{i},Bulk {i},{'nonsense' if i == bad else 'ngo'},MX,food")
    return "\n".join(lines) + "\n"


def test_failure_in_row_900_of_1000_leaves_the_database_unchanged(fresh_ctx, tmp_path):
    (tmp_path / "bulk.csv").write_text(_rows(1000, bad=900), encoding="utf-8")
    before = count()
    with pytest.raises(ImportRejected) as caught:
        import_file(tmp_path / "bulk.csv")
    assert [r.row for r in caught.value.report.rejected] == [901]  # data row 900 is line 901
    db.session.rollback()
    assert count() == before
    # The write path itself: rows 1-899 are flushed, row 900 fails, the rollback undoes all.
    rows = [
        (
            i + 1,
            {"external_id": f"w-{i}", "name": f"W {i}", "kind": "ngo" if i != 899 else "x", "country_code": "MX"},
            None,
        )
        for i in range(1000)
    ]
    with pytest.raises(ValidationError) as failed:
        apply_rows(rows)
    assert failed.value.row == 900 and failed.value.field == "kind"
    db.session.rollback()
    assert count() == before
    assert db.session.scalar(select(func.count()).where(Organisation.external_id.like("w-%"))) == 0


def test_reimport_changes_nothing(fresh_ctx, tmp_path):
    (tmp_path / "mixed.csv").write_text(MIXED.split("T-3")[0], encoding="utf-8")
    first = import_file(tmp_path / "mixed.csv")
    db.session.commit()
    assert first.counts["create"] == 2
    versions = dict(db.session.execute(select(Organisation.external_id, Organisation.version)).all())
    again = import_file(tmp_path / "mixed.csv")
    db.session.commit()
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "reject": 0}
    assert dict(db.session.execute(select(Organisation.external_id, Organisation.version)).all()) == versions
    # A changed value is an update of that field only.
    (tmp_path / "mixed.csv").write_text(
        MIXED.split("T-3")[0].replace("Casa Dos", "Casa Dos Renovada"), encoding="utf-8"
    )
    changed = preview_file(tmp_path / "mixed.csv")
    assert [(r.action, r.changes) for r in changed.rows] == [("unchanged", []), ("update", ["name"])]


@pytest.mark.parametrize(
    "fmt,suffix", [("csv", "csv"), ("xlsx", "xlsx"), ("geojson", "geojson"), ("gpkg", "gpkg"), ("hsds", "json")]
)
def test_round_trip_into_an_empty_directory(fresh_ctx, tmp_path, fmt, suffix):
    query = DirectoryQuery(country="GT")
    translated = db.session.scalar(
        select(Organisation).where(Organisation.country_code == "GT", Organisation.status == "published").limit(1)
    )
    set_translation(translated, "description", "fr", "Organisation d'exemple, avec « guillemets » et =formule")
    set_translation(translated.services[0], "eligibility", "en", "Anyone who asks")
    before = snapshots(query)
    assert before[translated.external_id]["translations"] == {
        "description": {"fr": "Organisation d'exemple, avec « guillemets » et =formule"}
    }
    assert len(before) >= 5
    with reading_as("ts_admin"):
        exported = export_organisations(query, fmt)
    (tmp_path / f"export.{suffix}").write_bytes(exported.content)
    remove_all_organisations()
    assert count() == 0
    report = import_file(tmp_path / f"export.{suffix}")
    db.session.commit()
    assert report.counts["create"] == len(before) and not report.rejected
    after = snapshots()
    differing = {k: [f for f in before[k] if before[k][f] != after.get(k, {}).get(f)] for k in before}
    assert {k: v for k, v in differing.items() if v} == {}
    assert after == before
    again = preview_file(tmp_path / f"export.{suffix}")
    assert again.counts["unchanged"] == len(before)


def test_formula_cells_are_neutralised_and_come_back(fresh_ctx, tmp_path):
    (tmp_path / "evil.csv").write_text(
        'external_id,name,kind,country_code,status,description\nevil-1,"=HYPERLINK(""http://x"",""y"")",ngo,MX,published,@SUM(1)\n',
        encoding="utf-8",
    )
    import_file(tmp_path / "evil.csv")
    db.session.commit()
    with reading_as(None):
        content = export_organisations(DirectoryQuery(q="hyperlink"), "csv").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(content.splitlines()) if r["external_id"] == "evil-1")
    assert row["name"].startswith("'=") and row["description"] == "'@SUM(1)"
    assert all(not cell.startswith(("=", "+", "@")) for cell in row.values())
    (tmp_path / "back.csv").write_text(content, encoding="utf-8")
    assert preview_file(tmp_path / "back.csv").counts["unchanged"] == 1
    with reading_as(None):
        workbook = load_workbook(io.BytesIO(export_organisations(DirectoryQuery(q="hyperlink"), "xlsx").content))
    cells = {c.value: c.data_type for c in workbook.worksheets[0][2]}
    assert cells['=HYPERLINK("http://x","y")'] == "s" and cells["@SUM(1)"] == "s"
