"""Signed, expiring, single-use links for password reset and invitations.

The token carries the user id and a fingerprint of the user's current password hash, signed with
SECRET_KEY (itsdangerous). Setting a password changes the hash, so a link works once, and a link sent
before any password change (by reset, invite or the user) is refused afterwards."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db

RESET_MAX_AGE = 60 * 60  # one hour
INVITE_MAX_AGE = 7 * 24 * 60 * 60  # a week
_SALTS = {"reset": "cammina-password-reset", "invite": "cammina-invite"}


class TokenInvalid(Exception):
    """The link is broken, expired, already used or no longer valid; `expired` says which."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALTS[purpose])


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}:{user.session_version}".encode()).hexdigest()[:32]


def make_token(user: User, purpose: str) -> str:
    """A URL-safe token for `purpose` ("reset" or "invite") of this user."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_of_token(token: str, purpose: str, max_age: int | None = None) -> User:
    """The user the token was made for, if it is authentic, not expired and still unused; else TokenInvalid.
    The maximum age comes from PASSWORD_RESET_MAX_AGE / INVITE_MAX_AGE (seconds) unless given."""
    if max_age is None:
        key, default = (
            ("PASSWORD_RESET_MAX_AGE", RESET_MAX_AGE) if purpose == "reset" else ("INVITE_MAX_AGE", INVITE_MAX_AGE)
        )
        max_age = int(current_app.config.get(key, default))
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenInvalid(expired=True) from None
    except BadSignature:
        raise TokenInvalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise TokenInvalid()
    user = db.session.scalar(select(User).where(User.id == data["u"]))
    if user is None or not user.is_active_account or data.get("f") != _fingerprint(user):
        raise TokenInvalid()
    return user
