"""Our own HSDS export edited outside the directory (a name, a phone number, a service's name changed in
the JSON, the embedded cammina_record left as it was): the edited fields win, and the preview names each
field, both values and which one wins. An unedited export re-imports unchanged without such notes.
Through the web form, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations import services as org_services
from directory_app.organisations.models import Organisation
from tests.conftest import login_as
from tests.transfer.hsds_flow import notes
from tests.transfer.web_flow import import_now, preview_upload

UUID = "7e57ed17-0000-4000-8000-000000000001"
SERVICE = "7e57ed17-0000-4000-8000-000000000002"
PHONE = "7e57ed17-0000-4000-8000-000000000003"


def _stored(app) -> None:
    with app.app_context():
        org_services.create_organisation(
            {
                "id": UUID,
                "name": "Zapotal Refugio",
                "kind": "shelter",
                "country_code": "MX",
                "status": "published",
                "description": "Albergue en Tapachula",
                "phones": [{"id": PHONE, "number": "+52 962 555 0100"}],
                "services": [{"id": SERVICE, "category": "shelter", "name": "Albergue temporal"}],
            }
        )
        db.session.commit()


def _export(web) -> list[dict]:
    response = web.get("/transfer/export?format=hsds&q=Zapotal")
    assert response.status_code == 200
    documents = response.get_json()
    assert [d["id"] for d in documents] == [UUID]
    return documents


def test_an_unedited_export_reimports_unchanged_without_notes(fresh_app):
    _stored(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, json.dumps(_export(web)).encode(), "cammina.json")
    assert preview.counts == {"to create": 0, "to update": 0, "unchanged": 1, "rejected": 0}, preview.html[-3000:]
    assert notes(preview.html) == []


def test_fields_edited_outside_win_over_the_record_and_the_preview_says_so(fresh_app):
    _stored(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    (document,) = _export(web)
    record = next(a for a in document["attributes"] if a["link_type"] == "cammina_record")
    assert json.loads(record["value"])["name"] == "Zapotal Refugio"
    document["name"] = "Zapotal Refugio Tapachula"
    (phone,) = [p for p in document["phones"] if p["id"] == PHONE]
    phone["number"] = "+52 962 555 0199"
    (service,) = document["services"]
    service["name"] = "Albergue de corta estancia"
    preview = preview_upload(web, json.dumps([document]).encode(), "editado.json")
    assert preview.counts == {"to create": 0, "to update": 1, "unchanged": 0, "rejected": 0}, preview.html[-3000:]
    said = {(n["part"], n["text"]) for n in notes(preview.html)}
    assert (
        "organization",
        "name: the HSDS field says “Zapotal Refugio Tapachula”, the CAMMINA record “Zapotal Refugio”: the HSDS "
        "field wins (it was edited outside the directory)",
    ) in said, said
    assert any(p == "phone '+52 962 555 0100'" and "“+52 962 555 0199”" in t for p, t in said), said
    assert any(p == "service 'Albergue temporal'" and "“Albergue de corta estancia”" in t for p, t in said), said
    assert all(n["kept"] and n["row"] == 1 for n in notes(preview.html))
    import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == UUID))
        assert org.name == "Zapotal Refugio Tapachula"
        assert [(p.uuid, p.number) for p in org.phones] == [(PHONE, "+52 962 555 0199")]
        assert [(s.uuid, s.name) for s in org.services] == [(SERVICE, "Albergue de corta estancia")]
        assert org.description == "Albergue en Tapachula"  # what was not edited comes from the record
