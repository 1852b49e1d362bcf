"""Sample data never passes as real: while demo organisations exist every page shows the notice and
every response, figure and file says so; after `flask demo --remove` none does, and real entries stay."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event, func, select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.conftest import DEMO_COUNT, login_as, make_app

NOTICE = 'id="sample-data-notice"'
BANNED = ("Hermanos en el Camino", "Belén", "Buen Pastor", "Casa del Migrante")


def _pages(app) -> list[str]:
    """Every page and file a reader can GET without arguments, and a few with them."""
    urls = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )
    with app.app_context():
        organisation = db.session.scalars(select(Organisation).order_by(Organisation.id)).first()
    return [
        *urls,
        f"/organisations/{organisation.uuid}",
        "/districts/MX-US-LOS-ANGELES",
        "/ogc/collections/organisations/items?limit=2",
        "/transfer/export?format=geojson",
        "/transfer/export?format=hsds",
    ]


def _crawl(app, client) -> dict[str, object]:
    responses = {}
    for url in _pages(app):
        response = client.get(url)
        responses[url] = response
    return responses


def test_every_page_and_response_says_sample_data_while_demo_organisations_exist(app, client_as):
    html = 0
    for signed_in in (False, True):
        client = client_as("ts_admin") if signed_in else app.test_client()
        for url, response in _crawl(app, client).items():
            assert response.headers.get("X-Sample-Data") == "true", url
            if response.status_code == 200 and response.mimetype == "text/html":
                assert NOTICE in response.get_data(as_text=True), url
                html += 1
    assert html > 40


def test_figures_files_and_documents_are_marked(client):
    coverage = client.get("/coverage.csv?sending=MX")
    assert 'filename="sample-data-coverage-mx.csv"' in coverage.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(coverage.get_data().decode("utf-8-sig"))))
    assert table[0][-1] == "sample_data" and all(row[-1] == "yes" for row in table[1:])
    export = client.get("/transfer/export?format=csv")
    assert "sample-data-cammina-organisations.csv" in export.headers["Content-Disposition"]
    for url in ("/api/v1/organisations", "/api/v1/districts", "/api/v1/locate?lon=-99.13&lat=19.43"):
        assert client.get(url).get_json()["sample_data"] is True, url
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/organisations"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "sample_data" in schema["properties"]
    # HSDS and OGC documents keep to their schemas: the header says it
    for url in ("/hsds/organizations", "/ogc/collections/organisations/items?limit=1"):
        response = client.get(url)
        assert response.headers["X-Sample-Data"] == "true" and "sample_data" not in response.get_json(), url


def test_the_flag_is_read_once_per_directory_version_not_per_request(world_url):
    app = make_app(world_url, PAGE_CACHE_VERSION_TTL=3600, PAGE_CACHE_SIZE=0)
    client = app.test_client()
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            assert NOTICE in client.get("/districts").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sum("external_id" in s and "LIKE" in s.upper() for s in statements) <= 1


def test_demo_names_are_invented(app):
    with app.app_context():
        names = db.session.scalars(select(Organisation.name).where(Organisation.external_id.like("demo-%"))).all()
    assert len(names) == DEMO_COUNT
    for name in names:
        assert name.startswith("DEMO ") and re.search(r" \d+$", name), name
        assert not any(banned in name for banned in BANNED), name


def test_after_the_demo_is_removed_nothing_says_sample_data(fresh_app):
    client = login_as(fresh_app.test_client(), "ts_admin")
    with fresh_app.app_context():
        real = Organisation(name="Centro Real de Prueba", country_code="MX", kind="ngo", status=Status.PUBLISHED)
        db.session.add(real)
        db.session.commit()
        real_id = real.id
    assert NOTICE in client.get("/").get_data(as_text=True)
    result = fresh_app.test_cli_runner().invoke(args=["demo", "--remove"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Removed {DEMO_COUNT} demo organisations." in result.output
    with fresh_app.app_context():
        assert db.session.get(Organisation, real_id) is not None
        left = db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.name.like("DEMO%")))
        assert left == 0
    for url, response in _crawl(fresh_app, client).items():
        assert "X-Sample-Data" not in response.headers, url
        if response.status_code == 200 and response.mimetype == "text/html":
            assert NOTICE not in response.get_data(as_text=True), url
    coverage = client.get("/coverage.csv")
    assert 'filename="coverage-all.csv"' in coverage.headers["Content-Disposition"]
    assert "sample_data" not in coverage.get_data(as_text=True).splitlines()[0]
    assert "sample_data" not in client.get("/api/v1/organisations").get_json()


@pytest.mark.parametrize("page", ["/", "/coverage", "/organisations"])
def test_the_notice_is_shown_in_spanish_and_french_too(client, page):
    """The notice is a translated msgid (the lead merges the translations: /tmp/i18n/task-j.json)."""
    for lang in ("es", "fr"):
        assert NOTICE in client.get(f"{page}?lang={lang}").get_data(as_text=True)
