"""Flask-Login wiring: the session holds "user id:session version"; a session whose version is
older than the user's current one (after logout elsewhere, a password change or disabling) is
no longer signed in."""

from __future__ import annotations

from flask import Flask

from directory_app.extensions import db, login_manager


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(token: str):
    from directory_app.accounts.models import User

    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user
