"""Sign in and sign out.

- `GET/POST /login` (accounts.login): a new session at sign-in (the old session's contents are
  dropped before login_user, so a cookie planted before sign-in gains nothing); one generic message
  for an unknown email, a wrong password and a disabled account; `?next=` is followed only to a local
  path of this site.
- With two-step sign-in on (accounts.two_factor), a right password only marks the sign-in as pending
  (accounts.pending_sign_in) and leads to the code step, `/login/code` (accounts.two_factor_views).
- `POST /logout` (accounts.logout, CSRF token required): bumps the user's session version, which ends
  every session of the user, copied cookies included, then signs out.

Failed sign-ins are limited per client and per (client, account), and slow down (never block) the
account itself (accounts.signin_limits); the owner is emailed after repeated failures
(accounts.signin_alerts). Sign-ins, failures and sign-outs go to the audit log. Password
reset, invitations and password change: accounts/password_views.py; user management by the TS:
accounts/admin_views.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from directory_app.accounts import two_factor
from directory_app.accounts.blueprint import bp
from directory_app.accounts.forms import LoginForm, LogoutForm
from directory_app.accounts.models import Role, User
from directory_app.accounts.pending_sign_in import mark_pending
from directory_app.accounts.services import authenticate, end_sessions
from directory_app.accounts.sign_in import complete_sign_in, keep_only_language
from directory_app.accounts.signin_alerts import record_failed_sign_in
from directory_app.accounts.signin_limits import sign_in_limits
from directory_app.accounts.start_page import my_consulate_url
from directory_app.audit import record_event
from directory_app.extensions import csrf, db, login_manager

ROLE_LABELS = {
    Role.TS_ADMIN: _l("Technical Secretariat"),
    Role.COUNTRY_CONTACT: _l("Country contact"),
    Role.CONSULAR: _l("Consular user"),
}


bp.add_app_template_global(my_consulate_url)  # the header's "My consulate" link (consular users)


@bp.record_once
def _configure_login_manager(_state) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")


@bp.app_template_global("role_label")
def role_label(user: User) -> str:
    """The role as the header shows it, with the country of a country contact: "Country contact (MX)"."""
    label = str(ROLE_LABELS.get(user.role, user.role))
    return f"{label} ({user.country_code})" if user.country_code else label


def safe_next_path(target: str | None) -> str | None:
    """`target` when it is a path on this site ("/districts?service=x"), else None: no scheme, no host,
    no protocol-relative "//host" or "/\\host" (which browsers read as another host), no control characters."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the form checks its CSRF token itself, so that an expired form gets a clear message (still a 400)
def login():
    next_path = safe_next_path(request.args.get("next"))
    form = LoginForm()
    failed = False
    if request.method == "POST":
        sign_in_limits().before_attempt(request.form.get("email"))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and two_factor.is_enabled(user):
            keep_only_language()
            mark_pending(user, next_path)
            return redirect(url_for("accounts.login_code"))
        if user is not None:
            return complete_sign_in(user, next_path)
        failed = True
        record_failed_sign_in(form.email.data, f"email: {form.email.data.strip().lower()[:254]}")
    csrf_failed = request.method == "POST" and bool(form.csrf_token.errors)
    page = render_template(
        "accounts/login.html", form=form, failed=failed, csrf_failed=csrf_failed, next_path=next_path
    )
    return page, 400 if csrf_failed else 200


@bp.post("/logout")
def logout():
    # CSRFProtect refuses a POST without a valid token before this view runs (400); the form checks again.
    if not LogoutForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
        record_event("logout")
        db.session.commit()
        logout_user()
    keep_only_language()
    return redirect(url_for("main.home"))
