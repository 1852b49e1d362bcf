"""The crisis pages through the web forms (crisis.views, crisis.forms, crisis.exports), on SQLite and
PostgreSQL with the real boundaries: each of the four ways of giving an area, a bad upload refused with a
clear message and nothing saved, who may see, save and archive crises, hidden sites never exact for the
public (page, map and files), and every export read back by its own reader (csv, openpyxl, json, pypdf)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from directory_app.crisis.models import Crisis
from directory_app.extensions import db
from tests.conftest import csrf_token_of, login_as
from tests.crisis.helpers import HIDDEN, TAPACHULA, add_tapachula_organisations

TAPACHULA_DISTRICTS = ("GT-MX-TAPACHULA", "SV-MX-TAPACHULA", "HN-MX-TAPACHULA")
KML_CONE = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Cone &lt;b&gt;</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
-92.6,14.6 -91.9,14.6 -91.9,15.2 -92.6,15.2 -92.6,14.6
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""


@pytest.fixture
def world(fresh_app):
    """The fresh world with the crisis organisations of tests/crisis/helpers (a hidden Tapachula shelter,
    a Chiapas-wide legal service, a draft, an archived one, a Houston one)."""
    with fresh_app.app_context():
        ids = add_tapachula_organisations()
    return fresh_app, ids


def post_area(client, data: dict, *, files=None, url="/crisis/report"):
    token = csrf_token_of(client.get("/crisis/").get_data(as_text=True))
    form = {"csrf_token": token} | data
    if files:
        form |= files
    return client.post(url, data=form, content_type="multipart/form-data")


def circle(lon=TAPACHULA[0], lat=TAPACHULA[1], km=25) -> dict:
    return {"how": "circle", "circle_lon": str(lon), "circle_lat": str(lat), "radius_km": str(km)}


def drawn(ring) -> dict:
    feature = {"type": "Feature", "properties": {"label": ""}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    return {"how": "draw", "drawn": json.dumps({"type": "FeatureCollection", "features": [feature]})}


def district_codes(page: str) -> set[str]:
    return set(re.findall(r'<tr data-code="([^"]+)">', page))


def organisation_ids(page: str) -> set[str]:
    return set(re.findall(r'<tr id="org-[^"]+" data-id="([^"]+)">', page))


def crisis_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Crisis))


def test_the_start_page_offers_four_ways(client):
    page = client.get("/crisis/").get_data(as_text=True)
    for way in ("draw", "upload", "units", "circle"):
        assert f'id="how-{way}"' in page and f'id="way-{way}"' in page
    assert 'name="drawn"' in page and "map-crisis-draw" in page
    assert 'name="units" value="unit:MX-CHP"' in page
    assert 'name="save"' not in page and "saved-title" not in page  # the public saves nothing


def test_a_circle_around_tapachula(world):
    app, ids = world
    page = post_area(app.test_client(), circle())
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    text = page.get_data(as_text=True)
    assert set(TAPACHULA_DISTRICTS) <= district_codes(text)
    found = organisation_ids(text)
    assert {ids["radius"], ids["state"]} <= found
    assert not {ids["draft"], ids["archived"], ids["houston"]} & found
    assert "map-crisis-report" in text and "Site inside the area (may be affected itself)" in text


def test_a_place_typed_for_the_circle(world):
    app, _ids = world
    text = post_area(app.test_client(), {"how": "circle", "place": "Tapachula", "radius_km": "20"}).get_data(
        as_text=True
    )
    assert set(TAPACHULA_DISTRICTS) <= district_codes(text)


def test_an_area_drawn_on_the_map(world):
    app, ids = world
    ring = [[-92.5, 14.7], [-92.0, 14.7], [-92.0, 15.1], [-92.5, 15.1], [-92.5, 14.7]]
    text = post_area(app.test_client(), drawn(ring)).get_data(as_text=True)
    assert set(TAPACHULA_DISTRICTS) <= district_codes(text)
    assert ids["radius"] in organisation_ids(text)


def test_an_uploaded_kml_cone(world):
    app, ids = world
    files = {"upload": (io.BytesIO(KML_CONE.encode()), "cone.kml")}
    response = post_area(app.test_client(), {"how": "upload"}, files=files)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert set(TAPACHULA_DISTRICTS) <= district_codes(text)
    assert ids["radius"] in organisation_ids(text)


def test_a_chosen_state(world):
    app, ids = world
    text = post_area(app.test_client(), {"how": "units", "units": "unit:MX-CHP"}).get_data(as_text=True)
    assert set(TAPACHULA_DISTRICTS) <= district_codes(text)
    assert {ids["radius"], ids["state"]} <= organisation_ids(text)
    assert ids["houston"] not in organisation_ids(text)


def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(world):
    app, _ids = world
    client = login_as(app.test_client(), "consular")
    before = crisis_count(app)
    save = {"save": "1", "name": "Bad file", "kind": "flood"}
    files = {"upload": (io.BytesIO(b"this is no map"), "cone.kml")}
    response = post_area(client, {"how": "upload"} | save, files=files)
    assert response.status_code == 400
    assert "The file cone.kml cannot be used" in response.get_data(as_text=True)
    for data, words in (
        ({"how": "draw"}, "Draw an area on the map first"),
        ({"how": "units"}, "Tick at least one"),
        ({"how": "units", "units": "unit:XX-NOPE"}, "Unknown admin unit"),
        ({"how": "circle", "circle_lon": "-92.2", "circle_lat": "14.9"}, "Give the radius"),
        (circle(km=5000), "Radius"),
        ({"how": "draw", "drawn": "{not json"}, "This area cannot be used"),
    ):
        response = post_area(client, data | save)
        assert response.status_code == 400, data
        assert words in response.get_data(as_text=True), data
    assert crisis_count(app) == before


def test_who_may_save_read_and_archive_a_crisis(world):
    app, ids = world
    consular = login_as(app.test_client(), "consular")
    response = post_area(consular, circle() | {"save": "1", "name": "Sismo Tapachula", "kind": "earthquake"})
    assert response.status_code == 303
    address = response.headers["Location"]
    crisis_id = address.rstrip("/").rsplit("/", 1)[1]
    page = consular.get(address).get_data(as_text=True)
    assert "Sismo Tapachula" in page and set(TAPACHULA_DISTRICTS) <= district_codes(page)
    assert ids["radius"] in organisation_ids(page)
    assert "Archive this crisis" not in page  # the TS archives
    assert "Sismo Tapachula" in consular.get("/crisis/").get_data(as_text=True)

    public = app.test_client()
    assert public.get(address).status_code == 302  # to sign in
    assert public.get(f"{address}.csv").status_code == 302
    contact = login_as(app.test_client(), "country_contact")
    for url in (address, f"{address}.csv", f"{address}.geojson"):
        assert contact.get(url).status_code == 403, url
    assert "Sismo" not in contact.get("/crisis/").get_data(as_text=True)
    refused = post_area(public, circle() | {"save": "1", "name": "Public save", "kind": "fire"})
    assert refused.status_code == 403
    token = csrf_token_of(consular.get("/crisis/").get_data(as_text=True))
    assert consular.post(f"/crisis/{crisis_id}/archive", data={"csrf_token": token}).status_code == 403

    ts = login_as(app.test_client(), "ts_admin")
    assert "Archive this crisis" in ts.get(address).get_data(as_text=True)
    token = csrf_token_of(ts.get("/crisis/").get_data(as_text=True))
    assert ts.post(f"/crisis/{crisis_id}/archive", data={"csrf_token": token}).status_code == 303
    assert "archived" in ts.get(address).get_data(as_text=True)
    assert "Sismo Tapachula" not in ts.get("/crisis/").get_data(as_text=True)  # out of the current list
    assert consular.get("/crisis/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_saved_crisis_follows_the_entries(world):
    app, _ids = world
    consular = login_as(app.test_client(), "consular")
    address = post_area(consular, circle() | {"save": "1", "name": "Lluvias", "kind": "flood"}).headers["Location"]
    before = organisation_ids(consular.get(address).get_data(as_text=True))
    with app.app_context():
        from tests.crisis.helpers import add

        new = add("Nuevo Albergue Crisis", services=("shelter",))
    after = organisation_ids(consular.get(address).get_data(as_text=True))
    assert after == before | {new}


def test_hidden_sites_are_never_exact_for_the_public(world):
    app, ids = world
    exact = [f"{HIDDEN[0]}", f"{HIDDEN[1]}"]
    public = app.test_client()
    page = post_area(public, circle()).get_data(as_text=True)
    assert 'data-exact="no"' in page
    assert not any(value in page for value in exact)
    carried = {"how": "draw", "drawn": _carried_area(page)}
    geo = json.loads(post_area(public, carried, url="/crisis/report.geojson").get_data())
    sites = [f for f in geo["features"] if f["properties"]["kind"] == "site" and f["properties"]["id"] == ids["radius"]]
    assert sites and all(tuple(f["geometry"]["coordinates"]) != HIDDEN for f in sites)
    assert not any(value in json.dumps(geo) for value in exact)

    consular = login_as(app.test_client(), "consular")
    page = post_area(consular, circle()).get_data(as_text=True)
    assert 'data-exact="yes"' in page
    geo = json.loads(
        post_area(consular, {"how": "draw", "drawn": _carried_area(page)}, url="/crisis/report.geojson").get_data()
    )
    points = {
        tuple(f["geometry"]["coordinates"]) for f in geo["features"] if f["properties"].get("id") == ids["radius"]
    }
    assert HIDDEN in points


def _carried_area(page: str) -> str:
    import html

    match = re.search(r'<input type="hidden" name="drawn" value="([^"]+)">', page)
    assert match, "the report carries no area for its exports"
    return html.unescape(match.group(1))


def test_exports_parse(world):
    app, ids = world
    consular = login_as(app.test_client(), "consular")
    address = post_area(consular, circle() | {"save": "1", "name": "=cmd|' /C calc'!A0", "kind": "other"}).headers[
        "Location"
    ]
    response = consular.get(f"{address}.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset said once
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    sections = {row["section"] for row in rows}
    assert {"district", "organisation"} <= sections <= {"district", "organisation", "service_gap"}
    assert {r["code"] for r in rows if r["section"] == "district"} >= set(TAPACHULA_DISTRICTS)
    assert ids["radius"] in {r["code"] for r in rows if r["section"] == "organisation"}

    book = load_workbook(io.BytesIO(consular.get(f"{address}.xlsx").get_data()))
    assert book.sheetnames == ["crisis", "districts", "organisations", "gaps"]
    title = book["crisis"]["B1"]
    assert title.value == "=cmd|' /C calc'!A0" and title.data_type == "s"  # text, never a formula
    assert ids["radius"] in {row[0] for row in book["organisations"].iter_rows(min_row=2, values_only=True)}

    geo = json.loads(consular.get(f"{address}.geojson").get_data())
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    codes = {d["code"] for d in geo["features"][0]["properties"]["districts"]}
    assert set(TAPACHULA_DISTRICTS) <= codes


def test_an_area_nobody_serves_lists_every_service_as_a_gap(app):
    far_north = circle(lon=-95.0, lat=72.0, km=20)
    page = post_area(app.test_client(), far_north).get_data(as_text=True)
    assert not organisation_ids(page)
    gaps = set(re.findall(r'<li data-service="([^"]+)">', page))
    assert "shelter" in gaps and "legal_assistance" in gaps
    body = post_area(app.test_client(), {"how": "draw", "drawn": _carried_area(page)}, url="/crisis/report.csv")
    rows = list(csv.DictReader(io.StringIO(body.get_data().decode("utf-8-sig"))))
    assert {r["code"] for r in rows if r["section"] == "service_gap"} == gaps


def test_csv_cells_never_run_as_formulas(world):
    app, _ids = world
    with app.app_context():
        from tests.crisis.helpers import add

        add('=HYPERLINK("http://evil")', services=("shelter",))
    page = post_area(app.test_client(), circle()).get_data(as_text=True)
    body = post_area(app.test_client(), {"how": "draw", "drawn": _carried_area(page)}, url="/crisis/report.csv")
    rows = list(csv.reader(io.StringIO(body.get_data().decode("utf-8-sig"))))
    names = [row[2] for row in rows if row[0] == "organisation"]
    assert '\'=HYPERLINK("http://evil")' in names


def test_the_pdf_sheet(world):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    app, _ids = world
    consular = login_as(app.test_client(), "consular")
    address = post_area(consular, circle() | {"save": "1", "name": "Huracán PDF", "kind": "hurricane"}).headers[
        "Location"
    ]
    response = consular.get(f"{address}.pdf?paper=a4")
    if response.status_code == 503:
        pytest.skip("WeasyPrint cannot run here (Pango missing)")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert 1 <= len(reader.pages) <= 4
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Huracán PDF" in text and "Tapachula" in text
    page = post_area(consular, circle(km=5)).get_data(as_text=True)  # an ad-hoc report keeps its area's words
    carried = {"how": "draw", "drawn": _carried_area(page), "area_label": "5 km around 14.9100, -92.2600"}
    text = " ".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(post_area(consular, carried, url="/crisis/report.pdf").get_data())).pages
    )
    assert "5 km around 14.9100, -92.2600" in text


def test_who_to_call_the_countries_contact_points(world):
    from directory_app.registry.models import ContactPerson

    app, _ids = world
    with app.app_context():
        for name, phone, listed in (("Ana Enlace", "+502 2222 3333", True), ("Beto Privado", "+502 4444 5555", False)):
            email = name.split()[0].lower() + "@example.org"
            person = ContactPerson(country_code="GT", name=name, role_title="Liaison officer", email=email, phone=phone)
            person.listed_publicly = listed
            db.session.add(person)
        db.session.commit()
    consular = login_as(app.test_client(), "consular")
    page = post_area(consular, circle()).get_data(as_text=True)
    group = re.search(r'<tbody class="country-group" data-country="GT">(.*?)</tbody>', page, re.S).group(1)
    assert "Ana Enlace" in group and "Beto Privado" in group
    assert 'href="tel:+50244445555"' in group and 'href="mailto:ana@example.org"' in group
    public = post_area(app.test_client(), circle()).get_data(as_text=True)
    group = re.search(r'<tbody class="country-group" data-country="GT">(.*?)</tbody>', public, re.S).group(1)
    assert "Ana Enlace" in group
    assert "Beto Privado" not in public and "ana@example.org" not in public and "tel:+502" not in public


def test_crisis_pdfs_are_rate_limited_per_client(world_url):
    """A PDF sheet costs a second or more of CPU: PDF_RATE_LIMIT per client, as the referral sheet's."""
    from tests.conftest import make_app

    client = make_app(world_url, PDF_RATE_LIMIT="2/minute").test_client()
    page = post_area(client, circle(km=5)).get_data(as_text=True)
    carried = {"how": "draw", "drawn": _carried_area(page)}
    url = "/crisis/report.pdf?paper=none"  # refused (404) without laying a PDF out, and counted all the same
    assert [post_area(client, carried, url=url).status_code for _ in range(3)] == [404, 404, 429]
    assert post_area(client, carried, url="/crisis/report.csv").status_code == 200


def test_a_crisis_needs_a_name_to_be_saved(world):
    app, _ids = world
    consular = login_as(app.test_client(), "consular")
    before = crisis_count(app)
    response = post_area(consular, circle() | {"save": "1", "name": "  ", "kind": "fire"})
    assert response.status_code == 400
    assert "Give the crisis a name." in response.get_data(as_text=True)
    assert crisis_count(app) == before
