"""Each person's choice per topic: immediate, digest or none (no row = the topic's default)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.notifications.models import NotificationSetting
from directory_app.notifications.topics import DEFAULT_MODE, Mode, topics_for


def current_modes(user) -> dict[str, Mode]:
    """The user's mode for every topic of their role (stored choice, else the default)."""
    stored = dict(
        db.session.execute(
            select(NotificationSetting.topic, NotificationSetting.mode).where(NotificationSetting.user_id == user.id)
        ).all()
    )
    modes = {}
    for topic in topics_for(user.role):
        try:
            modes[topic] = Mode(stored[topic]) if topic in stored else DEFAULT_MODE[topic]
        except ValueError:
            modes[topic] = DEFAULT_MODE[topic]
    return modes


def save_modes(user, chosen: dict[str, str]) -> None:
    """Store the user's choices (only topics of their role; every value must be a Mode). Flushes."""
    allowed = set(topics_for(user.role))
    for topic, value in chosen.items():
        if topic not in allowed:
            raise ValidationError(_("The topic '%(topic)s' does not apply to this account.", topic=topic))
        if value not in {m.value for m in Mode}:
            raise ValidationError(_("'%(value)s' is not a delivery choice (immediate, digest, none).", value=value))
    existing = {
        row.topic: row
        for row in db.session.scalars(select(NotificationSetting).where(NotificationSetting.user_id == user.id))
    }
    for topic, value in chosen.items():
        row = existing.get(topic)
        if row is None:
            db.session.add(NotificationSetting(user_id=user.id, topic=topic, mode=value))
        else:
            row.mode = value
    db.session.flush()
