"""The crisis report in the JSON API: POST an area, get the report (public or exact by who asks); GET a
saved crisis (consular users and the TS); clear JSON errors."""

from __future__ import annotations

import json
from datetime import date

from directory_app.accounts.models import User
from directory_app.crisis.areas import area_from_circle
from directory_app.crisis.services import save_crisis
from directory_app.extensions import db
from tests.conftest import TEST_USERS, login_as
from tests.crisis.helpers import HIDDEN, TAPACHULA, add_tapachula_organisations

CIRCLE = {"circle": {"lon": TAPACHULA[0], "lat": TAPACHULA[1], "radius_km": 50}}


def _hidden_in(document: dict, organisation_id: str) -> bool:
    org = next(o for o in document["organisations"] if o["id"] == organisation_id)
    return {"lon": round(HIDDEN[0], 5), "lat": round(HIDDEN[1], 5)} in org["sites"]


def test_post_an_area_get_the_report(fresh_app):
    with fresh_app.app_context():
        ids = add_tapachula_organisations()
    client = fresh_app.test_client()
    response = client.post("/api/v1/crisis/report", json=CIRCLE)
    assert response.status_code == 200, response.get_data(as_text=True)
    document = response.get_json()
    codes = {d["code"] for d in document["districts"]}
    assert {"GT-MX-TAPACHULA", "SV-MX-TAPACHULA", "HN-MX-TAPACHULA"} <= codes
    assert {ids["radius"], ids["state"]} <= {o["id"] for o in document["organisations"]}
    assert document["exact_locations"] is False and not _hidden_in(document, ids["radius"])
    assert f"{HIDDEN[1]:.4f}" not in json.dumps(document) and "Calle Escondida" not in json.dumps(document)
    assert document["area"]["type"] == "Polygon" and document["area_km2"] > 7000
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    # the same area given as GeoJSON answers the same
    again = client.post("/api/v1/crisis/report", json={"area": document["area"]}).get_json()
    assert {d["code"] for d in again["districts"]} == codes
    # a consular user gets the exact positions
    consular = login_as(fresh_app.test_client(), "consular")
    exact = consular.post("/api/v1/crisis/report", json=CIRCLE).get_json()
    assert exact["exact_locations"] is True and _hidden_in(exact, ids["radius"])


def test_bad_requests_get_clear_json_errors(client):
    cases = [
        ({"data": "{", "content_type": "application/json"}, 400, None),
        ({"data": "units=MX-OAX", "content_type": "application/x-www-form-urlencoded"}, 415, None),
        ({"json": {}}, 400, None),
        ({"json": {"units": ["XX-NOPE"]}}, 400, "units"),
        ({"json": {"circle": {"lon": -92, "lat": 15, "radius_km": 5000}}}, 400, "circle"),
        ({"json": {"area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}}}, 400, "area"),
        ({"json": {"area": "POLYGON((0 0, 1 0, 1 1, 0 0))"}}, 400, "area"),
    ]
    for kwargs, status, parameter in cases:
        response = client.post("/api/v1/crisis/report", **kwargs)
        assert response.status_code == status and response.is_json, (kwargs, response.get_data(as_text=True))
        body = response.get_json()
        assert body["status"] == status and body["error"]
        assert body.get("parameter") == parameter


def test_a_saved_crisis_for_consular_users_and_the_ts_only(fresh_app):
    with fresh_app.app_context():
        user = db.session.query(User).filter_by(email=TEST_USERS["consular"].email).one()
        crisis = save_crisis(
            user,
            name="Sismo Soconusco",
            kind="earthquake",
            starts_on=date(2026, 12, 1),
            area=area_from_circle(*TAPACHULA, 30),
            area_source="circle",
        )
        db.session.commit()
        crisis_id = crisis.id
    url = f"/api/v1/crises/{crisis_id}"
    assert fresh_app.test_client().get(url).status_code == 401
    assert login_as(fresh_app.test_client(), "country_contact").get(url).status_code == 403
    for role in ("consular", "ts_admin"):
        document = login_as(fresh_app.test_client(), role).get(url).get_json()
        assert document["crisis"]["name"] == "Sismo Soconusco" and document["crisis"]["kind"] == "earthquake"
        assert "GT-MX-TAPACHULA" in {d["code"] for d in document["districts"]}
    missing = login_as(fresh_app.test_client(), "consular").get("/api/v1/crises/no-such-crisis")
    assert missing.status_code == 404 and missing.is_json


def test_the_openapi_document_describes_the_crisis_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/crisis/report"] and "get" in spec["paths"]["/crises/{crisis_id}"]
    assert "POST" in client.get("/api/v1/docs").get_data(as_text=True)


def test_a_saved_crisis_follows_the_entries_as_they_change(fresh_app):
    from sqlalchemy import select

    from directory_app.organisations.editing import change_workflow
    from directory_app.organisations.models import Organisation
    from directory_app.organisations.services import replace_coverage

    with fresh_app.app_context():
        ids = add_tapachula_organisations()
        user = db.session.query(User).filter_by(email=TEST_USERS["ts_admin"].email).one()
        crisis_id = save_crisis(
            user, name="Inundación", kind="flood", starts_on=date(2026, 12, 2), area=area_from_circle(*TAPACHULA, 50)
        ).id
        db.session.commit()
    ts = login_as(fresh_app.test_client(), "ts_admin")

    def listed() -> set[str]:
        return {o["id"] for o in ts.get(f"/api/v1/crises/{crisis_id}").get_json()["organisations"]}

    assert {ids["radius"], ids["state"]} <= listed()
    with fresh_app.app_context():
        state = db.session.scalar(select(Organisation).where(Organisation.uuid == ids["state"]))
        replace_coverage(state, [{"kind": "admin_unit", "unit": "US-48201"}])  # now serves Houston only
        radius = db.session.scalar(select(Organisation).where(Organisation.uuid == ids["radius"]))
        ts_user = db.session.query(User).filter_by(email=TEST_USERS["ts_admin"].email).one()
        change_workflow().archive(ts_user, radius, base_version=radius.version)  # as the TS archives it
        db.session.commit()
    assert not {ids["radius"], ids["state"]} & listed()
