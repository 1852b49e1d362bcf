"""A district card names the person of each phone (referrals.referral_cards: from the cards' own contacts,
and a person of another organisation, should a phone name one, read apart), escaped."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Contact, Phone
from directory_app.organisations.services import create_organisation
from tests.referrals.test_district_pages import LA, hidden_organisation


def _card(text: str, name: str) -> str:
    return next(c for c in text.split('<article class="org-card"')[1:] if name in c).split("</article>")[0]


def test_each_phone_names_its_person(fresh_app):
    with fresh_app.app_context():
        org = create_organisation(
            hidden_organisation(
                name="Centro Con Personas",
                hide_exact_location=False,
                phones=[
                    {"number": "+1 213 555 0101", "contact": 0, "description": "mañanas"},
                    {"number": "+1 213 555 0102", "contact": 1},
                    {"number": "+1 213 555 0103"},
                ],
                contacts=[{"name": "Ana <b>Pérez</b>"}, {"name": "Luis Gómez", "title": "abogado"}],
            )
        )
        other = create_organisation(hidden_organisation(name="Otro Centro", contacts=[{"name": "Marta Ruiz"}]))
        db.session.commit()
        # a phone naming another organisation's person (the forms never do it; an import might)
        marta = db.session.scalar(select(Contact).where(Contact.organisation_id == other.id))
        phone = db.session.scalar(select(Phone).where(Phone.organisation_id == org.id, Phone.number.endswith("0103")))
        phone.contact_id = marta.id
        db.session.commit()
    text = fresh_app.test_client().get(f"/districts/{LA}?service=shelter").get_data(as_text=True)
    card = _card(text, "Con Personas")
    notes = [n.split("</span>")[0] for n in card.split('class="muted phone-note">')[1:]]
    assert notes == ["Ana &lt;b&gt;Pérez&lt;/b&gt; · mañanas", "Luis Gómez", "Marta Ruiz"]
    assert "<b>Pérez" not in card
