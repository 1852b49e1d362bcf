"""Contact registry: the TS records contact persons; the public page lists per country only those who
agreed, with name and role (never email or phone), escaped."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.registry.models import ContactPerson
from tests.accounts.helpers import post_form
from tests.conftest import login_as

AGREED = {
    "country_code": "MX",
    "name": "Lucía <i>Ramírez</i>",
    "role_title": "Enlace de protección consular",
    "email": "lucia@example.org",
    "phone": "+52 55 1234 5678",
    "listed_publicly": "y",
}
NOT_AGREED = {**AGREED, "name": "Pedro Oculto", "role_title": "Director", "email": "pedro@example.org"}
NOT_AGREED.pop("listed_publicly")


def add(client, data):
    return post_form(client, "/admin/registry/new", data)


def country_cell(html: str, code: str) -> str:
    match = re.search(rf'<tr data-country="{code}">(.*?)</tr>', html, re.S)
    assert match, code
    return match.group(1)


def test_public_page_shows_only_consenting_persons_name_and_role(fresh_app):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    assert add(admin, AGREED).status_code == 302
    assert add(admin, NOT_AGREED).status_code == 302
    html = fresh_app.test_client().get("/contact-points").get_data(as_text=True)
    mexico = country_cell(html, "MX")
    assert "Lucía &lt;i&gt;Ramírez&lt;/i&gt;" in mexico and "Enlace de protección consular" in mexico
    assert "Pedro Oculto" not in html and "lucia@example.org" not in html and "1234 5678" not in html
    assert "Through the Technical Secretariat." in country_cell(html, "GT")
    admin_html = admin.get("/admin/registry").get_data(as_text=True)
    assert "pedro@example.org" in admin_html and "lucia@example.org" in admin_html


def test_edit_withdraws_consent_and_delete_removes(fresh_app):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    add(admin, AGREED)
    with fresh_app.app_context():
        person_id = db.session.scalar(select(ContactPerson.id))
    data = {key: value for key, value in AGREED.items() if key != "listed_publicly"}
    assert post_form(admin, f"/admin/registry/{person_id}", data).status_code == 302
    assert "Ramírez" not in fresh_app.test_client().get("/contact-points").get_data(as_text=True)
    assert post_form(admin, f"/admin/registry/{person_id}/delete", {}, form_url="/admin/registry").status_code == 302
    with fresh_app.app_context():
        assert db.session.scalar(select(ContactPerson.id)) is None
    assert admin.get(f"/admin/registry/{person_id}").status_code == 404


def test_bad_input_gets_messages(fresh_app):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    for data in ({**AGREED, "country_code": "ZZ"}, {**AGREED, "name": " "}, {**AGREED, "email": "nope"}):
        response = add(admin, data)
        assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)
    with fresh_app.app_context():
        assert db.session.scalar(select(ContactPerson.id)) is None


def test_public_page_lists_every_member_country(client):
    html = client.get("/contact-points?lang=en").get_data(as_text=True)
    assert len(re.findall(r'<tr data-country="[A-Z]{2}">', html)) == 11
