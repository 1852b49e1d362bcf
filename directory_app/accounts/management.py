"""User management by the Technical Secretariat: list, invite, change role, country and consulate, disable,
enable.

Every function checks that the acting user is an active TS administrator (PermissionDenied otherwise),
changes the models, records an audit event and flushes; the view commits."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from directory_app import events
from directory_app.accounts.models import Role, User
from directory_app.accounts.permissions import PermissionDenied, may_publish
from directory_app.accounts.services import create_user, end_sessions
from directory_app.audit import record_event
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import Consulate, Country


def check_may_manage_users(actor: User | None) -> None:
    """Only an active TS administrator manages users."""
    if not may_publish(actor):
        raise PermissionDenied("Only the Technical Secretariat manages users.")


def list_users() -> list[User]:
    """Every account, TS first, then by country and email."""
    query = select(User).options(selectinload(User.consulate)).order_by(User.role, User.country_code, User.email)
    return list(db.session.scalars(query))


def invite_user(
    actor: User, email: str, role: str, country_code: str | None, name: str = "", consulate_id: str | None = None
) -> User:
    """Create an account with an unknown random password, marked as a pending invitation; the caller
    sends the invite link (accounts.tokens, purpose "invite") by which the person sets a password.
    A consular user may get their consulate at once (`consulate_id`; ignored for other roles)."""
    check_may_manage_users(actor)
    if role == Role.COUNTRY_CONTACT.value and not country_code:
        raise ValidationError(_("A country contact needs a member country."), field="country")
    if role != Role.COUNTRY_CONTACT.value:
        country_code = None
    consulate = own_consulate(role, consulate_id)
    user = create_user(email, secrets.token_urlsafe(24) + "aA1!", role, country_code or None, name)
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    user.invite_pending = True
    user.consulate = consulate
    detail = f"{user.email} as {_rights(user.role, user.country_code, consulate)}"
    record_event("user_invited", user=actor, detail=detail)
    db.session.flush()
    return user


def own_consulate(role: str | Role, consulate_id: str | int | None) -> Consulate | None:
    """The consulate a user of `role` gets: only a consular user has one; none when `consulate_id` is empty."""
    if role != Role.CONSULAR.value or consulate_id in (None, ""):
        return None
    try:
        consulate = db.session.get(Consulate, int(consulate_id))
    except (TypeError, ValueError):
        consulate = None
    if consulate is None:
        raise ValidationError(_("Unknown consulate. Choose a consulate from the list."), field="consulate")
    return consulate


def _rights(role: Role, country_code: str | None, consulate: Consulate | None) -> str:
    """A role as the audit log says it: "country_contact MX", "consular consulate GT-US-HOUSTON"."""
    consulate_note = f"consulate {consulate.code}" if consulate is not None else ""
    return " ".join(part for part in (Role(role).value, country_code, consulate_note) if part)


def change_role(
    actor: User, user: User, role: str, country_code: str | None, consulate_id: str | int | None = None
) -> None:
    """Set a user's role, country (a country contact needs a member country; others have none) and
    consulate (a consular user's own, optional; others have none). A change of role or country ends the
    user's sessions, so that the new rights apply at once; a new consulate only changes where they land."""
    check_may_manage_users(actor)
    try:
        new_role = Role(role)
    except ValueError:
        raise ValidationError(_("Unknown role '%(role)s'.", role=role), field="role") from None
    country_code = (country_code or "").upper() or None
    if new_role is Role.COUNTRY_CONTACT:
        if not country_code or db.session.get(Country, country_code) is None:
            raise ValidationError(_("A country contact needs a member country."), field="country")
    else:
        country_code = None
    if user.id == actor.id and new_role is not Role.TS_ADMIN:
        raise ValidationError(_("You cannot take away your own administrator role."), field="role")
    consulate = own_consulate(new_role, consulate_id)
    if (user.role, user.country_code, user.consulate) == (new_role, country_code, consulate):
        return
    detail = (
        f"{user.email}: {_rights(user.role, user.country_code, user.consulate)}"
        f" -> {_rights(new_role, country_code, consulate)}"
    )
    before = (user.role, user.country_code)
    rights_change = before != (new_role, country_code)
    user.role, user.country_code, user.consulate = new_role, country_code, consulate
    if rights_change:
        end_sessions(user)
    record_event("user_changed", user=actor, detail=detail)
    if rights_change:
        events.account_changed.send(user, actor=actor, before=before, after=(new_role, country_code))


def set_active(actor: User, user: User, active: bool) -> None:
    """Disable (every session of the user ends at once) or enable an account."""
    check_may_manage_users(actor)
    if user.id == actor.id and not active:
        raise ValidationError(_("You cannot disable your own account."), field="active")
    if user.is_active_account == active:
        return
    user.is_active_account = active
    end_sessions(user)
    record_event("user_enabled" if active else "user_disabled", user=actor, detail=user.email)
