"""Passwords: forgotten-password request, the reset link, the invitation link, and a signed-in user's
own change. Routes on the accounts blueprint.

- `GET/POST /password/forgot`: always the same answer ("if an account exists, we sent a link"), so the
  page does not tell which emails have accounts; rate limited like sign-in.
- `GET/POST /password/reset/<token>` and `/invite/<token>`: a signed link (accounts.tokens) that works
  once, expires, and is refused after any password change; a bad link is a 400 page that says why.
- `GET/POST /account/password`: change one's own password (current one required); every other session
  of the user ends, this one is renewed.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from directory_app.accounts.blueprint import bp
from directory_app.accounts.forms import ChangePasswordForm, ForgotPasswordForm, SetPasswordForm
from directory_app.accounts.mail import send_email
from directory_app.accounts.services import change_password, find_active_user, set_password
from directory_app.accounts.sign_in import keep_only_language
from directory_app.accounts.tokens import TokenInvalid, make_token, user_of_token
from directory_app.audit import record_event
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.public_links import public_url


def send_password_link(user, purpose: str) -> None:
    """Email the user a reset ("reset") or invitation ("invite") link, on PUBLIC_BASE_URL (never the
    request's Host: see public_links)."""
    token = make_token(user, purpose)
    if purpose == "invite":
        link = public_url("accounts.accept_invite", token=token)
        subject = _("Your account in the CAMMINA Directory")
        body = _("You have been invited to the CAMMINA Directory. Choose your password here (valid for 7 days):")
    else:
        link = public_url("accounts.reset_password", token=token)
        subject = _("Reset your CAMMINA Directory password")
        body = _("Someone asked to reset your password. If it was you, choose a new one here (valid for 1 hour):")
    send_email(user.email, subject, f"{body}\n\n{link}\n")


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_active_user(form.email.data)
        if user is not None and not user.invite_pending:
            send_password_link(user, "reset")
            record_event("password_reset_requested", user=user)
            db.session.commit()
        return render_template("accounts/forgot_sent.html")
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


def _token_page(token: str, purpose: str):
    """Show or handle the set-password form of a reset or invite link."""
    try:
        user = user_of_token(token, purpose)
    except TokenInvalid as problem:
        return render_template("accounts/bad_link.html", expired=problem.expired, purpose=purpose), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.new_password.data)
        except ValidationError as error:
            form.new_password.errors.append(_(error.message))
        else:
            record_event("invite_accepted" if purpose == "invite" else "password_reset", user=user)
            db.session.commit()
            flash(_("Your password is set. Please sign in."))
            return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/set_password.html", form=form, purpose=purpose, user=user), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _token_page(token, "reset")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    return _token_page(token, "invite")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_own_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.new_password.data)
        except ValidationError as error:
            getattr(form, error.field or "new_password").errors.append(_(error.message))
        else:
            record_event("password_changed", user=user)
            db.session.commit()
            keep_only_language()
            login_user(user)  # this browser carries on with the new session version
            flash(_("Your password has been changed. Other sessions have been signed out."))
            current_app.logger.info("password changed for user %s", user.id)
            return redirect(url_for("accounts.change_own_password"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200
