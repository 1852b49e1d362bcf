"""The coverage editor for thumbs and the offline checks around it (issue 17, items 6 and 7), through the
pages as people use them, on both databases: the checklist of admin units posted as a form (a country
contact's proposal), service languages typed by name in the reader's language, and the warning for
an area drawn mostly outside the organisation's country."""

from __future__ import annotations

import json

from shapely.geometry import box, mapping
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeProposal
from geo.coverage import share_outside
from tests.review.helpers import form_fields, open_form, org_uuid, text

# A "Tapachula border zone" drawn mostly east of the Suchiate, in Guatemala.
ACROSS_THE_BORDER = box(-92.3, 14.6, -91.7, 15.0)
INSIDE_CHIAPAS = box(-93.3, 16.4, -92.9, 16.8)  # around Tuxtla Gutiérrez


def proposals(app) -> list[ChangeProposal]:
    with app.app_context():
        found = db.session.scalars(select(ChangeProposal).order_by(ChangeProposal.id)).all()
        db.session.expunge_all()
        return found


def drawn(geometry, label: str) -> str:
    feature = {"type": "Feature", "geometry": mapping(geometry), "properties": {"label": label}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def coverage_form(client, uuid: str) -> dict:
    page = client.get(f"/organisations/{uuid}/edit/coverage")
    assert page.status_code == 200
    return form_fields(text(page), 'class="edit-form coverage-form"')


def test_the_checklist_is_a_plain_form_whose_ticked_units_become_a_contacts_proposal(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=3)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    page = text(contact.get(f"/organisations/{uuid}/edit/coverage"))
    assert '<select id="units"' not in page and "multiple" not in page.split('id="coverage-units"')[1][:2000]
    assert 'id="units-checklist"' in page and '<details class="unit-country" data-group="Mexico" open>' in page
    assert page.count('type="checkbox" name="units"') > 3000  # every unit and country, none hidden by script
    form = coverage_form(contact, uuid)
    before = len(proposals(fresh_app))
    ticked = form | {
        "units": ["unit:MX-CHP", "unit:MX-TAB"],
        "radii-0-radius_km": "",
        "drawn": "",
        "comment": "Chiapas y Tabasco",
    }
    response = contact.post(f"/organisations/{uuid}/edit/coverage", data=ticked)
    assert response.status_code == 302 and "/review/" in response.location
    made = proposals(fresh_app)
    assert len(made) == before + 1
    coverage = made[-1].snapshot["coverage"]
    assert sorted(p["unit"] for p in coverage if p["kind"] == "admin_unit") == ["MX-CHP", "MX-TAB"]
    # the published entry stays online as it was until the proposal is approved
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        assert not {"MX-CHP", "MX-TAB"} <= {p.admin_unit.code for p in org.coverage_parts if p.admin_unit}


def test_a_ticked_unit_is_ticked_when_the_page_comes_back_with_an_error(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=3)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = coverage_form(ts, uuid)
    response = ts.post(
        f"/organisations/{uuid}/edit/coverage",
        data=form | {"units": ["unit:US-06037", "unit:XX-NOPE"], "drawn": ""},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Unknown admin unit or country: unit:XX-NOPE" in page
    assert 'value="unit:US-06037" checked> Los Angeles' in page
    assert '<li class="unit-state"><details data-group="California" open>' in page  # its state opens


def test_the_unit_outlines_the_map_draws_are_served_by_the_app(client):
    unit = client.get("/maps/units/MX-CHP.geojson")
    assert unit.status_code == 200 and unit.headers["ETag"]
    feature = unit.get_json()["features"][0]
    assert feature["properties"]["value"] == "unit:MX-CHP" and feature["geometry"]["type"] in (
        "Polygon",
        "MultiPolygon",
    )
    country = client.get("/maps/countries/GT.geojson").get_json()["features"][0]
    assert country["properties"]["value"] == "country:GT"
    assert client.get("/maps/units/XX-NOPE.geojson").status_code == 404
    assert client.get("/maps/countries/ZZ.geojson").status_code == 404
    found = client.get("/api/v1/locate?lon=-92.26&lat=14.9").get_json()  # a tap near Tapachula
    assert "MX-CHP" in [u["code"] for u in found["admin_units"]]


def test_service_languages_are_read_by_name_in_the_readers_language(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=4)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    for lang, typed, codes in [
        ("es", "español, K'iche'", ["es", "quc"]),
        ("fr", "espagnol, Kʼicheʼ, mam", ["es", "mam", "quc"]),
        ("en", "Spanish, quc", ["es", "quc"]),
    ]:
        ts.get(f"/organisations?lang={lang}")
        form = open_form(ts, f"/organisations/{uuid}/edit")
        response = ts.post(f"/organisations/{uuid}/edit", data=form | {"services-0-languages": typed})
        assert response.status_code == 302, (lang, text(response)[:300])
        with fresh_app.app_context():
            org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
            assert sorted(language.code for language in org.services[0].languages) == codes, lang
    ts.get("/organisations?lang=es")
    page = text(ts.get(f"/organisations/{uuid}/edit"))
    assert 'value="español (es), quiché (quc)"' in page  # names, with the codes behind
    assert 'id="language-options"' in page and "js/language-picker.js" in page


def test_an_unknown_language_is_refused_on_its_field_and_nothing_is_saved(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=4)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    ts.get("/organisations?lang=en")
    with fresh_app.app_context():
        version = db.session.scalar(select(Organisation.version).where(Organisation.uuid == uuid))
    form = open_form(ts, f"/organisations/{uuid}/edit")
    response = ts.post(f"/organisations/{uuid}/edit", data=form | {"services-0-languages": "español, klingonish"})
    assert response.status_code == 400
    page = text(response)
    assert "Languages: &#39;klingonish&#39; is not a language name or an ISO 639 code" in page
    assert 'id="services-0-languages-errors"' in page
    with fresh_app.app_context():
        assert db.session.scalar(select(Organisation.version).where(Organisation.uuid == uuid)) == version


def test_share_outside_counts_land_only():
    mexico = box(-100, 14.5, -92.2, 20)
    guatemala = box(-92.2, 13.5, -88, 18)
    assert share_outside(ACROSS_THE_BORDER, mexico, [guatemala]) > 0.8
    assert share_outside(INSIDE_CHIAPAS, mexico, [guatemala]) == 0
    assert share_outside(box(-95, 5, -94, 6), mexico, [guatemala]) == 0  # all sea


def test_an_area_mostly_in_guatemala_is_confirmed_before_a_mexican_entry_saves_it(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=5)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    contact.get("/organisations?lang=es")
    form = coverage_form(contact, uuid)
    before = len(proposals(fresh_app))
    data = form | {"drawn": drawn(ACROSS_THE_BORDER, "Zona fronteriza de Tapachula"), "radii-0-radius_km": ""}
    response = contact.post(f"/organisations/{uuid}/edit/coverage", data=data)
    assert response.status_code == 200
    page = text(response)
    assert 'id="outside-warnings"' in page and 'name="confirm_outside"' in page
    warning = page.split('id="outside-warnings"')[1].split("</div>")[0]
    assert "Zona fronteriza de Tapachula" in warning and "Guatemala" in warning and "México" in warning
    assert " %" in warning  # the share in percent, in the reader's language
    assert len(proposals(fresh_app)) == before  # nothing sent yet
    assert "Zona fronteriza de Tapachula" in page.split('name="drawn"')[1][:3000]  # the area is kept to confirm
    confirmed = contact.post(f"/organisations/{uuid}/edit/coverage", data=data | {"confirm_outside": "1"})
    assert confirmed.status_code == 302 and "/review/" in confirmed.location
    assert len(proposals(fresh_app)) == before + 1
    shown = text(contact.get(confirmed.location))
    assert "Zona fronteriza de Tapachula" in shown and "Guatemala" in shown  # said again once sent


def test_an_area_inside_the_country_is_saved_without_a_question(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=6)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    form = coverage_form(contact, uuid)
    data = form | {"drawn": drawn(INSIDE_CHIAPAS, "Tuxtla"), "radii-0-radius_km": ""}
    response = contact.post(f"/organisations/{uuid}/edit/coverage", data=data)
    assert response.status_code == 302 and "/review/" in response.location


def test_the_offline_base_map_carries_names_and_the_gazetteers_cities_by_population(client):
    client.get("/organisations?lang=es")
    base = client.get("/maps/base.geojson").get_json()["features"]
    mexico = next(f for f in base if f["id"] == "MX")
    assert mexico["properties"]["name"] == "México" and len(mexico["properties"]["label"]) == 2
    assert any(f["properties"]["level"] == 1 and f["properties"]["name"] == "Chiapas" for f in base)
    largest = client.get("/maps/places/0.geojson").get_json()["features"]
    assert "Mexico City" in {f["properties"]["name"] for f in largest}
    assert all(f["properties"]["population"] >= 1_000_000 for f in largest)
    towns = client.get("/maps/places/3.geojson").get_json()["features"]
    assert "Tapachula" not in {f["properties"]["name"] for f in towns}  # a city of 200,000: tier 1
    tier1 = {f["properties"]["name"] for f in client.get("/maps/places/1.geojson").get_json()["features"]}
    assert "Tapachula" in tier1
    assert client.get("/maps/places/4.geojson").status_code == 404
