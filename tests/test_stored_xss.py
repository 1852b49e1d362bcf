"""Stored XSS: an organisation whose every text field holds script payloads is shown everywhere
(directory, organisation page, district pages, nearest, public map, GeoJSON layers) as text only.

Payloads: an <img onerror> tag, a </script> that tries to close an inline script, a backtick and
${...} that try to leave a JavaScript template literal (folium writes tooltips into them), and a
javascript: URL as the website."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import DistrictCoverage, Organisation, Status
from tests.conftest import login_as

IMG = "<img src=x onerror=alert(1)>"
LONG = IMG + "</script><script>alert(2)</script>`${alert(3)}`"
SCRIPT_BLOCK = re.compile(r"<script[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def _poison(value_length: int | None, field: str) -> str:
    text = f"{field} {LONG}"
    return text if value_length is None or len(text) <= value_length else IMG[:value_length]


def _poison_object(obj, names) -> None:
    for name in names:
        column = obj.__table__.columns[name]
        setattr(obj, name, _poison(getattr(column.type, "length", None), name))


@pytest.fixture
def poisoned(fresh_app):
    """A published organisation with sites, services, contacts and phones, every text poisoned."""
    with fresh_app.app_context():
        organisation = db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED)
            .where(Organisation.locations.any(), Organisation.contacts.any(), Organisation.services.any())
            .where(Organisation.id.in_(select(DistrictCoverage.organisation_id)))
            .order_by(Organisation.id)
        ).first()
        _poison_object(organisation, ["name", "alternate_name", "description"])
        organisation.website = "javascript:alert(1)"
        organisation.email = "x@example.org"
        for service in organisation.services:
            _poison_object(service, ["name", "description", "eligibility", "fees", "schedule"])
        for location in organisation.locations:
            _poison_object(location, ["name", "address", "city", "region"])
        for contact in organisation.contacts:
            _poison_object(contact, ["name", "title", "department"])
        for phone in organisation.phones:
            _poison_object(phone, ["description"])
        db.session.commit()
        site = organisation.locations[0]
        districts = db.session.scalars(
            select(ConsularDistrict.code)
            .join(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
            .where(DistrictCoverage.organisation_id == organisation.id)
            .order_by(DistrictCoverage.share.desc())
            .limit(2)
        ).all()
        return {"uuid": organisation.uuid, "lon": site.public_lon, "lat": site.public_lat, "districts": districts}


def _assert_inert(body: str, where: str) -> None:
    assert IMG not in body, f"raw <img onerror> in {where}"
    assert "<script>alert(2)" not in body, f"injected <script> in {where}"
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", body, re.IGNORECASE), f"javascript: link in {where}"
    for block in SCRIPT_BLOCK.findall(body):
        assert "`${alert(3)}" not in block, f"template-literal escape inside a script of {where}"


def test_every_page_shows_entry_text_as_text(fresh_app, poisoned):
    uuid, districts = poisoned["uuid"], poisoned["districts"]
    pages = [
        "/",
        "/organisations?q=onerror",
        f"/organisations/{uuid}",
        "/map?q=onerror",
        f"/nearest?lat={poisoned['lat']}&lon={poisoned['lon']}",
        "/coverage",
        *(f"/districts/{code}" for code in districts),
    ]
    for client in (fresh_app.test_client(), login_as(fresh_app.test_client(), "consular")):
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_inert(response.get_data(as_text=True), url)
    page = fresh_app.test_client().get(f"/organisations/{uuid}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the text is there, escaped, not dropped


def test_every_layer_carries_entry_text_as_json_strings(fresh_app, poisoned):
    client = fresh_app.test_client()
    urls = [
        "/maps/organisations.geojson?q=onerror",
        "/maps/organisations.geojson",
        f"/maps/organisations/{poisoned['uuid']}/coverage.geojson",
        *(f"/maps/organisations.geojson?district={code}" for code in poisoned["districts"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype in ("application/geo+json", "application/json")
        body = response.get_data(as_text=True)
        assert "<" not in body and ">" not in body, url
    first = client.get("/maps/organisations.geojson?q=onerror").get_json()
    assert first["features"] and IMG in first["features"][0]["properties"]["name"]
