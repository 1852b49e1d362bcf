"""Starting a signed-in session, shared by the sign-in, two-step and password views."""

from __future__ import annotations

from flask import flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from directory_app.accounts import two_factor
from directory_app.accounts.models import User
from directory_app.accounts.start_page import start_page
from directory_app.audit import record_event
from directory_app.extensions import db
from directory_app.i18n import current_language

# Session keys that outlive signing in and out: the reader's language only.
_KEPT_SESSION_KEYS = ("lang",)


def keep_only_language() -> None:
    """Empty the session but for the reader's language."""
    kept = {key: session[key] for key in _KEPT_SESSION_KEYS if key in session}
    session.clear()
    session.update(kept)


def start_new_session(user: User) -> None:
    """A new session for `user`: the old session's contents are dropped before login_user, so a cookie
    planted before sign-in gains nothing."""
    keep_only_language()
    login_user(user)


def complete_sign_in(user: User, next_path: str | None):
    """Sign the user in (audit entry, the language they use remembered for emails) and go on: to the page
    that asked them to sign in, else to their role's start page (accounts.start_page; also when they
    signed in from the home page); to enrolment first when two-step sign-in is required of them and not
    set up yet."""
    record_event("login", user=user)
    user.language = current_language()
    db.session.commit()
    start_new_session(user)
    if two_factor.must_enrol(user):
        flash(_("Set up two-step sign-in to continue: it is required for your role."))
        return redirect(url_for("accounts.two_factor"))
    if next_path in (None, "", "/"):
        return redirect(start_page(user))
    return redirect(next_path)
