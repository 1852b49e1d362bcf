"""`flask demo` creates one demo account per role with passwords generated then and printed once;
running it again reprints and resets nothing; never with APP_ENV=production."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from directory_app.accounts.demo_accounts import DEMO_ACCOUNTS
from directory_app.accounts.models import User
from directory_app.extensions import db
from tests.accounts.helpers import post_form
from tests.conftest import TEST_USERS

LINE = re.compile(r"^\s+(\S+@demo\.cammina\.example)\s+(\S+)(?: ([A-Z]{2}))?\s+(\S+)$", re.M)


def run_demo(app):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["demo", "--count", "150"])


def test_demo_accounts_printed_once_and_usable(fresh_app):
    result = run_demo(fresh_app)
    assert result.exit_code == 0, result.output
    printed = {email: password for email, _role, _country, password in LINE.findall(result.output)}
    assert set(printed) == {email for email, *_ in DEMO_ACCOUNTS}
    assert len(set(printed.values())) == 4 and all(len(p) >= 12 for p in printed.values())
    again = run_demo(fresh_app)
    assert again.exit_code == 0 and not LINE.findall(again.output) and "exist already" in again.output
    starts = {"ts-admin": "/review", "contact-mx": "/my-entries", "contact-gt": "/my-entries"}
    starts["consular"] = "/districts/GT-US-HOUSTON"  # the demo consular user's own consulate
    for email, password in printed.items():
        client = fresh_app.test_client()
        response = post_form(client, "/login", {"email": email, "password": password})
        assert response.status_code == 302 and response.headers["Location"] == starts[email.split("@")[0]]
    with fresh_app.app_context():
        roles = dict(db.session.execute(select(User.email, User.country_code).where(User.email.like("%@demo.%"))).all())
        assert roles["contact-mx@demo.cammina.example"] == "MX" and roles["contact-gt@demo.cammina.example"] == "GT"


def test_passwords_differ_between_set_ups(fresh_app, world_url):
    first = LINE.findall(run_demo(fresh_app).output)
    with fresh_app.app_context():
        db.session.execute(User.__table__.delete().where(User.email.like("%@demo.cammina.example")))
        db.session.commit()
    second = LINE.findall(run_demo(fresh_app).output)
    assert {p for *_, p in first}.isdisjoint({p for *_, p in second})


def test_no_demo_accounts_in_production(fresh_app):
    fresh_app.config["APP_ENV"] = "production"
    result = run_demo(fresh_app)
    assert result.exit_code == 0 and "APP_ENV=production: no demo accounts." in result.output
    assert not LINE.findall(result.output)
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(TEST_USERS)


def test_no_accounts_flag(fresh_app):
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["demo", "--count", "150", "--no-accounts"])
        assert result.exit_code == 0 and not LINE.findall(result.output)
        assert db.session.scalar(select(func.count()).select_from(User)) == len(TEST_USERS)
