"""Pages of two-step sign-in (accounts.two_factor). Routes on the accounts blueprint.

- `GET/POST /login/code` (accounts.login_code): the second step, after a right password, for a user
  with two-step sign-in: a code of the app or a recovery code. Limited and slowed like passwords
  (accounts.signin_limits); a wrong code is a failed sign-in (audited, counted, owner alerted).
- `GET/POST /account/two-factor` (accounts.two_factor): enrolment (QR code, the seed as text, the
  first code), then the state and the recovery codes left. Pages that show a seed or codes are
  never stored by browsers or proxies (Cache-Control: no-store).
- Before any other page, a signed-in user who must enrol (the Technical Secretariat in production) is
  sent to enrolment; only enrolment, signing out and static files are open to them.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_app.accounts import two_factor
from directory_app.accounts.blueprint import bp
from directory_app.accounts.forms import EnrolForm, SecondStepForm
from directory_app.accounts.pending_sign_in import forget_pending, pending_user
from directory_app.accounts.sign_in import complete_sign_in
from directory_app.accounts.signin_alerts import record_failed_sign_in
from directory_app.accounts.signin_limits import sign_in_limits
from directory_app.errors import ValidationError
from directory_app.extensions import csrf, db

OPEN_WHILE_ENROLLING = frozenset(
    {"accounts.two_factor", "accounts.logout", "static", "ops.healthz", "ops.readyz", None}
)


def _private(page, status: int = 200):
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@csrf.exempt  # the form checks its CSRF token itself (an expired form gets a clear message, still a 400)
def login_code():
    pending = pending_user()
    if pending is None:
        forget_pending()
        flash(_("Your sign-in was not started or took too long. Please sign in again."))
        return redirect(url_for("accounts.login"))
    user, next_path = pending
    if request.method == "POST":
        sign_in_limits().before_attempt(user.email)
    form = SecondStepForm()
    failed = False
    if form.validate_on_submit():
        if two_factor.check_second_factor(user, form.code.data):
            forget_pending()
            return complete_sign_in(user, next_path)
        failed = True
        record_failed_sign_in(user.email, "second step: wrong code", user=user)
    csrf_failed = request.method == "POST" and bool(form.csrf_token.errors)
    page = render_template("accounts/login_code.html", form=form, failed=failed, csrf_failed=csrf_failed)
    return _private(page, 400 if csrf_failed else 200)


@bp.route("/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@login_required
def two_factor_page():
    user = current_user._get_current_object()
    if two_factor.is_enabled(user):
        left = two_factor.recovery_codes_left(user)
        return _private(render_template("accounts/two_factor_on.html", user=user, codes_left=left))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user, form.code.data)
        except ValidationError as error:
            form.code.errors.append(_(error.message))
        else:
            db.session.commit()
            return _private(render_template("accounts/recovery_codes.html", codes=codes))
    secret = two_factor.start_enrolment(user)
    db.session.commit()
    page = render_template(
        "accounts/two_factor_enrol.html",
        form=form,
        qr_svg=two_factor.qr_code_svg(two_factor.provisioning_uri(user)),
        secret=two_factor.grouped(secret),
        required=two_factor.required_for(user),
    )
    return _private(page, 400 if form.errors else 200)


@bp.before_app_request
def _enrol_before_anything_else():
    if request.endpoint in OPEN_WHILE_ENROLLING or not current_user.is_authenticated:
        return None
    if two_factor.must_enrol(current_user):
        return redirect(url_for("accounts.two_factor"))
    return None
