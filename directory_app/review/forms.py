"""The reviewer's form (Flask-WTF, CSRF). The organisation's edit forms, and the one-button action
form (still correct, archive, restore) that carries the version a page was opened on, are
organisations.edit_forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class ReviewForm(FlaskForm):
    """Approve or reject a proposal, with a comment the author sees."""

    comment = TextAreaField(_l("Comment for the author"), validators=[Length(max=2_000)])
