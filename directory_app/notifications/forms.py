"""Forms of notifications (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from directory_app.notifications.topics import TOPIC_LABELS, Mode

MODE_CHOICES = [
    SelectChoice(Mode.IMMEDIATE.value, _l("At once")),
    SelectChoice(Mode.DIGEST.value, _l("In a daily digest")),
    SelectChoice(Mode.NONE.value, _l("Never")),
]


class ActionForm(FlaskForm):
    """No fields: a CSRF-protected button (retry now)."""


def settings_form(topics: tuple[str, ...], modes: dict, formdata=None) -> FlaskForm:
    """A form with one radio group per topic, preset to the person's current modes."""

    class SettingsForm(FlaskForm):
        pass

    for topic in topics:
        setattr(SettingsForm, topic, RadioField(TOPIC_LABELS[topic], choices=MODE_CHOICES))
    defaults = {topic: modes[topic].value for topic in topics}
    if formdata is None:
        return SettingsForm(data=defaults)
    return SettingsForm(formdata=formdata)
