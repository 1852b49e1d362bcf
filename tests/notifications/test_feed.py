"""The Atom feed of a district, on both backends: it parses (feedparser, well-formed, the elements RFC
4287 requires), tells the published changes of the organisations serving the district in words, with
absolute links on PUBLIC_BASE_URL (never the request's Host), an archive too, and never a hidden
location's street address or position; the district page links to it."""

from __future__ import annotations

import feedparser
import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import DistrictCoverage, Location, Organisation
from tests.conftest import login_as
from tests.notifications.conftest import PUBLIC
from tests.notifications.watch_helpers import served_entry, text
from tests.review.helpers import open_form

NEW_PHONE = "+52 962 625 9999"


@pytest.fixture
def feed_app(fresh_app):
    fresh_app.config["PUBLIC_BASE_URL"] = PUBLIC
    return fresh_app


def read_feed(client, code: str, query: str = ""):
    response = client.get(f"/districts/{code}/feed.atom{query}", headers={"Host": "localhost"})
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    raw = response.get_data(as_text=True)
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
    for entry in parsed.entries:
        assert entry.id.startswith("urn:uuid:") and entry.title and entry.updated and entry.link
    return parsed, raw


def edit(client, uuid: str, changes: dict) -> None:
    form = open_form(client, f"/organisations/{uuid}/edit") | changes
    assert client.post(f"/organisations/{uuid}/edit", data=form).status_code == 302


def test_the_feed_tells_a_phone_change_and_an_archive_with_public_links(feed_app):
    uuid, code = served_entry(feed_app)
    public = feed_app.test_client()
    page = text(public.get(f"/districts/{code}"))
    assert f'<link rel="alternate" type="application/atom+xml" href="/districts/{code}/feed.atom"' in page
    before, _raw = read_feed(public, code)
    assert not any(entry.link.endswith(uuid) for entry in before.entries)  # demo entries have no history yet

    ts = login_as(feed_app.test_client(), "ts_admin")
    edit(ts, uuid, {"phones-0-number": NEW_PHONE, "comment": "new phone"})
    with feed_app.app_context():
        name = db.session.scalar(select(Organisation.name).where(Organisation.uuid == uuid))
    feed, raw = read_feed(public, code)
    assert feed.feed.id == f"{PUBLIC}/districts/{code}/feed.atom"
    assert any(link.rel == "self" and link.href == feed.feed.id for link in feed.feed.links)
    (entry,) = [e for e in feed.entries if e.link == f"{PUBLIC}/organisations/{uuid}"]
    assert entry.title == f"{name} changed"
    assert "Phone:" in entry.content[0].value and "→" in entry.content[0].value
    assert "localhost" not in raw

    archive = open_form(ts, f"/organisations/{uuid}/archive") | {"comment": "closed"}
    assert ts.post(f"/organisations/{uuid}/archive", data=archive).status_code == 302
    feed, _raw = read_feed(public, code)
    newest = feed.entries[0]
    assert newest.title == f"{name} was archived" and newest.link == f"{PUBLIC}/districts/{code}"
    assert sum(e.title == f"{name} changed" for e in feed.entries) == 1  # the earlier change stays


def test_the_feed_never_shows_a_hidden_location_exactly(feed_app):
    uuid, code = served_entry(feed_app, hidden=True)
    ts = login_as(feed_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    changes = {"locations-0-address": "Calle Secreta 123", "locations-0-postal_code": "30799",
               "locations-0-lat": str(float(form["locations-0-lat"]) + 0.05), "phones-0-number": NEW_PHONE}  # fmt: skip
    edit(ts, uuid, changes)
    feed, raw = read_feed(feed_app.test_client(), code)
    assert any(e.link == f"{PUBLIC}/organisations/{uuid}" and "Phone:" in e.content[0].value for e in feed.entries)
    for secret in ("Calle Secreta", "30799", form["locations-0-address"], "moved on the map", form["locations-0-lat"]):
        assert secret not in raw
    with feed_app.app_context():  # nor any other hidden site's street address in this district
        district_id = db.session.scalar(select(ConsularDistrict.id).where(ConsularDistrict.code == code))
        addresses = db.session.scalars(
            select(Location.address)
            .join(Organisation, Organisation.id == Location.organisation_id)
            .join(DistrictCoverage, DistrictCoverage.organisation_id == Organisation.id)
            .where(DistrictCoverage.district_id == district_id, Organisation.hide_exact_location.is_(True))
        ).all()
    assert not [address for address in addresses if address and address in raw]


def test_the_feed_in_the_readers_language_and_unknown_districts(feed_app):
    _uuid, code = served_entry(feed_app)
    feed, raw = read_feed(feed_app.test_client(), code, "?lang=es")
    assert feed.feed.language == "es" and 'xml:lang="es"' in raw
    assert feed_app.test_client().get("/districts/XX-NOWHERE/feed.atom").status_code == 404
