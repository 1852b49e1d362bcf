"""Who may do what, checked on the server for every route and every object.

Views call `require_role(...)` (a decorator) and the `may_*` functions below; services that change
data call `check_may_edit(user, organisation)` themselves too, so that no path (form, import, API)
skips the check. A refusal is a 403 (PermissionDenied), recorded in the audit log by the handler.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from directory_app.accounts.models import Role, User


class PermissionDenied(Exception):
    """Raised by services; the views turn it into 403."""


def require_role(*roles: Role):
    """Route decorator: the signed-in user must hold one of `roles` (401 → login page when not signed in)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from directory_app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def may_edit(user: User | None, organisation) -> bool:
    """The TS edits every organisation; a country contact only those of their own country."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.TS_ADMIN:
        return True
    return user.role == Role.COUNTRY_CONTACT and user.country_code == organisation.country_code


def may_create_in(user: User | None, country_code: str) -> bool:
    """The TS creates organisations of any member country; a contact only of their own."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role == Role.TS_ADMIN or (user.role == Role.COUNTRY_CONTACT and user.country_code == country_code)


def may_publish(user: User | None) -> bool:
    """Only the Technical Secretariat reviews and publishes."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.role == Role.TS_ADMIN)


def check_may_edit(user: User | None, organisation) -> None:
    if not may_edit(user, organisation):
        raise PermissionDenied("You may not change this organisation.")


def check_may_publish(user: User | None) -> None:
    if not may_publish(user):
        raise PermissionDenied("Only the Technical Secretariat publishes changes.")
