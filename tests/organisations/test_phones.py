"""Phones that act: read in the organisation's country and checked with libphonenumber, written in
international format, refused with a message naming the number (through the edit form and an
import), and shown as tel: and WhatsApp (wa.me) links on the organisation page."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.contact_links import directions, first_phone, phone_link
from directory_app.organisations.models import Organisation, Phone, Status
from directory_app.organisations.services import create_organisation
from tests.review.helpers import open_form
from tests.transfer.test_import_changes_only_what_it_says import csv_of
from tests.transfer.web_flow import preview_upload


def test_links_of_a_whatsapp_number_a_voice_line_and_a_site(app):
    with app.test_request_context("/?lang=en"):
        whatsapp = phone_link("962 625 1234", "", "whatsapp", "MX")
        assert (whatsapp.text, whatsapp.tel, whatsapp.whatsapp) == (
            "+52 962 625 1234",
            "tel:+529626251234",
            "https://wa.me/529626251234",
        )
        assert whatsapp.kind_label == "WhatsApp"
        voice = phone_link("(713) 555-0142", "12", "voice", "US")
        assert (voice.text, voice.tel, voice.whatsapp) == ("+1 713 555 0142", "tel:+17135550142,12", None)
        # a number stored before the check, that libphonenumber cannot read, is shown as written
        legacy = phone_link("+52 555 0101", "", "whatsapp", "MX")
        assert (legacy.text, legacy.whatsapp) == ("+52 555 0101", "https://wa.me/525550101")
        assert phone_link("no number", "", "whatsapp", "MX").whatsapp is None
        route = directions(-92.26, 14.9, origin=(-92.1, 14.8))
        assert route.geo == "geo:14.90000,-92.26000"
        assert route.osm == "https://www.openstreetmap.org/directions?route=14.80000%2C-92.10000%3B14.90000%2C-92.26000"
        assert directions(-92.26, 14.9).osm.endswith("route=%3B14.90000%2C-92.26000")


def test_a_list_shows_the_organisations_own_whatsapp_number_first(app):
    with app.test_request_context("/?lang=en"):
        phones = [
            Phone(number="+52 55 5555 0199", extension="", type="voice", contact_id=7),
            Phone(number="+52 55 1234 5678", extension="", type="voice", contact_id=None),
            Phone(number="+52 962 625 1234", extension="", type="whatsapp", contact_id=None),
        ]
        assert first_phone(phones, "MX").whatsapp == "https://wa.me/529626251234"
        assert first_phone(phones[:2], "MX").text == "+52 55 1234 5678"
        assert first_phone([], "MX") is None


def _mexican_organisation_with_a_phone(app) -> str:
    with app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .where(Organisation.phones.any(Phone.contact_id.is_(None)))
            .order_by(Organisation.id)
        ).first()


def _own_numbers(app, uuid: str) -> list[str]:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        return [p.number for p in org.phones]


def test_the_edit_form_refuses_an_invalid_number_and_writes_a_valid_one_in_international_format(fresh_app, login_as):
    uuid = _mexican_organisation_with_a_phone(fresh_app)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit?lang=en")
    index = next(k for k, v in form.items() if k.endswith("-number") and k.startswith("phones-"))
    before = _own_numbers(fresh_app, uuid)
    refused = ts.post(f"/organisations/{uuid}/edit?lang=en", data=form | {index: "555 1234"})
    assert refused.status_code == 400
    text = unescape(refused.get_data(as_text=True))
    assert "'555 1234' is not a valid phone number" in text
    assert "as it is dialled in Mexico, or in full with + and the country code (+52 for Mexico)" in text
    assert "field-error" in refused.get_data(as_text=True)
    assert _own_numbers(fresh_app, uuid) == before  # nothing written
    saved = ts.post(f"/organisations/{uuid}/edit?lang=en", data=form | {index: "962 625 1234"})
    assert saved.status_code == 302
    assert "+52 962 625 1234" in _own_numbers(fresh_app, uuid)


def test_an_unchanged_number_saved_before_the_check_does_not_block_other_changes(fresh_app, login_as):
    uuid = _mexican_organisation_with_a_phone(fresh_app)
    with fresh_app.app_context():
        phone = db.session.scalar(
            select(Phone).join(Organisation).where(Organisation.uuid == uuid, Phone.contact_id.is_(None))
        )
        phone.number = "+52 555 0101"  # as the demo data and older entries hold numbers
        db.session.commit()
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit?lang=en")
    assert ts.post(f"/organisations/{uuid}/edit?lang=en", data=form | {"name": "Otro nombre"}).status_code == 302
    assert "+52 555 0101" in _own_numbers(fresh_app, uuid)


def test_an_import_row_with_an_invalid_number_is_rejected_naming_it(fresh_app, login_as):
    with fresh_app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.country_code == "GT", Organisation.external_id.is_not(None))
            .order_by(Organisation.id)
        ).first()
        external_id, name = org.external_id, org.name
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, csv_of(["external_id", "name", "phone"], [external_id, name, "2222 33"]), "t.csv")
    assert preview.counts["rejected"] == 1 and not preview.offers_import
    assert "'2222 33' is not a valid phone number" in unescape(preview.html)
    assert "dialled in Guatemala" in unescape(preview.html)
    preview = preview_upload(web, csv_of(["external_id", "name", "phone"], [external_id, name, "2222 3333"]), "u.csv")
    errors = re.findall(r"row-errors.{0,400}", preview.html, re.S)
    assert preview.counts["rejected"] == 0 and preview.offers_import, errors


def test_the_organisation_page_and_the_directory_link_a_whatsapp_number_to_wa_me(fresh_app):
    with fresh_app.app_context():
        org = create_organisation(
            {
                "name": "Casa Suchiate",
                "kind": "ngo",
                "country_code": "MX",
                "status": "published",
                "locations": [{"lon": -92.26, "lat": 14.9, "city": "Tapachula"}],
                "services": [{"category": "shelter"}],
                "phones": [{"number": "962 625 1234", "type": "whatsapp"}, {"number": "962 111 2233"}],
                "coverage": [],
            }
        )
        db.session.commit()
        uuid = org.uuid
        assert [p.number for p in org.phones] == ["+52 962 625 1234", "+52 962 111 2233"]
    page = fresh_app.test_client().get(f"/organisations/{uuid}?lang=en").get_data(as_text=True)
    assert '<a href="tel:+529626251234" class="tel-link">+52 962 625 1234</a>' in page
    assert '<a href="https://wa.me/529626251234" class="whatsapp-link"' in page and ">WhatsApp</a>" in page
    assert '<a href="tel:+529621112233" class="tel-link">+52 962 111 2233</a>' in page
    assert "geo:14.90000,-92.26000" in page and "openstreetmap.org/directions?route=" in page
    # the directory's result line shows the phone to call: the organisation's WhatsApp number
    listing = fresh_app.test_client().get("/organisations?q=Casa+Suchiate&lang=en").get_data(as_text=True)
    line = listing.split("Casa Suchiate</a>")[1].split("</li>")[0]
    assert '<a href="tel:+529626251234" class="tel-link">+52 962 625 1234</a>' in line
    assert 'href="https://wa.me/529626251234"' in line
