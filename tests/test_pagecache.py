"""Public pages come from memory while the directory is unchanged, and never stale after an edit."""

import re

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.conftest import login_as


def _without_nonce(body: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]+"', b'nonce=""', body)


def _published(app) -> Organisation:
    with app.app_context():
        return db.session.scalars(
            select(Organisation).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id)
        ).first()


def test_a_public_page_is_served_from_memory_until_the_directory_changes(fresh_app):
    organisation = _published(fresh_app)
    client = fresh_app.test_client()
    url = f"/organisations/{organisation.uuid}"
    first = client.get(url)
    assert first.headers["X-Page-Cache"] == "miss"
    second = client.get(url)
    assert second.headers["X-Page-Cache"] == "hit"
    assert _without_nonce(second.data) == _without_nonce(first.data)
    assert second.headers["Content-Security-Policy"] != first.headers["Content-Security-Policy"]
    with fresh_app.app_context():
        db.session.get(Organisation, organisation.id).name = "Centro renamed after the first visit"
        db.session.commit()
    third = client.get(url)
    assert third.headers["X-Page-Cache"] == "miss"
    assert b"Centro renamed after the first visit" in third.data


def test_each_language_and_query_has_its_own_entry(fresh_app):
    client = fresh_app.test_client()
    assert client.get("/organisations?q=casa").headers["X-Page-Cache"] == "miss"
    assert client.get("/organisations?q=centro").headers["X-Page-Cache"] == "miss"
    assert client.get("/organisations?q=casa").headers["X-Page-Cache"] == "hit"
    french = client.get("/organisations?q=casa", headers={"Accept-Language": "fr"})
    assert french.headers["X-Page-Cache"] == "miss"


def test_signed_in_readers_and_errors_are_never_cached(fresh_app):
    organisation = _published(fresh_app)
    client = login_as(fresh_app.test_client(), "consular")
    for _ in range(2):
        response = client.get(f"/organisations/{organisation.uuid}")
        assert response.status_code == 200 and "X-Page-Cache" not in response.headers
    anonymous = fresh_app.test_client()
    for _ in range(2):
        assert "X-Page-Cache" not in anonymous.get("/organisations/00000000-0000-0000-0000-000000000000").headers
