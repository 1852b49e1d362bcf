"""A start page per role: where each person lands after signing in through the form, the consulate the TS
gives a consular user (through the user admin form), the home page's "find partners" form and the
statistics on a page of their own."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from directory_app.accounts.models import User
from directory_app.audit import AuditEvent
from directory_app.extensions import db
from directory_app.geography.models import Consulate
from tests.accounts.helpers import post_form
from tests.conftest import TEST_PASSWORD, TEST_USERS, csrf_token_of, login_as, user_key

HOUSTON = "GT-US-HOUSTON"  # a Guatemalan consulate general with its district
ANNOUNCED = "GT-MX-OAXACA"  # announced by its ministry: no district
HOUSTON_PAGE = f"/districts/{HOUSTON}"


def sign_in_through_the_form(client, role: str, country: str | None = None, next_path: str | None = None):
    user = TEST_USERS[user_key(role, country)]
    url = "/login" + (f"?next={next_path}" if next_path else "")
    token = csrf_token_of(client.get(url).get_data(as_text=True))
    return client.post(url, data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})


def consulate_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Consulate.id).where(Consulate.code == code))


def user_id(app, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == TEST_USERS[user_key(role)].email))


def set_consulate(app, code: str | None, role: str = "consular"):
    """The TS gives the consular test user a consulate (or none) through the user admin form."""
    ts = login_as(app.test_client(), "ts_admin")
    url = f"/admin/users/{user_id(app, 'consular')}"
    data = {"role": role, "country": "", "consulate": str(consulate_id(app, code)) if code else ""}
    return post_form(ts, url, data)


@pytest.mark.parametrize(
    "role,country,start",
    [("ts_admin", None, "/review"), ("country_contact", "MX", "/my-entries"), ("consular", None, "/")],
)
def test_each_role_lands_on_its_start_page(app, role, country, start):
    response = sign_in_through_the_form(app.test_client(), role, country)
    assert response.status_code == 302 and response.headers["Location"] == start


def test_signing_in_from_the_home_page_lands_on_the_start_page_and_another_page_is_kept(app):
    response = sign_in_through_the_form(app.test_client(), "ts_admin", next_path="/")
    assert response.headers["Location"] == "/review"
    response = sign_in_through_the_form(app.test_client(), "ts_admin", next_path="/districts")
    assert response.headers["Location"] == "/districts"


def test_the_start_pages_show_what_each_role_needs(app):
    ts = login_as(app.test_client(), "ts_admin")
    queue = ts.get("/review").get_data(as_text=True)
    assert 'href="/review/stale"' in queue  # the freshness dashboard, one click away
    contact = login_as(app.test_client(), "country_contact", "MX")
    entries = contact.get("/my-entries").get_data(as_text=True)
    assert "Waiting for review" in entries and "Entries, least recently verified first" in entries
    assert "/edit" in entries  # each entry has its edit link


def test_the_ts_gives_a_consular_user_a_consulate_and_they_land_on_its_district(fresh_app):
    response = set_consulate(fresh_app, HOUSTON)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    with fresh_app.app_context():
        user = db.session.get(User, user_id(fresh_app, "consular"))
        assert user.consulate.code == HOUSTON
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "user_changed").order_by(AuditEvent.id.desc())
        ).first()
        assert event.detail.endswith(f"-> consular consulate {HOUSTON}")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = ts.get(f"/admin/users/{user_id(fresh_app, 'consular')}").get_data(as_text=True)
    assert f'<option selected value="{consulate_id(fresh_app, HOUSTON)}">{HOUSTON} · ' in form
    assert f"Consular user · {HOUSTON}</td>" in ts.get("/admin/users").get_data(as_text=True)

    consular = fresh_app.test_client()
    response = sign_in_through_the_form(consular, "consular")
    assert response.status_code == 302 and response.headers["Location"] == f"/districts/{HOUSTON}"
    page = consular.get(f"/districts/{HOUSTON}").get_data(as_text=True)
    assert f'<a href="/districts/{HOUSTON}" class="my-consulate">My consulate</a>' in page
    home = consular.get("/").get_data(as_text=True)
    assert f'<a href="/districts/{HOUSTON}">My consulate: its district and its partners</a>' in home


def test_a_consulate_without_district_leads_to_its_nearest_partners(fresh_app):
    assert set_consulate(fresh_app, ANNOUNCED).status_code == 302
    response = sign_in_through_the_form(fresh_app.test_client(), "consular")
    assert response.headers["Location"] == f"/nearest?consulate={ANNOUNCED}"


def test_a_new_role_leaves_the_consulate_and_a_gone_consulate_leaves_its_user(fresh_app):
    assert set_consulate(fresh_app, HOUSTON).status_code == 302
    assert set_consulate(fresh_app, HOUSTON, role="country_contact").status_code == 400  # a contact needs a country
    ts = login_as(fresh_app.test_client(), "ts_admin")
    url = f"/admin/users/{user_id(fresh_app, 'consular')}"
    chosen = str(consulate_id(fresh_app, HOUSTON))
    assert post_form(ts, url, {"role": "ts_admin", "country": "", "consulate": chosen}).status_code == 302
    with fresh_app.app_context():
        user = db.session.get(User, user_id(fresh_app, "consular"))
        assert user.role == "ts_admin" and user.consulate_id is None  # only a consular user has a consulate
        user.role = "consular"
        user.consulate_id = consulate_id(fresh_app, HOUSTON)
        db.session.commit()
        db.session.execute(delete(Consulate).where(Consulate.code == HOUSTON))  # the office closes
        db.session.commit()
        assert db.session.get(User, user.id).consulate_id is None
    response = sign_in_through_the_form(fresh_app.test_client(), "consular")
    assert response.headers["Location"] == "/"


def test_an_unknown_consulate_is_refused_and_nothing_changes(fresh_app):
    ts = login_as(fresh_app.test_client(), "ts_admin")
    url = f"/admin/users/{user_id(fresh_app, 'consular')}"
    response = post_form(ts, url, {"role": "consular", "country": "", "consulate": "999999"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    with fresh_app.app_context():
        assert db.session.get(User, user_id(fresh_app, "consular")).consulate_id is None


def test_the_ts_invites_a_consular_user_with_their_consulate(fresh_app):
    ts = login_as(fresh_app.test_client(), "ts_admin")
    data = {"email": "consul-houston@example.org", "name": "", "role": "consular", "country": ""}
    data["consulate"] = str(consulate_id(fresh_app, HOUSTON))
    assert post_form(ts, "/admin/users/invite", data).status_code == 302
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "consul-houston@example.org"))
        assert user.consulate.code == HOUSTON and user.invite_pending


def test_the_home_page_finds_partners_first_and_links_the_statistics(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert html.index('action="/find"') < html.index('href="/statistics"')
    assert 'name="q"' in html and 'data-autocomplete="/places"' in html  # suggestions while typing (a script)
    assert '<input type="checkbox" id="finder-service-shelter" name="service" value="shelter">' in html
    assert "The directory today" not in html


def test_the_home_page_stays_cached_for_anonymous_readers(fresh_app):
    client = fresh_app.test_client()
    assert client.get("/").headers["X-Page-Cache"] == "miss"
    assert client.get("/").headers["X-Page-Cache"] == "hit"
    assert client.get("/statistics").headers["X-Page-Cache"] == "miss"
    assert client.get("/statistics").headers["X-Page-Cache"] == "hit"
    signed_in = login_as(fresh_app.test_client(), "consular")
    assert "X-Page-Cache" not in signed_in.get("/").headers


def test_the_statistics_have_their_own_page(client):
    page = client.get("/statistics?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<dt>approximate districts</dt>" in html and "Published organisations per country" in html
    assert "Guatemala" in html and "Mexico" in html
    spanish = client.get("/statistics?lang=es").get_data(as_text=True)
    assert "<dt>distritos aproximados</dt>" in spanish


@pytest.mark.parametrize(
    "query,target",
    [
        ({"q": "gt-us-houston"}, f"/districts/{HOUSTON}"),
        ({"q": "consulado general de guatemala en houston", "service": "shelter"}, f"{HOUSTON_PAGE}?service=shelter"),
        (
            {"q": "Guatemala Houston", "service": ["legal_assistance", "shelter"], "match": "all"},
            f"/districts/{HOUSTON}?service=shelter&service=legal_assistance&match=all",
        ),
        ({"q": "Galveston", "service": "shelter"}, "/nearest?place=Galveston&service=shelter"),
        ({"lat": "14.9", "lon": "-92.26", "label": "Tapachula"}, "/nearest?lat=14.9&lon=-92.26&label=Tapachula"),
    ],
)
def test_find_leads_to_the_district_or_the_nearest_partners(client, query, target):
    response = client.get("/find", query_string=query)
    assert response.status_code == 302 and response.headers["Location"] == target


def test_find_offers_a_choice_when_several_districts_answer(client):
    response = client.get("/find", query_string={"q": "houston", "service": "shelter", "lang": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Which one do you mean?" in html
    for code in ("GT-US-HOUSTON", "MX-US-HOUSTON", "SV-US-HOUSTON"):
        assert f'<a href="/districts/{code}?service=shelter">' in html
    assert '<a href="/nearest?place=houston&amp;service=shelter">' in html
    # a place chosen among the suggestions, in a city with consulates: its districts, or its nearest partners
    point = {"q": "Tapachula", "lat": "14.9", "lon": "-92.26", "label": "Tapachula, Chiapas", "lang": "en"}
    html = client.get("/find", query_string=point).get_data(as_text=True)
    assert '<a href="/districts/GT-MX-TAPACHULA">' in html
    assert '<a href="/nearest?lat=14.9&amp;lon=-92.26&amp;label=Tapachula,+Chiapas">' in html
    many = client.get("/find", query_string={"q": "mexico", "lang": "en"}).get_data(as_text=True)
    assert many.count('<li><a href="/districts/') == 20 and "more districts in the list of districts" in many


@pytest.mark.parametrize(
    "query,message",
    [
        ({"q": "  ", "service": "shelter"}, "Type a consular district, a city or a place."),
        ({"q": "Houston", "service": "teleportation"}, "Unknown service. Choose a service from the list."),
        ({"q": "Houston", "service": "shelter", "match": "most"}, "Unknown service. Choose a service from the list."),
    ],
)
def test_find_says_what_is_missing(client, query, message):
    response = client.get("/find", query_string={**query, "lang": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'role="alert" id="finder-errors"' in html
