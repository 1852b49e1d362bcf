"""The import screens per role, the whole web flow, exports with filters and privacy, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Status
from tests.conftest import login_as


def csrf_token_of(html: str) -> str:
    """The CSRF token of the first form of a page, whatever the order of the attributes."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


CSV = (
    "external_id,name,kind,country_code,city,lat,lon,service_categories\n"
    "web-1,Casa Web,ngo,MX,Oaxaca,17.06,-96.72,food\n"
)


@pytest.mark.parametrize(
    "role,status", [("public", 302), ("consular", 403), ("country_contact", 200), ("ts_admin", 200)]
)
def test_import_page_per_role(client_as, client, role, status):
    web = client if role == "public" else client_as(role)
    assert web.get("/transfer/import").status_code == status
    if role != "public":  # the sign-out form of every page carries the session's CSRF token
        token = csrf_token_of(web.get("/organisations").get_data(as_text=True))
        posted = web.post("/transfer/import", data={"csrf_token": token})
        assert posted.status_code == (400 if status == 200 else status)


def test_web_import_flow(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    token = csrf_token_of(web.get("/transfer/import").get_data(as_text=True))
    response = web.post(
        "/transfer/import",
        data={"csrf_token": token, "file": (io.BytesIO(CSV.encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/mapping" in response.location
    mapping_page = web.get(response.location).get_data(as_text=True)
    assert 'value="external_id" selected' in mapping_page
    form = {"csrf_token": csrf_token_of(mapping_page)}
    form.update({f"column-{i}": name for i, name in enumerate(CSV.splitlines()[0].split(","))})
    preview_url = web.post(response.location, data=form).location
    preview = web.get(preview_url).get_data(as_text=True)
    assert "1 to create" in preview and "Casa Web" in preview
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).where(Organisation.external_id == "web-1")) == 0
    done = web.post(preview_url.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(preview)})
    assert done.status_code == 200 and "1 created" in done.get_data(as_text=True)
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).where(Organisation.external_id == "web-1")) == 1
    # The upload is gone after the commit; another user's token would be a 404 too.
    assert web.get(preview_url).status_code == 404


def test_web_upload_refusals(client_as):
    web = client_as("ts_admin")
    token = csrf_token_of(web.get("/transfer/import").get_data(as_text=True))
    for content, name, message in [
        (b"", "empty.csv", "empty"),
        (b"<OGRVRTDataSource/>", "x.gpkg", "XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "x.png", "not accepted"),
    ]:
        response = web.post(
            "/transfer/import",
            data={"csrf_token": token, "file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_mapping_of_unknown_token_is_404(client_as):
    web = client_as("ts_admin")
    assert web.get("/transfer/import/0123456789abcdef0123456789abcdef/mapping").status_code == 404
    assert web.get("/transfer/import/../../etc/preview").status_code == 404


def test_export_respects_filters_and_hides_exact_positions(app, client, client_as):
    response = client.get("/transfer/export?format=csv&country=GT")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(response.get_data(as_text=True).lstrip("\ufeff").splitlines()))
    with app.app_context():
        published_gt = db.session.scalar(
            select(func.count()).where(Organisation.country_code == "GT", Organisation.status == Status.PUBLISHED)
        )
        hidden = db.session.execute(
            select(Organisation.external_id, Location.lon, Location.public_lon)
            .join(Location)
            .where(Organisation.hide_exact_location.is_(True), Organisation.status == Status.PUBLISHED)
        ).first()
    assert len(rows) == published_gt and {r["country_code"] for r in rows} == {"GT"}
    public = client.get("/transfer/export?format=geojson&q=").get_json()
    ts = client_as("ts_admin").get("/transfer/export?format=geojson").get_json()

    def lon_of(doc: dict) -> float:
        return next(
            f["geometry"]["coordinates"][0] for f in doc["features"] if f["properties"]["external_id"] == hidden[0]
        )

    assert lon_of(public) == pytest.approx(hidden.public_lon) and lon_of(public) != pytest.approx(hidden.lon)
    assert lon_of(ts) == pytest.approx(hidden.lon)


@pytest.mark.parametrize("query", ["format=pdf", "format=csv&country=ZZ", "format=csv&service=%00"])
def test_bad_export_requests_are_400(client, query):
    assert client.get(f"/transfer/export?{query}").status_code == 400


def test_hsds_export_validates(client, hsds_validators):
    validator = hsds_validators("compiled/organization.json")
    documents = client.get("/transfer/export?format=hsds&country=CR").get_json()
    assert documents
    for document in documents:
        validator.validate(document)


def test_cli_import_and_export(fresh_app, tmp_path):
    (tmp_path / "list.csv").write_text(CSV, encoding="utf-8")
    runner = fresh_app.test_cli_runner()
    with fresh_app.app_context():
        dry = runner.invoke(args=["import-organisations", str(tmp_path / "list.csv"), "--dry-run"])
        assert dry.exit_code == 0 and "Would create 1" in dry.output
        assert db.session.scalar(select(func.count()).where(Organisation.external_id == "web-1")) == 0
        mapping = json.dumps(
            {"external_id": "external_id", "name": "name", "kind": "kind", "country_code": "country_code"}
        )
        done = runner.invoke(args=["import-organisations", str(tmp_path / "list.csv"), "--mapping", mapping])
        assert done.exit_code == 0 and "Created 1" in done.output, done.output
        again = runner.invoke(args=["import-organisations", str(tmp_path / "list.csv"), "--mapping", mapping])
        assert "0 rejected" in again.output and "1 unchanged" in again.output
        (tmp_path / "bad.csv").write_text(CSV + "web-2,,ngo,MX,Oaxaca,17,-96,food\n", encoding="utf-8")
        bad = runner.invoke(args=["import-organisations", str(tmp_path / "bad.csv")])
        assert bad.exit_code != 0 and "row 3" in bad.output and "Nothing was changed" in bad.output
        out = tmp_path / "out.gpkg"
        exported = runner.invoke(
            args=["export-organisations", "--format", "gpkg", "-o", str(out), "--filter", "country=MX"]
        )
        assert exported.exit_code == 0 and out.read_bytes().startswith(b"SQLite format 3")


def test_country_contact_import_becomes_proposals(fresh_app):
    from directory_app.review.models import ChangeProposal

    web = login_as(fresh_app.test_client(), "country_contact", "MX")
    other_country = CSV + "web-gt,Casa Guatemala,ngo,GT,Guatemala,14.6,-90.5,food\n"
    token = csrf_token_of(web.get("/transfer/import").get_data(as_text=True))
    previews = []
    for content, creates, rejects in [(other_country, 1, 1), (CSV, 1, 0)]:
        uploaded = web.post(
            "/transfer/import",
            data={"csrf_token": token, "file": (io.BytesIO(content.encode()), "list.csv")},
            content_type="multipart/form-data",
        )
        mapping_page = web.get(uploaded.location).get_data(as_text=True)
        form = {"csrf_token": token} | {f"column-{i}": c for i, c in enumerate(CSV.splitlines()[0].split(","))}
        preview_url = web.post(uploaded.location, data=form).location
        preview = web.get(preview_url).get_data(as_text=True)
        assert f"{creates} to create" in preview and f"{rejects} rejected" in preview, mapping_page
        previews.append(preview)
    assert "you may not import organisations of GT" in previews[0]
    done = web.post(preview_url.replace("/preview", "/commit"), data={"csrf_token": token})
    assert done.status_code == 200 and "sent to the Technical Secretariat" in done.get_data(as_text=True)
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).where(Organisation.external_id == "web-1")) == 0
        proposal = db.session.scalars(select(ChangeProposal).order_by(ChangeProposal.id.desc())).first()
        assert proposal.snapshot["external_id"] == "web-1" and proposal.country_code == "MX"


def test_request_over_the_size_limit_is_413(app):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    web = login_as(app.test_client(), "ts_admin")
    token = csrf_token_of(web.get("/transfer/import").get_data(as_text=True))
    response = web.post(
        "/transfer/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"name\n" + b"x" * 20_000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
