"""What a failed sign-in (a wrong password, or a wrong code at the second step) leads to: an audit entry,
a count in the sign-in limits, and after repeated failures an email to the account's owner.

After NOTIFY_AFTER failures within the hour (accounts.signin_limits) the owner of an existing, active
account gets one email, at most one an hour whatever the attacker does, written in the language the
owner last signed in with (User.language), else in the directory's default language. The alert is
kept in the audit log ("sign_in_alert")."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from directory_app.accounts.mail import send_email
from directory_app.accounts.services import find_active_user
from directory_app.accounts.signin_limits import NOTIFY_AFTER, sign_in_limits
from directory_app.audit import record_event
from directory_app.extensions import db
from directory_app.i18n import LANGUAGES, default_language


def record_failed_sign_in(email: str | None, detail: str, user=None) -> None:
    """Keep the failure (audit "login_failed", committed), count it, and alert the owner when due."""
    record_event("login_failed", user=user, detail=detail)
    failures = sign_in_limits().record_failure(email)
    alert_owner_if_attacked(email, failures)
    db.session.commit()


def mail_language(user) -> str:
    """The language of messages to this user: the one they last signed in with, else the default."""
    language = getattr(user, "language", None)
    return language if language in LANGUAGES else default_language()


def alert_owner_if_attacked(email: str | None, failures: int) -> bool:
    """Email the owner of `email` when its failures reached NOTIFY_AFTER and no alert went out this
    hour; True when an email was sent. Unknown or disabled accounts get nothing (and the caller's
    page is the same either way)."""
    if failures < NOTIFY_AFTER:
        return False
    user = find_active_user(email or "")
    if user is None or not sign_in_limits().first_alert_of_the_hour(user.email):
        return False
    with force_locale(mail_language(user)):
        subject = _("Failed sign-ins to your CAMMINA Directory account")
        body = _(
            "There were %(count)s failed attempts to sign in to your account (%(email)s) within the last hour. "
            "If it was not you, someone may be guessing your password: your account is not blocked, and "
            "each further attempt is slowed down. Consider changing your password and turning on two-step "
            "sign-in (Password page, after signing in). You will not get another message like this for "
            "an hour.",
            count=failures,
            email=user.email,
        )
        signature = _("CAMMINA Directory")
    send_email(user.email, subject, f"{body}\n\n{signature}\n")
    record_event("sign_in_alert", user=user, detail=f"{failures} failed sign-ins within an hour")
    return True
