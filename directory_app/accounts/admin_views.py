"""User management pages of the Technical Secretariat (TS administrators only; others get 403).

- `GET /admin/users` (users.index): every account with role, country and state.
- `GET/POST /admin/users/invite` (users.invite): create an account and email an invitation link.
- `GET/POST /admin/users/<id>` (users.edit): change role, country and (consular users) consulate.
- `POST /admin/users/<id>/disable`, `/enable`, `/resend-invite`, `/reset-two-factor` (a lost phone:
  accounts.two_factor.reset_two_factor, audited): CSRF-protected buttons.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from directory_app.accounts import two_factor
from directory_app.accounts.forms import ActionForm, InviteForm, UserRoleForm
from directory_app.accounts.management import change_role, invite_user, list_users, set_active
from directory_app.accounts.models import Role, User
from directory_app.accounts.password_views import send_password_link
from directory_app.accounts.permissions import PermissionDenied, require_role
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.consulate_names import consulate_name
from directory_app.geography.models import Consulate, Country
from directory_app.i18n import current_language

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def country_choices() -> list[tuple[str, str]]:
    """("", "—") then every member country as (code, "CODE · name"), named and ordered in the reader's
    language (Babel's territory names, the stored English name for a code Babel does not know)."""
    territories = get_locale().territories
    countries = db.session.execute(select(Country.code, Country.name_en)).all()
    named = sorted(((code, territories.get(code) or name) for code, name in countries), key=lambda c: c[1])
    return [("", "—")] + [(code, f"{code} · {name}") for code, name in named]


def consulate_choices() -> list[tuple[str, str]]:
    """("", "—") then every consulate as (id, "CODE · name"), its name in the reader's language
    (geography.consulate_names), ordered by host country and city."""
    lang = current_language()
    rows = db.session.execute(
        select(Consulate.id, Consulate.code, Consulate.name_es, Consulate.name_en).order_by(
            Consulate.host_country_code, Consulate.city, Consulate.code
        )
    )
    return [("", "—")] + [(str(id_), f"{code} · {consulate_name(es, en, lang)}") for id_, code, es, en in rows]


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _actor() -> User:
    return current_user._get_current_object()


@bp.get("")
@require_role(Role.TS_ADMIN)
def index():
    return render_template("admin/users.html", users=list_users(), action_form=ActionForm())


@bp.route("/invite", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def invite():
    form = InviteForm()
    form.country.choices = country_choices()
    form.consulate.choices = consulate_choices()
    if form.validate_on_submit():
        try:
            user = invite_user(
                _actor(), form.email.data, form.role.data, form.country.data, form.name.data or "", form.consulate.data
            )
        except ValidationError as error:
            field = error.field if error.field in ("email", "role", "country", "consulate") else "email"
            getattr(form, field).errors.append(_(error.message))
        except PermissionDenied:
            abort(403)
        else:
            send_password_link(user, "invite")
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=user.email))
            return redirect(url_for("users.index"))
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def edit(user_id: int):
    user = _user_or_404(user_id)
    data = {"role": user.role.value, "country": user.country_code or "", "consulate": str(user.consulate_id or "")}
    form = UserRoleForm(data=data)
    form.country.choices = country_choices()
    form.consulate.choices = consulate_choices()
    if form.validate_on_submit():
        try:
            change_role(_actor(), user, form.role.data, form.country.data, form.consulate.data)
        except ValidationError as error:
            field = error.field if error.field in ("role", "country", "consulate") else "role"
            getattr(form, field).errors.append(_(error.message))
        except PermissionDenied:
            abort(403)
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("users.index"))
    status = 400 if form.errors else 200
    return render_template("admin/user_edit.html", form=form, user=user, action_form=ActionForm()), status


def _set_active(user_id: int, active: bool):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    try:
        set_active(_actor(), user, active)
    except ValidationError as error:
        flash(_(error.message))
        return redirect(url_for("users.index"))
    except PermissionDenied:
        abort(403)
    db.session.commit()
    flash(_("Account enabled.") if active else _("Account disabled; every session of it has ended."))
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/disable")
@require_role(Role.TS_ADMIN)
def disable(user_id: int):
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/enable")
@require_role(Role.TS_ADMIN)
def enable(user_id: int):
    return _set_active(user_id, True)


@bp.post("/<int:user_id>/reset-two-factor")
@require_role(Role.TS_ADMIN)
def reset_two_factor(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    try:
        two_factor.reset_two_factor(_actor(), user)
    except ValidationError as error:
        flash(_(error.message))
        return redirect(url_for("users.edit", user_id=user.id))
    except PermissionDenied:
        abort(403)
    db.session.commit()
    flash(_("Two-step sign-in of %(email)s reset; every session of the account has ended.", email=user.email))
    return redirect(url_for("users.edit", user_id=user.id))


@bp.post("/<int:user_id>/resend-invite")
@require_role(Role.TS_ADMIN)
def resend_invite(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    if not user.invite_pending or not user.is_active_account:
        abort(409)
    send_password_link(user, "invite")
    flash(_("Invitation sent to %(email)s.", email=user.email))
    return redirect(url_for("users.index"))
