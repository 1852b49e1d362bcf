"""Directory filters on yes/no and choice additional-information fields (`x_<code>` parameters)."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.extra_fields.services import define_field, set_values
from directory_app.organisations.models import Organisation, Status
from tests.conftest import TEST_USERS

UUIDS = re.compile(r'href="/organisations/([0-9a-f-]{36})"')


def _define(app) -> list[str]:
    """Two fields; the first three published organisations get values; returns their uuids."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))
        labels = {"label_es": "Acepta por teléfono", "label_en": "Phone referrals", "label_fr": "Par téléphone"}
        define_field(admin, {"code": "phone_referrals", "field_type": "yesno", **labels})
        define_field(
            admin,
            {
                "code": "agreement",
                "field_type": "choice",
                "choices_text": "Formal\nInformal",
                **labels,
                "label_en": "Agreement",
            },
        )
        define_field(admin, {"code": "free_note", "field_type": "text", **labels, "label_en": "Note"})
        orgs = db.session.scalars(
            select(Organisation).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id).limit(3)
        ).all()
        set_values(orgs[0], {"phone_referrals": "yes", "agreement": "Formal"})
        set_values(orgs[1], {"phone_referrals": "yes", "agreement": "Informal"})
        set_values(orgs[2], {"phone_referrals": "no"})
        db.session.commit()
        return [org.uuid for org in orgs]


def found(client, query: str) -> set[str]:
    response = client.get(f"/organisations?{query}&lang=en")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return set(UUIDS.findall(response.get_data(as_text=True)))


def test_yes_no_and_choice_filters(fresh_app):
    first, second, third = _define(fresh_app)
    client = fresh_app.test_client()
    assert found(client, "x_phone_referrals=yes") == {first, second}
    assert found(client, "x_phone_referrals=no") == {third}
    assert found(client, "x_phone_referrals=yes&x_agreement=Informal") == {second}
    html = client.get("/organisations?x_agreement=Formal&lang=en").get_data(as_text=True)
    assert 'id="x_agreement"' in html and '<option value="Formal" selected>' in html
    assert 'id="x_free_note"' not in html  # text fields are not filters


def test_bad_filter_values_get_a_message(fresh_app):
    _define(fresh_app)
    client = fresh_app.test_client()
    for query in ("x_phone_referrals=maybe", "x_free_note=x", "x_nothing=yes", "x_agreement=%3Cb%3E"):
        response = client.get(f"/organisations?{query}&lang=en")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and "<b>" not in html.split("<main>")[1], query


def test_filter_kept_in_page_links(fresh_app):
    _define(fresh_app)
    from directory_app.organisations.search_params import DirectoryQuery

    query = DirectoryQuery(extra=(("phone_referrals", "yes"),))
    assert query.url_args(page=2) == {"x_phone_referrals": "yes", "page": 2}
    assert query.is_filtered


def test_no_filters_defined_changes_nothing(client, ctx):
    html = client.get("/organisations?lang=en").get_data(as_text=True)
    assert 'name="x_' not in html
