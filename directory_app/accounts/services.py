"""Users: creating them with the password policy, checking passwords at sign-in, ending their sessions."""

from __future__ import annotations

import functools
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from directory_app.accounts.models import Role, User
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import Consulate, Country

MIN_PASSWORD_LENGTH = 12
_COMMON_PASSWORDS = frozenset(
    """123456789012 1234567890123 password1234 password12345 passwordpassword qwertyuiopas
    qwerty123456 aaaaaaaaaaaa 111111111111 000000000000 iloveyou1234 adminadmin12 administrator
    contraseña12 contrasena12 contraseña123 welcome12345 letmein12345 changeme1234 motdepasse12
    123412341234 abcdefghijkl abc123abc123 migrantes123 consulado123""".split()
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_password(password: str) -> None:
    """Raise ValidationError when the password is too short or too common."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if password.lower() in _COMMON_PASSWORDS or len(set(password)) < 4:
        raise ValidationError(_("This password is too common or too simple; choose another."), field="password")


def create_user(
    email: str, password: str, role: str, country_code: str | None = None, name: str = "", consulate_code: str = ""
) -> User:
    """Create a user; country contacts must name the member country they maintain; a consular user may
    have a consulate of their own (by its code, e.g. GT-US-HOUSTON): they land on its district."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError(_("'%(email)s' is not an email address.", email=email), field="email")
    try:
        role_value = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError(
            _("Unknown role '%(role)s'; use one of: %(allowed)s.", role=role, allowed=allowed), field="role"
        ) from None
    if role_value is Role.COUNTRY_CONTACT and not country_code:
        raise ValidationError(
            _("A country contact needs --country (the member country they maintain)."), field="country"
        )
    if country_code:
        country_code = country_code.upper()
        if db.session.get(Country, country_code) is None:
            raise ValidationError(_("Unknown country '%(code)s'.", code=country_code), field="country")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationError(_("A user with email %(email)s already exists.", email=email), field="email")
    consulate_id = _consulate_id(role_value, consulate_code.strip())
    check_password(password)
    user = User(
        email=email,
        name=name,
        password_hash=generate_password_hash(password),
        role=role_value,
        country_code=country_code,
        consulate_id=consulate_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _consulate_id(role: Role, code: str) -> int | None:
    """The id of the consulate a new consular user gets, from its code; none when no code is given."""
    if not code:
        return None
    if role is not Role.CONSULAR:
        raise ValidationError(_("Only a consular user has a consulate of their own."), field="consulate")
    consulate_id = db.session.scalar(select(Consulate.id).where(Consulate.code == code.upper()))
    if consulate_id is None:
        raise ValidationError(
            _("Unknown consulate '%(code)s': use a code of data/consulates.csv, as GT-US-HOUSTON.", code=code),
            field="consulate",
        )
    return consulate_id


@functools.cache
def _dummy_password_hash() -> str:
    """A hash to check against when no account matches, so that an unknown email costs as much time as a
    wrong password and response times do not tell which emails have accounts."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; the caller shows one generic message for an
    unknown email, a wrong password and a disabled account alike. Rate limiting of login attempts wraps the
    login view (Flask-Limiter), not this function."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active_account:
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of this user (all browsers, copied cookies included) by bumping the session
    version that each session cookie carries; sessions.load_user refuses older versions."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Give the user a new password (policy checked) and end every other session of theirs: the session
    version goes up, and so does every reset or invite link made before (see accounts.tokens)."""
    check_password(password)
    user.password_hash = generate_password_hash(password)
    user.invite_pending = False
    end_sessions(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in user's own change: the current password must be right."""
    if not check_password_hash(user.password_hash, current_password):
        raise ValidationError(_("The current password is wrong."), field="current_password")
    if current_password == new_password:
        raise ValidationError(_("The new password must differ from the current one."), field="new_password")
    try:
        set_password(user, new_password)
    except ValidationError as error:
        raise ValidationError(error.message, field="new_password") from None


def find_active_user(email: str) -> User | None:
    """The active account with this email (any case), or None."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    return user if user is not None and user.is_active_account else None
