"""Forms of signing in and out (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Email and password. Which of the two was wrong is never said."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=1000)], render_kw={"autocomplete": "current-password"}
    )


class LogoutForm(FlaskForm):
    """No fields: signing out is a POST that must carry the CSRF token, so another site cannot sign a
    person out with a link or an image."""
