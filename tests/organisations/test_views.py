"""The directory and organisation pages as a reader gets them, on the demo world of each backend."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from flask_login.utils import _create_identifier
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from directory_app.accounts.services import create_user
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import DistrictCoverage, Organisation, Service, Status
from directory_app.organisations.services import create_organisation

HIDDEN_LON, HIDDEN_LAT = -92.26417, 14.90853  # a street in Tapachula
RESULT_LINK = re.compile(r'<h2><a href="/organisations/([0-9a-f-]{36})">')


def text_of(response) -> str:
    return response.get_data(as_text=True)


def result_ids(html: str) -> list[str]:
    return RESULT_LINK.findall(html)


def first_published(app, **where) -> Organisation:
    with app.app_context():
        org = db.session.scalar(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED, *[getattr(Organisation, k) == v for k, v in where.items()])
            .options(selectinload(Organisation.services).selectinload(Service.languages))
            .order_by(Organisation.id)
            .limit(1)
        )
        db.session.expunge_all()
        return org


def add_organisation(app, **overrides) -> str:
    data = {
        "name": "Casa Refugio Prueba",
        "kind": "shelter",
        "country_code": "MX",
        "status": "published",
        "hide_exact_location": True,
        "last_verified": date.today().isoformat(),
        "locations": [
            {
                "name": "Casa principal",
                "address": "Calle Secreta 1234",
                "postal_code": "30799",
                "city": "Tapachula",
                "region": "Chiapas",
                "lon": HIDDEN_LON,
                "lat": HIDDEN_LAT,
            }
        ],
        "services": [{"category": "shelter", "languages": ["es", "mam"], "populations": ["women"]}],
        "coverage": [{"kind": "radius", "location": 0, "radius_km": 30}],
    }
    data.update(overrides)
    with app.app_context():
        org = create_organisation(data)
        db.session.commit()
        return org.uuid


def sign_in(app, role: str, country: str | None = None):
    client = app.test_client()
    with app.app_context():
        user = create_user(
            f"{role}-{uuid4().hex[:8]}@example.org", "a long test passphrase 42", role, country, name=role
        )
        db.session.commit()
        token = user.get_id()
    with client:  # keep the request context: the identifier Flask-Login's strong protection checks
        client.get("/")
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
        session["_id"] = identifier
    return client


def test_directory_lists_published_organisations_with_a_count(client, app):
    page = client.get("/organisations?lang=en")
    html = text_of(page)
    assert page.status_code == 200
    with app.app_context():
        total = db.session.scalar(select(func.count()).where(Organisation.status == Status.PUBLISHED))
    assert f"{total} organisations found" in html
    assert len(result_ids(html)) == 25
    assert 'href="/organisations?page=2"' in html
    assert '<a href="/organisations">Directory</a>' in html  # the nav link


def test_search_words_and_accents_on_the_page(client, app):
    html = text_of(client.get("/organisations?q=ASESORIA+juridica&lang=en"))
    assert "Legal assistance" in html
    with app.app_context():
        legal = db.session.scalars(
            select(Organisation.uuid).where(
                Organisation.status == Status.PUBLISHED,
                Organisation.services.any(Service.category_code == "legal_assistance"),
            )
        ).all()
    count = int(re.search(r"(\d+) organisations? found", html).group(1))
    assert count >= len(legal) > 0


def test_unpublished_organisations_are_not_listed_nor_shown(client, app):
    with app.app_context():
        draft = db.session.scalar(select(Organisation).where(Organisation.status != Status.PUBLISHED).limit(1))
        name, uuid = draft.name, draft.uuid
    html = text_of(client.get("/organisations", query_string={"q": name, "lang": "en"}))
    assert "0 organisations found" in html
    assert client.get(f"/organisations/{uuid}").status_code == 404


def test_the_filter_state_is_a_shareable_url(client, app):
    with app.app_context():
        district = db.session.scalar(
            select(DistrictCoverage.district_id)
            .where(DistrictCoverage.status == Status.PUBLISHED)
            .group_by(DistrictCoverage.district_id)
            .order_by(func.count().desc(), DistrictCoverage.district_id)
            .limit(1)
        )
        code = db.session.get(ConsularDistrict, district).code
    args = {"district": code, "sort": "country", "lang": "en"}
    first = text_of(client.get("/organisations", query_string=args))
    assert f'value="{code}"' in first
    assert "Organisations serving the consular district of" in first
    assert '<option value="country" selected>' in first
    count = int(re.search(r"(\d+) organisations? found", first).group(1))
    shown = result_ids(first)
    if count > 25:
        next_href = unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
        params = parse_qs(urlsplit(next_href).query)
        assert params == {"district": [code], "sort": ["country"], "page": ["2"]}
        second = text_of(client.get(next_href))
        assert not set(result_ids(second)) & set(shown)
        assert 'rel="prev"' in second
    else:
        assert len(shown) == count > 0


@pytest.mark.parametrize(
    "query",
    [
        "service=nonsense",
        "population=%3Cscript%3E",
        "language=zz",
        "country=XX",
        "match=both",
        "network=NOPE",
        "sort=random",
        "page=abc",
        "page=0",
        "page=99999999999999999999",
        "q=" + "x" * 300,
    ],
)
def test_bad_parameters_are_explained_not_crashed(client, query):
    page = client.get(f"/organisations?{query}&lang=en")
    assert page.status_code == 400
    alert = text_of(page).split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "Some search parameters are not valid" in alert
    assert "<script>" not in alert


@pytest.mark.parametrize("query", ["q=casa%00", "district=%00", "network=a%0Ab"])
def test_control_characters_are_refused_before_the_search(client, query):
    """request_params refuses them on every route, before any view: a 400 page that names the parameter."""
    page = client.get(f"/organisations?{query}&lang=en")
    name = query.split("=", 1)[0]
    assert page.status_code == 400
    assert f"The parameter &#39;{name}&#39; contains characters that are not allowed." in text_of(page)


def test_a_page_beyond_the_last_is_a_404_with_a_message(client):
    page = client.get("/organisations?page=999&lang=en")
    assert page.status_code == 404
    assert "Page 999 does not exist" in text_of(page)


def test_an_empty_result_says_so(client):
    page = client.get("/organisations?q=zzzyyyxxx&lang=en")
    assert page.status_code == 200
    assert "No published organisation matches this search." in text_of(page)


def test_organisation_page_shows_what_a_referral_needs(client, app):
    org = first_published(app, hide_exact_location=False)
    html = text_of(client.get(f"/organisations/{org.uuid}?lang=en"))
    assert org.name in unescape(html)
    assert org.description in unescape(html)
    assert f'href="{org.website}"' in html
    assert f'href="mailto:{org.email}"' in html
    assert 'href="tel:+' in html
    assert 'href="tel:+12025550199"' in html  # the contact person's own line (demo data)
    service = org.services[0]
    for value in (service.eligibility, service.fees, service.schedule):
        assert value in unescape(html)
    assert "Spanish" in html  # language display names from the ISO code
    assert "Consular districts served" in html
    assert re.search(r'href="/districts/[A-Z0-9-]+">', html)
    assert re.search(r"\d+\.\d %</td>", html)


def test_organisation_page_in_spanish_names_languages_in_spanish(client, app):
    org = first_published(app)
    html = text_of(client.get(f"/organisations/{org.uuid}?lang=es"))
    assert "español" in html


@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000", "%3Cscript%3E"])
def test_unknown_organisations_are_404(client, bad):
    assert client.get(f"/organisations/{bad}").status_code == 404


def test_hidden_location_is_never_in_the_public_page(fresh_app):
    uuid = add_organisation(fresh_app)
    public = text_of(fresh_app.test_client().get(f"/organisations/{uuid}?lang=en"))
    assert "Casa Refugio Prueba" in public and "Tapachula" in public and "Chiapas" in public
    assert "Calle Secreta" not in public and "30799" not in public
    for value in (HIDDEN_LON, HIDDEN_LAT):
        for digits in (3, 4, 5):
            assert f"{value:.{digits}f}" not in public
    assert "approximate" in public

    consular = text_of(sign_in(fresh_app, "consular").get(f"/organisations/{uuid}?lang=en"))
    assert "Calle Secreta 1234" in consular and "30799" in consular
    assert f"{HIDDEN_LAT:.5f}, {HIDDEN_LON:.5f}" in consular


def test_hidden_location_is_not_in_the_directory_either(fresh_app):
    add_organisation(fresh_app)
    client = fresh_app.test_client()
    html = text_of(client.get("/organisations?q=refugio+prueba&lang=en"))
    assert "1 organisation found" in html and "Tapachula" in html
    assert "Calle Secreta" not in html and f"{HIDDEN_LAT:.3f}" not in html
    # a street address is not searchable: a search cannot confirm where a hidden site is
    assert "0 organisations found" in text_of(client.get("/organisations?q=calle+secreta&lang=en"))


def test_only_the_ts_sees_unpublished_entries(fresh_app):
    uuid = add_organisation(fresh_app, status="draft")
    assert fresh_app.test_client().get(f"/organisations/{uuid}").status_code == 404
    assert sign_in(fresh_app, "consular").get(f"/organisations/{uuid}").status_code == 404
    page = sign_in(fresh_app, "ts_admin").get(f"/organisations/{uuid}?lang=en")
    assert page.status_code == 200 and "This entry is not published" in text_of(page)


@pytest.mark.parametrize(
    "verified, warned",
    [
        (date.today() - timedelta(days=30), False),
        (date.today() - timedelta(days=400), True),
        (None, True),
    ],
)
def test_stale_entries_carry_a_warning(fresh_app, verified, warned):
    uuid = add_organisation(fresh_app, last_verified=verified)
    html = text_of(fresh_app.test_client().get(f"/organisations/{uuid}?lang=en"))
    assert ("Check before referring" in html) is warned


def test_a_javascript_website_is_not_a_link(fresh_app):
    uuid = add_organisation(fresh_app, website="https://ok.example.org")
    with fresh_app.app_context():
        db.session.execute(update(Organisation).where(Organisation.uuid == uuid).values(website="javascript:alert(1)"))
        db.session.commit()
    html = text_of(fresh_app.test_client().get(f"/organisations/{uuid}?lang=en"))
    assert "javascript:" not in html.lower()
    assert "Website" not in html


def test_entered_text_is_escaped_on_both_pages(fresh_app):
    payload = '<img src=x onerror=alert(1)></script>`"'
    uuid = add_organisation(
        fresh_app,
        name=f"Casa {payload}",
        alternate_name=payload,
        description=payload,
        services=[{"category": "food", "name": payload, "eligibility": payload, "fees": payload, "schedule": payload}],
        contacts=[{"name": payload, "title": payload}],
    )
    for path in (f"/organisations/{uuid}", "/organisations?q=casa+img"):
        html = text_of(fresh_app.test_client().get(path))
        assert "<img src=x" not in html and "</script>`" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
