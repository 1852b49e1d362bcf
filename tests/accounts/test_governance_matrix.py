"""Authorisation matrix of the accounts and governance routes: every route x every role (country
contacts of their own country and of another), with the expected status; forged posts by other roles
change nothing; every POST without a valid CSRF token is a 400 and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory_app.accounts.models import User
from directory_app.audit import AuditEvent
from directory_app.extensions import db
from directory_app.extra_fields.models import ExtraField
from directory_app.registry.models import ContactPerson
from tests.accounts.helpers import post_form
from tests.conftest import TEST_USERS, csrf_token_of, login_as

ROLES = [("public", None), ("consular", None), ("country_contact", "MX"), ("country_contact", "GT"), ("ts_admin", None)]
TS_ONLY = {"public": 302, "consular": 403, "country_contact": 403, "ts_admin": 200}
EVERYONE = {"public": 200, "consular": 200, "country_contact": 200, "ts_admin": 200}
SIGNED_IN = {"public": 302, "consular": 200, "country_contact": 200, "ts_admin": 200}

GET_ROUTES = {
    "/contact-points": EVERYONE,
    "/password/forgot": EVERYONE,
    "/account/password": SIGNED_IN,
    "/password/reset/bad-token": {role: 400 for role in TS_ONLY},
    "/invite/bad-token": {role: 400 for role in TS_ONLY},
    "/admin/users": TS_ONLY,
    "/admin/users/invite": TS_ONLY,
    "/admin/users/{user_id}": TS_ONLY,
    "/admin/audit": TS_ONLY,
    "/admin/registry": TS_ONLY,
    "/admin/registry/new": TS_ONLY,
    "/admin/extra-fields": TS_ONLY,
    "/admin/extra-fields/new": TS_ONLY,
}


@pytest.mark.parametrize("role,country", ROLES)
def test_get_routes(app, role, country):
    client = login_as(app.test_client(), role, country)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == TEST_USERS["consular"].email))
    for route, expected in GET_ROUTES.items():
        response = client.get(route.format(user_id=user_id))
        assert response.status_code == expected[role], (route, role, country)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login?next=")


def _world_objects(app) -> dict:
    """A contact person and an extra field to act on, and the id of the Guatemalan contact's account."""
    with app.app_context():
        person = ContactPerson(country_code="MX", name="Ana", role_title="Enlace", listed_publicly=True)
        field = ExtraField(code="phone_referrals", label_es="a", label_en="b", label_fr="c", field_type="yesno")
        db.session.add_all([person, field])
        db.session.commit()
        victim = db.session.scalar(select(User.id).where(User.email == TEST_USERS["country_contact:GT"].email))
        return {"person": person.id, "field": field.id, "victim": victim}


def _posts(ids: dict) -> list[tuple[str, dict]]:
    field = {"label_es": "x", "label_en": "y", "label_fr": "z", "active": "y"}
    return [
        (f"/admin/users/{ids['victim']}/disable", {}),
        (f"/admin/users/{ids['victim']}/enable", {}),
        (f"/admin/users/{ids['victim']}/resend-invite", {}),
        (f"/admin/users/{ids['victim']}", {"role": "ts_admin", "country": ""}),
        ("/admin/users/invite", {"email": "evil@example.org", "role": "ts_admin", "country": ""}),
        ("/admin/registry/new", {"country_code": "GT", "name": "Mallory", "listed_publicly": "y"}),
        (f"/admin/registry/{ids['person']}", {"country_code": "GT", "name": "Mallory"}),
        (f"/admin/registry/{ids['person']}/delete", {}),
        ("/admin/extra-fields/new", {**field, "code": "evil_field", "field_type": "text"}),
        (f"/admin/extra-fields/{ids['field']}", field),
    ]


def _state(app) -> tuple:
    with app.app_context():
        users = db.session.execute(
            select(User.email, User.role, User.country_code, User.is_active_account).order_by(User.id)
        ).all()
        persons = db.session.execute(select(ContactPerson.name, ContactPerson.country_code)).all()
        fields = db.session.execute(select(ExtraField.code, ExtraField.label_en, ExtraField.active)).all()
        return tuple(users), tuple(persons), tuple(fields)


def _denials(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.kind == "permission_denied"))


@pytest.mark.parametrize("role,country", ROLES[:4])
def test_posts_by_other_roles_are_refused_and_change_nothing(fresh_app, role, country):
    ids = _world_objects(fresh_app)
    before, denied_before = _state(fresh_app), _denials(fresh_app)
    client = login_as(fresh_app.test_client(), role, country)
    token = csrf_token_of(client.get("/password/forgot").get_data(as_text=True))
    expected = 302 if role == "public" else 403
    for route, data in _posts(ids):
        response = client.post(route, data={**data, "csrf_token": token})
        assert response.status_code == expected, (route, role)
    for route in (
        f"/admin/users/{ids['victim']}",
        f"/admin/registry/{ids['person']}",
        f"/admin/extra-fields/{ids['field']}",
    ):
        assert client.get(route).status_code == expected, (route, role)
    assert _state(fresh_app) == before
    if role != "public":
        assert _denials(fresh_app) == denied_before + len(_posts(ids)) + 3


def test_posts_without_a_valid_csrf_token_are_400_and_change_nothing(fresh_app):
    ids = _world_objects(fresh_app)
    before = _state(fresh_app)
    admin = login_as(fresh_app.test_client(), "ts_admin")
    other = login_as(fresh_app.test_client(), "ts_admin")
    foreign_token = csrf_token_of(other.get("/password/forgot").get_data(as_text=True))
    for route, data in _posts(ids):
        assert admin.post(route, data=data).status_code == 400, route
        assert admin.post(route, data={**data, "csrf_token": "forged"}).status_code == 400, route
        assert admin.post(route, data={**data, "csrf_token": foreign_token}).status_code == 400, route
    assert _state(fresh_app) == before


def test_password_forms_without_csrf_token_are_400(fresh_app):
    client = login_as(fresh_app.test_client(), "consular")
    fields = {"current_password": "x" * 12, "new_password": "y" * 12, "confirm": "y" * 12}
    assert client.post("/account/password", data=fields).status_code == 400
    assert fresh_app.test_client().post("/password/forgot", data={"email": "a@example.org"}).status_code == 400


def test_ts_admin_posts_succeed(fresh_app):
    ids = _world_objects(fresh_app)
    admin = login_as(fresh_app.test_client(), "ts_admin")
    expected = {"resend-invite": 409}  # the Guatemalan contact has a password already: nothing to resend
    for route, data in _posts(ids):
        response = post_form(admin, route, data, form_url="/admin/users")
        assert response.status_code == expected.get(route.rsplit("/", 1)[-1], 302), route
