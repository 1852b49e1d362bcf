"""The TS form of a contact person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class ContactPersonForm(FlaskForm):
    country_code = SelectField(_l("Member country"), choices=[], validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role_title = StringField(_l("Role or title"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Not an email address.")),
        ],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=60)])
    listed_publicly = BooleanField(_l("Agreed to be listed publicly (name and role only)"))
