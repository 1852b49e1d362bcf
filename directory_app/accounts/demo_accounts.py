"""Demo accounts so that a newcomer can try every role: a TS administrator, country contacts for
Mexico and Guatemala, and a consular user of Guatemala's consulate in Houston (who lands on its district
after signing in). Passwords are generated at creation and returned once (the
CLI prints them); an account that exists already is left alone, so re-running neither reprints nor
resets anything. Never in production (APP_ENV=production)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.accounts.services import create_user
from directory_app.extensions import db
from directory_app.geography.models import Consulate, Country

DEMO_ACCOUNTS = (
    ("ts-admin@demo.cammina.example", "ts_admin", None, "Demo TS administrator"),
    ("contact-mx@demo.cammina.example", "country_contact", "MX", "Demo contact Mexico"),
    ("contact-gt@demo.cammina.example", "country_contact", "GT", "Demo contact Guatemala"),
    ("consular@demo.cammina.example", "consular", None, "Demo consular user"),
)
DEMO_CONSULATE = "GT-US-HOUSTON"  # the demo consular user's own consulate, when it is loaded


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: str
    country: str | None
    password: str


class ProductionRefused(Exception):
    """Demo accounts are never created when APP_ENV=production."""


def is_production() -> bool:
    return str(current_app.config.get("APP_ENV", "")).lower() == "production"


def ensure_demo_accounts() -> list[NewAccount]:
    """Create the missing demo accounts; returns those created, each with its new password."""
    if is_production():
        raise ProductionRefused("APP_ENV=production: no demo accounts.")
    created = []
    for email, role, country, name in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        if country and db.session.get(Country, country) is None:
            continue  # the countries are loaded by `flask setup`
        password = secrets.token_urlsafe(15)
        user = create_user(email, password, role, country, name)
        if role == "consular":
            user.consulate = db.session.scalar(select(Consulate).where(Consulate.code == DEMO_CONSULATE))
        created.append(NewAccount(email, role, country, password))
    return created
