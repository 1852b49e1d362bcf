"""Forms of accounts: signing in and out, passwords, user management (Flask-WTF: every form carries a
CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    """Email and password. Which of the two was wrong is never said."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=1000)], render_kw={"autocomplete": "current-password"}
    )


class SecondStepForm(FlaskForm):
    """The second step of a two-step sign-in: a code of the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"},
        description=_l("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
    )


class EnrolForm(FlaskForm):
    """The first code of the authenticator app, which turns two-step sign-in on."""

    code = StringField(
        _l("Code shown by the app"),
        validators=[DataRequired(), Length(max=16)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
        description=_l("6 digits; a new one every 30 seconds."),
    )


class LogoutForm(FlaskForm):
    """No fields: signing out is a POST that must carry the CSRF token, so another site cannot sign a
    person out with a link or an image."""


def _new_password_fields():
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 12 characters; not a common password."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return new, confirm


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )


class SetPasswordForm(FlaskForm):
    """A new password chosen through a reset or invite link."""

    new_password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm = _new_password_fields()


ROLE_CHOICES = [
    SelectChoice("ts_admin", _l("Technical Secretariat")),
    SelectChoice("country_contact", _l("Country contact")),
    SelectChoice("consular", _l("Consular user")),
]


class UserRoleForm(FlaskForm):
    """Role, country and consulate of an account (the country only for a country contact, the
    consulate only for a consular user, who lands on its district after signing in)."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    country = SelectField(_l("Member country (country contacts only)"), choices=[], validate_choice=True)
    consulate = SelectField(
        _l("Consulate (consular users only)"),
        choices=[],
        default="",  # none when the form does not send the field
        validate_choice=True,
        description=_l("The consular user lands on its district after signing in; the header links to it."),
    )


class InviteForm(UserRoleForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])


class ActionForm(FlaskForm):
    """No fields: a POST button that must carry the CSRF token."""
