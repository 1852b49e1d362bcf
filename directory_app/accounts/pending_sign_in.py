"""The half-way state of a two-step sign-in: the password was right, the code is still to come.

The user is NOT signed in meanwhile (Flask-Login knows nothing of them). The session holds only a
marker signed with the app's key (itsdangerous, its own salt) naming the user, their session
version and where to go next; it is refused after PENDING_SECONDS, after any change of the session
version (a password change, sign-out everywhere, disabling) and for a user without two-step sign-in.
"""

from __future__ import annotations

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from directory_app.accounts.models import User
from directory_app.extensions import db

PENDING_KEY = "sign_in_pending"
PENDING_SECONDS = 300


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="cammina-two-step-sign-in")


def mark_pending(user: User, next_path: str | None) -> None:
    """Remember, in a session the caller has just emptied, that `user` passed the password step."""
    session[PENDING_KEY] = _serializer().dumps({"u": user.id, "v": user.session_version, "n": next_path or ""})


def pending_user() -> tuple[User, str | None] | None:
    """(user, next path) of a pending sign-in still valid, else None."""
    token = session.get(PENDING_KEY)
    if not isinstance(token, str):
        return None
    try:
        data = _serializer().loads(token, max_age=PENDING_SECONDS)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.is_active_account or user.session_version != data.get("v"):
        return None
    if not (user.totp_enabled and user.totp_secret):
        return None
    return user, data.get("n") or None


def forget_pending() -> None:
    session.pop(PENDING_KEY, None)
