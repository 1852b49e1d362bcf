"""The audit log: events written by sign-in, failures, refusals, user management and record_event
callers (review); the TS page filters by kind and user, pages, escapes, and refuses bad parameters."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.audit import AuditEvent, record_event
from directory_app.extensions import db
from tests.accounts.helpers import post_form
from tests.conftest import TEST_PASSWORD, TEST_USERS, login_as


def events(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.kind, AuditEvent.user_email, AuditEvent.detail).order_by(AuditEvent.id)
        )
        return [tuple(row) for row in rows]


def test_sign_in_failure_and_sign_out_are_recorded(fresh_app):
    client = fresh_app.test_client()
    post_form(client, "/login", {"email": "Nobody@Example.org", "password": TEST_PASSWORD})
    login_as(client, "consular")
    post_form(client, "/logout", {}, form_url="/login")
    email = TEST_USERS["consular"].email
    assert events(fresh_app)[-3:] == [
        ("login_failed", "", "email: nobody@example.org"),
        ("login", email, ""),
        ("logout", email, ""),
    ]


def test_permission_denial_is_recorded_with_who_and_where(fresh_app):
    client = login_as(fresh_app.test_client(), "country_contact", "GT")
    assert client.get("/admin/audit?kind=login").status_code == 403
    kind, email, detail = events(fresh_app)[-1]
    assert (kind, email, detail) == ("permission_denied", TEST_USERS["country_contact:GT"].email, "GET /admin/audit")


def test_user_management_is_recorded(fresh_app):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    with fresh_app.app_context():
        target = db.session.scalar(select(User.id).where(User.email == TEST_USERS["consular"].email))
    post_form(admin, f"/admin/users/{target}/disable", {}, form_url="/admin/users")
    post_form(admin, f"/admin/users/{target}/enable", {}, form_url="/admin/users")
    kinds = [(kind, detail) for kind, _email, detail in events(fresh_app)[-2:]]
    assert kinds == [("user_disabled", TEST_USERS["consular"].email), ("user_enabled", TEST_USERS["consular"].email)]


def test_record_event_api_for_other_features(fresh_app):
    with fresh_app.app_context():
        admin = db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))
        record_event("approval", user=admin, organisation_id=17, detail="proposal 3 approved")
        db.session.rollback()  # the event belongs to the caller's transaction
        record_event("restore", user=admin, organisation_id=17, detail="revision 2")
        db.session.commit()
        row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (row.kind, row.user_id, row.user_email, row.organisation_id) == ("restore", admin.id, admin.email, 17)
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "approval")) is None
    with fresh_app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.44"}):
        record_event("archive", detail="x" * 5000)
        db.session.commit()
        row = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (row.ip, row.user_id, len(row.detail)) == ("192.0.2.44", None, 2000)


def _add_events(app, count: int) -> None:
    with app.app_context():
        for number in range(count):
            record_event("approval", organisation_id=number, detail=f"event {number}")
        record_event("restore", detail="<script>alert(1)</script>")
        db.session.commit()


def test_page_filters_pages_and_escapes(fresh_app):
    _add_events(fresh_app, 60)
    admin = login_as(fresh_app.test_client(), "ts_admin")
    html = admin.get("/admin/audit?kind=approval").get_data(as_text=True)
    assert "60 events" in html and "page 1 of 2" in html and "event 59" in html and "event 0<" not in html
    html = admin.get("/admin/audit?kind=approval&page=2").get_data(as_text=True)
    assert "event 0<" in html and "event 59" not in html
    html = admin.get("/admin/audit?kind=restore").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    html = admin.get("/admin/audit?user=TS-ADMIN@").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", html)
    assert rows and all(email == TEST_USERS["ts_admin"].email for _kind, email in rows)
    assert admin.get("/admin/audit?user=%25").status_code == 200  # LIKE wildcards are plain characters


@pytest.mark.parametrize("query", ["page=0", "page=abc", "kind=no-such-kind", "user=" + "x" * 300])
def test_bad_parameters_are_a_400_with_the_form(client_as, query):
    response = client_as("ts_admin").get(f"/admin/audit?{query}")
    assert (
        response.status_code == 400
        and 'class="field-error"' in response.get_data(as_text=True)
        or (response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True))
    )


def test_a_page_past_the_end_shows_the_last_page(client_as):
    response = client_as("ts_admin").get("/admin/audit?page=999999")
    assert response.status_code == 200
