"""The forms of watches and reminders: each is CSRF-protected (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional


class FollowForm(FlaskForm):
    """Follow or unfollow (the target is in the URL); `back` names the page to return to."""

    back = HiddenField(validators=[Optional(), AnyOf(["", "page", "watches"])])


class ScheduleForm(FlaskForm):
    """The Technical Secretariat's schedule of freshness reminders."""

    enabled = BooleanField(_l("Send freshness reminders"))
    interval_months = IntegerField(
        _l("Every how many months"),
        validators=[InputRequired(), NumberRange(min=1, max=12, message=_l("Give a whole number from 1 to 12."))],
        description=_l("1: every month; 3: every quarter. The period starts on the first day of a month."),
    )
    stale_after_months = IntegerField(
        _l("Remind of entries not verified for (months)"),
        validators=[InputRequired(), NumberRange(min=1, max=60, message=_l("Give a whole number from 1 to 60."))],
    )
