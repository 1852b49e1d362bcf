"""Public pages come from memory while the directory is unchanged, and never stale after an edit."""

import os
import re
import socket
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.pool import NullPool

from directory_app.extensions import db
from directory_app.main import pagecache
from directory_app.organisations.models import Organisation, Status
from tests.conftest import login_as, make_app, redis_reachable


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


def _rename_behind_the_app(app, organisation_id: int, name: str) -> None:
    """A write by another worker or host: straight to the database, not through this process's sessions."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE organisation SET name = :name, updated_at = :now WHERE id = :id"),
            {"name": name, "now": datetime.now(UTC), "id": organisation_id},
        )
    engine.dispose()


def test_an_edit_by_another_process_shows_once_the_version_is_read_again(fresh_app, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(pagecache, "_now", lambda: clock[0])
    monkeypatch.setattr(pagecache, "_committed_at", 0.0)  # no commit yet on this clock
    organisation = _published(fresh_app)
    client = fresh_app.test_client()
    listing = f"/organisations?q={quote(organisation.name)}"  # the search text still holds the old name
    page = f"/organisations/{organisation.uuid}"
    assert client.get(listing).headers["X-Page-Cache"] == "miss"
    assert client.get(page).headers["X-Page-Cache"] == "miss"
    _rename_behind_the_app(fresh_app, organisation.id, "Renamed by another worker")
    # The organisation's own page reads its version on every request: fresh at once.
    fresh_page = client.get(page)
    assert fresh_page.headers["X-Page-Cache"] == "miss" and b"Renamed by another worker" in fresh_page.data
    clock[0] += 0.5  # within PAGE_CACHE_VERSION_TTL (1 s): the directory version is not read again yet
    assert client.get(listing).headers["X-Page-Cache"] == "hit"
    clock[0] += 1.0
    fresh = client.get(listing)
    assert fresh.headers["X-Page-Cache"] == "miss" and b"Renamed by another worker" in fresh.data


@pytest.mark.skipif(
    not redis_reachable() and os.environ.get("CI") != "true", reason="no Redis server at 127.0.0.1:6379"
)
def test_workers_share_pages_through_redis(fresh_app):
    """Two apps (two workers or hosts) with the same PAGE_CACHE_URL: what one rendered, the other serves."""
    settings = {"PAGE_CACHE_URL": "redis://127.0.0.1:6379/1", "PAGE_CACHE_PREFIX": f"test-{uuid.uuid4().hex}:"}
    url = fresh_app.config["SQLALCHEMY_DATABASE_URI"]
    first, second = make_app(url, **settings), make_app(url, **settings)
    organisation = _published(first)
    page = f"/organisations/{organisation.uuid}"
    rendered = first.test_client().get(page)
    served = second.test_client().get(page)
    assert rendered.headers["X-Page-Cache"] == "miss" and served.headers["X-Page-Cache"] == "hit"
    assert _without_nonce(served.data) == _without_nonce(rendered.data)
    assert served.headers["Content-Type"] == rendered.headers["Content-Type"]
    assert 'nonce=""' not in served.data.decode()  # the reader's own nonce went into the slot


def test_an_unreachable_redis_renders_the_page(fresh_app, caplog):
    closed_port = _closed_port()
    app = make_app(
        fresh_app.config["SQLALCHEMY_DATABASE_URI"],
        PAGE_CACHE_URL=f"redis://127.0.0.1:{closed_port}/0",
        PAGE_CACHE_SIZE=0,  # Redis only: no memory tier in front to answer the second request
    )
    organisation = _published(app)
    for _ in range(2):
        response = app.test_client().get(f"/organisations/{organisation.uuid}")
        assert response.status_code == 200 and organisation.name.encode() in response.data
        assert response.headers["X-Page-Cache"] == "miss"
    assert "Redis unreachable" in caplog.text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_page_cache_url_that_is_not_redis_refuses_to_start():
    from directory_app.config import ConfigurationError, Settings

    with pytest.raises(ConfigurationError, match="PAGE_CACHE_URL"):
        Settings.from_env({"SECRET_KEY": "x", "PAGE_CACHE_URL": "memcached://127.0.0.1"})
    assert Settings.from_env({"SECRET_KEY": "x"}).as_flask_config()["PAGE_CACHE_URL"] == ""


def test_memory_keeps_the_most_recent_pages_within_its_page_and_byte_limits():
    store = pagecache.MemoryStore(size=3, max_bytes=250)
    for key in "abc":
        store.put(key, (b"x" * 100, 200, []))  # 300 bytes: over the byte limit, "a" goes
    assert store.get("a") is None and store.get("b") and store.get("c")
    store.get("b")  # most recently used
    store.put("d", (b"y" * 100, 200, []))
    assert store.get("c") is None and store.get("b") and store.get("d")
    assert store.bytes == 200
    store.put("d", (b"z" * 10, 200, []))  # replacing a page counts its new size only
    assert store.bytes == 110


def test_a_page_from_the_shared_store_is_kept_in_memory_too():
    class Shared(dict):
        reads = 0

        def get(self, key):
            Shared.reads += 1
            return dict.get(self, key)

        def put(self, key, entry):
            self[key] = entry

    shared = Shared(page=(b"<html>", 200, []))
    tiered = pagecache.TieredStore(pagecache.MemoryStore(10), shared)
    assert tiered.get("page") == (b"<html>", 200, []) and Shared.reads == 1
    assert tiered.get("page") == (b"<html>", 200, []) and Shared.reads == 1  # from memory
    assert tiered.get("missing") is None and Shared.reads == 2
    tiered.put("new", (b"<p>", 200, []))
    assert shared["new"] == (b"<p>", 200, []) and tiered.near.get("new") == (b"<p>", 200, [])


def test_editing_one_organisation_keeps_the_other_organisation_pages_cached(fresh_app):
    with fresh_app.app_context():
        first, second = db.session.scalars(
            select(Organisation).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id).limit(2)
        ).all()
        first_id, first_url, second_url = first.id, f"/organisations/{first.uuid}", f"/organisations/{second.uuid}"
    client = fresh_app.test_client()
    other_spelling = first_url.upper().replace("/ORGANISATIONS/", "/organisations/")
    for url in (first_url, second_url, other_spelling, "/organisations"):
        assert client.get(url).headers["X-Page-Cache"] == "miss"
    with fresh_app.app_context():
        db.session.get(Organisation, first_id).name = "Casa renamed, only this page changes"
        db.session.commit()
    assert client.get(second_url).headers["X-Page-Cache"] == "hit"
    for url in (first_url, other_spelling):
        fresh = client.get(url)
        assert fresh.headers["X-Page-Cache"] == "miss" and b"Casa renamed, only this page changes" in fresh.data
    assert client.get("/organisations").headers["X-Page-Cache"] == "miss"  # lists depend on every entry


def test_additional_information_and_its_labels_reach_cached_pages(fresh_app):
    from directory_app.accounts.models import Role, User
    from directory_app.extra_fields.models import ExtraField
    from directory_app.extra_fields.services import define_field, update_field
    from directory_app.organisations.services import set_extra_values

    with fresh_app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.TS_ADMIN))
        define_field(admin, {"code": "agreement", "field_type": "text", "label_es": "Convenio",
                             "label_en": "Agreement with the consulate", "label_fr": "Accord"})  # fmt: skip
        db.session.commit()
        organisation = db.session.scalars(select(Organisation).where(Organisation.status == Status.PUBLISHED)).first()
        org_id, url = organisation.id, f"/organisations/{organisation.uuid}"
    client = fresh_app.test_client()
    assert client.get(url).headers["X-Page-Cache"] == "miss"
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    with fresh_app.app_context():
        assert set_extra_values(db.session.get(Organisation, org_id), {"agreement": "Signed in 2025"}) == []
        db.session.commit()
    page = client.get(url)
    assert page.headers["X-Page-Cache"] == "miss" and b"Signed in 2025" in page.data
    with fresh_app.app_context():
        field = db.session.scalar(select(ExtraField).where(ExtraField.code == "agreement"))
        update_field(admin_of(fresh_app), field, {"label_es": "Convenio", "label_en": "Written agreement",
                                                  "label_fr": "Accord", "choices_text": ""})  # fmt: skip
        db.session.commit()
    page = client.get(url)
    assert page.headers["X-Page-Cache"] == "miss" and b"Written agreement" in page.data


def admin_of(app):
    from directory_app.accounts.models import Role, User

    return db.session.scalar(select(User).where(User.role == Role.TS_ADMIN))


def test_a_district_page_is_rendered_again_only_when_an_organisation_serving_it_changes(fresh_app):
    from directory_app.geography.models import ConsularDistrict
    from directory_app.organisations.models import DistrictCoverage

    with fresh_app.app_context():
        district = db.session.scalars(
            select(ConsularDistrict)
            .join(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
            .where(DistrictCoverage.status == Status.PUBLISHED)
            .order_by(ConsularDistrict.code)
        ).first()
        serving = set(db.session.scalars(select(DistrictCoverage.organisation_id).where(
            DistrictCoverage.district_id == district.id)))  # fmt: skip
        inside = db.session.scalars(
            select(Organisation).where(Organisation.id.in_(serving), Organisation.status == Status.PUBLISHED)
        ).first()
        outside = db.session.scalars(select(Organisation).where(Organisation.id.not_in(serving))).first()
        url, inside_id, outside_id = f"/districts/{district.code}", inside.id, outside.id
    client = fresh_app.test_client()
    assert client.get(url).headers["X-Page-Cache"] == "miss"
    with fresh_app.app_context():
        db.session.get(Organisation, outside_id).name = "Elsewhere, renamed"
        db.session.commit()
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    with fresh_app.app_context():
        db.session.get(Organisation, inside_id).name = "Serving this district, renamed"
        db.session.commit()
    page = client.get(url)
    assert page.headers["X-Page-Cache"] == "miss" and b"Serving this district, renamed" in page.data


@pytest.mark.usefixtures("ctx")
def test_a_district_version_is_the_same_whichever_way_it_is_read(monkeypatch):
    """Large districts find their newest change by walking organisations newest first, small ones by
    reading their own rows: both give, for every district, its count and newest change."""
    from directory_app.geography.models import ConsularDistrict
    from directory_app.organisations.models import DistrictCoverage

    rows = db.session.execute(
        select(
            ConsularDistrict.code, sa.func.count(DistrictCoverage.organisation_id), sa.func.max(Organisation.updated_at)
        )
        .outerjoin(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
        .outerjoin(Organisation, Organisation.id == DistrictCoverage.organisation_id)
        .group_by(ConsularDistrict.code)
    ).all()
    expected = {code: f"{count}@{newest}" for code, count, newest in rows}
    assert sum(1 for code, count, _ in rows if count) > 20
    for threshold in (1, 10**9):  # every district walked, then none
        monkeypatch.setattr(pagecache, "NEWEST_FIRST_FROM", threshold)
        assert {code: pagecache.district_version(code) for code in expected} == expected
    assert pagecache.district_version("XX-NO-SUCH-DISTRICT") == "0@None"


def test_public_pages_are_compressed_for_browsers_that_accept_it_and_no_page_with_a_secret_is(fresh_app):
    """Cached public pages go out gzip-compressed (a phone on slow data reads the district page in a tenth
    of the bytes); a page of a signed-in reader, or one carrying a CSRF token, never is (BREACH)."""
    import gzip

    gz = {"Accept-Encoding": "gzip, deflate, br"}
    client = fresh_app.test_client()
    for expected in ("miss", "hit"):
        response = client.get("/districts/GT-US-HOUSTON", headers=gz)
        assert response.headers["X-Page-Cache"] == expected
        assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
        page = gzip.decompress(response.data)
        assert _without_nonce(page) == _without_nonce(client.get("/districts/GT-US-HOUSTON").data)
        assert b"csrf_token" not in page
    plain = client.get("/districts/GT-US-HOUSTON")
    assert "Content-Encoding" not in plain.headers and b"<h1>" in plain.data  # a client without gzip

    login_page = client.get("/login", headers=gz)
    assert b"csrf_token" in login_page.data and "Content-Encoding" not in login_page.headers
    signed_in = login_as(fresh_app.test_client(), "ts_admin")
    own = signed_in.get("/districts/GT-US-HOUSTON", headers=gz)
    assert own.status_code == 200 and "Content-Encoding" not in own.headers and b"csrf_token" in own.data
