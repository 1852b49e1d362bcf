"""Where each role starts: the page a person lands on after signing in.

- the Technical Secretariat: its review queue (which links to the freshness dashboard);
- a country contact: "my entries", their country's organisations with their status and pending proposals;
- a consular user with a consulate of their own (set by the TS): its district page (the first by code for
  a joint consulate with one district per sending country; the nearest partners of the consulate when it
  has no district, as an announced office); without one, the home page and its "find partners" form.

`my_consulate_url()` is also the header's "My consulate" link (a template global).
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from directory_app.accounts.models import Role, User
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict


def own_district(user: User) -> ConsularDistrict | None:
    """The district of a consular user's own consulate (None without consulate or district)."""
    if user.role != Role.CONSULAR or user.consulate_id is None:
        return None
    query = select(ConsularDistrict).where(ConsularDistrict.consulate_id == user.consulate_id)
    return db.session.scalars(query.order_by(ConsularDistrict.code).limit(1)).first()


def consulate_url(user: User) -> str | None:
    """A consular user's consulate: its district page, or the nearest partners of the consulate when it
    has no district; None for other roles and for a consular user without consulate."""
    if user.role != Role.CONSULAR or user.consulate is None:
        return None
    district = own_district(user)
    if district is not None:
        return url_for("referrals.district_page", code=district.code)
    return url_for("referrals.nearest", consulate=user.consulate.code)


def start_page(user: User) -> str:
    """The page `user` lands on after signing in (when no page asked for them to sign in)."""
    if user.role == Role.TS_ADMIN:
        return url_for("review.queue")
    if user.role == Role.COUNTRY_CONTACT:
        return url_for("review.dashboard")
    return consulate_url(user) or url_for("main.home")


def my_consulate_url() -> str | None:
    """The signed-in consular user's consulate page, for the header (None for everyone else)."""
    if not current_user.is_authenticated:
        return None
    return consulate_url(current_user._get_current_object())
