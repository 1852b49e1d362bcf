"""Stored-XSS on the geography pages: every text an entry carries is escaped on the district
sheet, the nearest results and the coverage overview."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Contact, Phone
from directory_app.organisations.services import create_organisation

PAYLOADS = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "`${alert(3)}`"]


def hostile(i: int) -> str:
    return f"X{i} " + PAYLOADS[i % len(PAYLOADS)]


def test_every_text_field_is_escaped(fresh_app):
    with fresh_app.app_context():
        org = create_organisation(
            {
                "name": hostile(0),
                "alternate_name": hostile(1),
                "kind": "shelter",
                "country_code": "US",
                "status": "published",
                "website": "https://ok.example.org/?q=<b>",
                "locations": [
                    {"lon": -118.25, "lat": 34.05, "address": hostile(2), "city": hostile(3), "region": hostile(4)}
                ],
                "services": [{"category": "shelter", "name": hostile(5), "schedule": hostile(6), "fees": hostile(7)}],
                "coverage": [{"kind": "admin_unit", "unit": "US-06037"}],
            }
        )
        db.session.flush()
        contact = Contact(organisation_id=org.id, name=hostile(8), title=hostile(9), email="a@example.org")
        db.session.add(contact)
        db.session.flush()
        db.session.add(
            Phone(organisation_id=org.id, contact_id=contact.id, number=hostile(10), description=hostile(11))
        )
        org.email = "javascript:alert(1)//@example.org"
        db.session.commit()
        assert db.session.scalar(select(Phone.number).where(Phone.organisation_id == org.id)) == hostile(10)
    client = fresh_app.test_client()
    pages = {
        "district": client.get("/districts/MX-US-LOS-ANGELES?service=shelter").get_data(as_text=True),
        "nearest": client.get("/nearest?lat=34.05&lon=-118.25&k=5").get_data(as_text=True),
        "coverage": client.get("/coverage?sending=MX").get_data(as_text=True),
    }
    for page in ("district", "nearest"):
        assert "X0 &lt;img src=x onerror=alert(1)&gt;" in pages[page], page
    for i in (5, 6, 7, 8, 9, 10, 11):
        assert f"X{i} " in pages["district"]
    for name, text in pages.items():
        for payload in PAYLOADS[:2]:
            assert payload not in text, (name, payload)
        assert "<script>alert" not in text and "onerror=alert(1)>" not in text
        assert 'href="javascript:' not in text
    assert "ok.example.org/?q=&lt;b&gt;" in pages["district"]
