"""Imports by the Technical Secretariat (web) or from the command line are recorded in each
organisation's history like any other change: a revision with who, when, which fields and
"Imported from <file name>", after a baseline of an entry that had no history yet."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeKind, Revision
from directory_app.transfer.importer import ImportRejected, commit_import
from directory_app.transfer.mapping import suggest_mapping
from tests.conftest import TEST_USERS, login_as
from tests.transfer.helpers import table_of

CSV = (
    "external_id,name,kind,country_code,city,lat,lon,service_categories\n"
    "hist-1,Casa Historia,ngo,MX,Oaxaca,17.06,-96.72,food\n"
    "hist-2,Casa Memoria,shelter,MX,Oaxaca,17.07,-96.71,shelter\n"
)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def _revisions(org_id: int) -> list[Revision]:
    return list(
        db.session.scalars(select(Revision).where(Revision.organisation_id == org_id).order_by(Revision.number))
    )


def _by_external_id(external_id: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.external_id == external_id))


def _import(path, user=None, source_name=""):
    table = table_of(path)
    return commit_import(table, suggest_mapping(table.columns), user, source_name=source_name)


@pytest.fixture
def ts_admin(fresh_ctx):
    with fresh_ctx.test_request_context("/"):
        yield db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))


def test_created_and_updated_organisations_get_revisions(fresh_ctx, ts_admin, tmp_path):
    path = tmp_path / "partners 2026.csv"
    path.write_text(CSV, encoding="utf-8")
    report = _import(path, ts_admin, source_name=path.name)
    db.session.commit()
    assert report.counts["create"] == 2
    created = _by_external_id("hist-1")
    [revision] = _revisions(created.id)
    assert revision.kind is ChangeKind.CREATE and revision.number == 1
    assert revision.author_id == ts_admin.id and revision.approved_by_id == ts_admin.id
    assert revision.comment == "Imported from partners 2026.csv"
    assert revision.version == created.version
    assert revision.snapshot == snapshot_of(created)
    assert {"name", "kind", "country_code"} <= {c["field_name"] for c in revision.changes}

    # A second file changes one organisation: an update with exactly that field, after revision 1.
    (tmp_path / "fix.csv").write_text(CSV.replace("Casa Historia", "Casa Historia Nueva"), encoding="utf-8")
    again = _import(tmp_path / "fix.csv", ts_admin, source_name="fix.csv")
    db.session.commit()
    assert again.counts == {"create": 0, "update": 1, "unchanged": 1, "reject": 0}
    first, second = _revisions(created.id)
    assert second.number == 2 and second.kind is ChangeKind.UPDATE and second.comment == "Imported from fix.csv"
    assert [(c["field_name"], c["previous_value"], c["replacement_value"]) for c in second.changes] == [
        ("name", "Casa Historia", "Casa Historia Nueva")
    ]
    assert second.version == _by_external_id("hist-1").version
    assert len(_revisions(_by_external_id("hist-2").id)) == 1  # unchanged: nothing recorded


def test_an_organisation_without_history_gets_a_baseline_first(fresh_ctx, ts_admin, tmp_path):
    demo = db.session.scalar(
        select(Organisation)
        .where(Organisation.external_id.is_not(None), ~Organisation.id.in_(select(Revision.organisation_id)))
        .order_by(Organisation.id)
        .limit(1)
    )
    assert demo is not None, "the world has demo organisations without history"
    before = snapshot_of(demo)
    old_name = demo.name
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["external_id", "name", "kind", "country_code"])
    writer.writerow([demo.external_id, f"{old_name} (renamed)", demo.kind, demo.country_code])
    (tmp_path / "rename.csv").write_text(buffer.getvalue(), encoding="utf-8")
    report = _import(tmp_path / "rename.csv", ts_admin, source_name="C:\\exports\\rename.csv")
    assert report.counts["update"] == 1, report.rejected
    db.session.commit()
    baseline, imported = _revisions(demo.id)
    assert baseline.kind is ChangeKind.BASELINE and baseline.snapshot == before and baseline.author_id is None
    assert imported.kind is ChangeKind.UPDATE and imported.comment == "Imported from rename.csv"
    assert ("name", old_name, f"{old_name} (renamed)") in [
        (c["field_name"], c["previous_value"], c["replacement_value"]) for c in imported.changes
    ]


def test_a_failed_import_records_nothing(fresh_ctx, ts_admin, tmp_path):
    count = len(list(db.session.scalars(select(Revision.id))))
    (tmp_path / "bad.csv").write_text(CSV + "hist-3,,ngo,MX,Oaxaca,17,-96,food\n", encoding="utf-8")
    with pytest.raises(ImportRejected):
        _import(tmp_path / "bad.csv", ts_admin, source_name="bad.csv")
    db.session.rollback()
    assert len(list(db.session.scalars(select(Revision.id)))) == count


def test_web_import_shows_in_the_history_page(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    token = _csrf(web.get("/transfer/import").get_data(as_text=True))
    uploaded = web.post(
        "/transfer/import",
        data={"csrf_token": token, "file": (io.BytesIO(CSV.encode()), "socios.csv")},
        content_type="multipart/form-data",
    )
    mapping_page = web.get(uploaded.location).get_data(as_text=True)
    form = {"csrf_token": _csrf(mapping_page)}
    form.update({f"column-{i}": name for i, name in enumerate(CSV.splitlines()[0].split(","))})
    preview_url = web.post(uploaded.location, data=form).location
    preview = web.get(preview_url).get_data(as_text=True)
    done = web.post(preview_url.replace("/preview", "/commit"), data={"csrf_token": _csrf(preview)})
    assert done.status_code == 200
    with fresh_app.app_context():
        org = _by_external_id("hist-1")
        uuid = org.uuid
        [revision] = _revisions(org.id)
        assert revision.author.email == TEST_USERS["ts_admin"].email
        assert revision.comment.startswith("Imported from")
    history = web.get(f"/organisations/{uuid}/history?lang=en").get_data(as_text=True)
    assert "Revision 1" in history and "Imported from" in history
    assert TEST_USERS["ts_admin"].name in history or TEST_USERS["ts_admin"].email in history
    assert "No change has been recorded yet" not in history


def test_command_line_import_is_recorded_without_an_author(fresh_app, tmp_path):
    (tmp_path / "list.csv").write_text(CSV, encoding="utf-8")
    mapping = json.dumps({c: c for c in CSV.splitlines()[0].split(",")})
    with fresh_app.app_context():
        done = fresh_app.test_cli_runner().invoke(
            args=["import-organisations", str(tmp_path / "list.csv"), "--mapping", mapping]
        )
        assert done.exit_code == 0, done.output
        [revision] = _revisions(_by_external_id("hist-1").id)
        assert revision.kind is ChangeKind.CREATE and revision.author_id is None
        assert revision.comment  # "Imported from ..." in the command's language
