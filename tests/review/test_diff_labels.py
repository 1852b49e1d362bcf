"""The diff tables of the proposal page and the conflict page name fields in words ("Service 1:
Fees"), in the reader's language, with the raw path kept small for the Technical Secretariat, and
country codes as country names."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.organisations.entry_diff import diff_snapshots
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import Organisation, Status
from directory_app.review.labels import country_code_name, diff_value, field_label
from directory_app.review.services import submit_change
from tests.conftest import TEST_USERS, login_as
from tests.review.helpers import form_fields, org_uuid, stale_edit, text

ENGLISH = {
    "name": "Name",
    "country_code": "Country",
    "services": "Services",
    "services[0].name": "Service 1: Name",
    "services[2].fees": "Service 3: Fees",
    "services[0].translations.schedule.en": "Service 1: Hours (en)",
    "contacts[1].email": "Person 2: Email",
    "locations[0].lat": "Site 1: Latitude",
    "locations[1].country_code": "Site 2: Country",
    "phones[2].extension": "Phone 3: Extension",
    "coverage[0].radius_km": "Coverage part 1: Radius (km)",
    "coverage[3].unit": "Coverage part 4: Administrative unit",
    "translations.description.fr": "Description (fr)",
    "extra.no_such_field": "Additional information: no_such_field",
}


def test_field_paths_in_english(app):
    with app.test_request_context("/?lang=en"):
        for path, expected in ENGLISH.items():
            assert field_label(path) == expected, path


def test_unknown_paths_and_names_already_in_words_stay_as_they_are(app):
    with app.test_request_context("/?lang=en"):
        for path in ("services[0].made_up", "gadgets[0].name", "made_up", "Additional information: Agreement date"):
            assert field_label(path) == path
        assert field_label("") == "" and field_label(None) == ""


@pytest.mark.parametrize(
    "lang,expected",
    [
        # The part names and field words are in the catalogs already; the glue "%(part)s: %(field)s"
        # is new (French puts a space before the colon once the catalog has it).
        ("es", {"services[0].name": r"Servicio 1: Nombre", "contacts[1].email": r"Persona 2: Correo electrónico"}),
        ("fr", {"services[0].name": r"Service 1\s?: Nom", "contacts[1].email": r"Personne 2\s?: Courriel"}),
    ],
)
def test_field_paths_in_the_reader_language(app, lang, expected):
    with app.test_request_context(f"/?lang={lang}"):
        for path, pattern in expected.items():
            assert re.fullmatch(pattern, field_label(path)), (path, field_label(path))
        assert field_label("country_code") == {"es": "País", "fr": "Pays"}[lang]


def test_diff_values_name_countries_kinds_and_statuses(app):
    with app.test_request_context("/?lang=es"):
        mexico = country_code_name("MX")
        assert mexico == "México"
        assert diff_value("MX", "country_code") == mexico
        assert diff_value("GT", "locations[0].country_code") == "Guatemala"
        assert diff_value("MX", "coverage[2].country") == mexico
        assert diff_value("published", "status") == "Publicado"
        assert diff_value("MX", "name") == "MX"  # only country fields are countries
        assert diff_value("ZZ", "country_code") == "ZZ" and diff_value("", "country_code") == ""
    with app.test_request_context("/?lang=en"):
        assert country_code_name("MX") == "Mexico" and country_code_name(None) == ""


def test_extra_rows_keep_their_code_as_path(app):
    with app.test_request_context("/?lang=en"):
        rows = diff_snapshots({"name": "a", "extra": {"x_code": ""}}, {"name": "a", "extra": {"x_code": "yes"}})
        assert rows == [
            {
                "field_name": "Additional information: x_code",
                "previous_value": "",
                "replacement_value": "yes",
                "path": "extra.x_code",
            }
        ]


# --- the pages ------------------------------------------------------------------------------


def _user(role: str, country: str | None = None) -> User:
    key = role if country is None else f"{role}:{country}"
    return db.session.scalar(select(User).where(User.email == TEST_USERS[key].email))


@pytest.fixture
def proposal(fresh_app):
    """A pending proposal of a Mexican contact: the first service's fees and a new contact person."""
    with fresh_app.app_context(), fresh_app.test_request_context("/"):
        org = db.session.scalars(
            select(Organisation)
            .where(
                Organisation.country_code == "MX",
                Organisation.status == Status.PUBLISHED,
                Organisation.services.any(),
            )
            .order_by(Organisation.id)
            .limit(1)
        ).one()
        data = snapshot_of(org)
        data["services"][0]["fees"] = "Cuota de prueba"
        data["contacts"] = [*data["contacts"], {"name": "Ana Prueba", "title": "", "department": "", "email": ""}]
        number = len(data["contacts"])
        outcome = submit_change(_user("country_contact", "MX"), org, data, base_version=org.version, comment="x")
        db.session.commit()
        return fresh_app, outcome.proposal.id, number


def _change_heads(html: str) -> list[str]:
    """What each change of the page's change list names (templates/review/_changes.html)."""
    lists = re.findall(r'<ul class="changes">(.*?)</ul>', html, re.S)
    return [head for part in lists for head in re.findall(r'<strong class="what">(.*?)</strong>', part, re.S)]


def test_proposal_page_names_fields_in_words(proposal):
    """The proposal's changes in words: the service by its category and name, the new person by
    name, never a field path (tests/review/test_review_words.py follows a whole proposal)."""
    app, proposal_id, _number = proposal
    ts = login_as(app.test_client(), "ts_admin")
    html = text(ts.get(f"/review/{proposal_id}?lang=en"))
    heads = _change_heads(html)
    assert any(re.fullmatch(r".+ “.+”: Fees", head) for head in heads), heads
    assert "Contact person added" in heads
    assert "Ana Prueba" in html and "field-path" not in html and "services[0]" not in html
    assert "<dt>Country</dt><dd>Mexico</dd>" in html  # the proposal's country by name

    spanish = _change_heads(text(ts.get(f"/review/{proposal_id}?lang=es")))
    assert any(head.endswith(": Costos") for head in spanish), spanish
    french = _change_heads(text(ts.get(f"/review/{proposal_id}?lang=fr")))
    assert any(re.search(r"\s?: Frais$", head) for head in french), french


def test_conflict_page_names_fields_in_words(fresh_app):
    uuid = org_uuid(fresh_app, index=1)
    _, _, response = stale_edit(
        fresh_app,
        uuid,
        {"email": "primera@example.org", "services-0-fees": "Primera cuota"},
        {"email": "segunda@example.org", "services-0-fees": "Segunda cuota"},
        "?lang=en",
    )
    assert response.status_code == 409
    page = text(response)
    heads = re.findall(r'<th scope="row">(.*?)</th>', page)
    assert "Email" in heads and any(re.fullmatch(r".+ “.+”: Fees", head) for head in heads), heads
    assert "field-path" not in page and "services[0]" not in page and ">email<" not in page
    # nothing chosen beforehand; the form sends one choice per conflict, by its key
    fields = form_fields(page, 'class="merge-form"')
    assert not [name for name in fields if name.startswith("choice-")]
    assert 'name="choice-email"' in page
