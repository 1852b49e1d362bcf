"""Writing messages to the outbox, in the same transaction as the change that causes them.

    enqueue(*, user, topic, subject, body, link_path=None) -> OutboxMessage | None

adds one row to the current `db.session` (flush only: the caller's request or command commits it
together with its change, or rolls both back). The user's setting for the topic decides: none -> nothing
(None is returned), digest -> a row with status "digest" for `flask send-digests`, immediate -> a row
"pending" for `flask send-mail`. Disabled accounts get nothing.

`subject` and `body` are written in the RECIPIENT's language: pass either a string built inside
`with recipient_locale(user):`, or a zero-argument callable (e.g. `lambda: _("...", name=...)`) that
enqueue calls inside that locale. Every body ends with an absolute link to `link_path` (a path of this
site, e.g. "/review/12") and to the person's notification settings, built from PUBLIC_BASE_URL
(public_links), never from the request's Host.

Never put a hidden location's exact address in a message: callers pass names and links only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.i18n import LANGUAGES, default_language
from directory_app.models_base import utcnow
from directory_app.notifications.models import NotificationSetting, OutboxMessage, OutboxStatus
from directory_app.notifications.topics import DEFAULT_MODE, TOPICS, Mode
from directory_app.public_links import public_base_url, public_url

Text = str | Callable[[], str]


def recipient_language(user) -> str:
    """The language of messages to `user`: the one they last signed in with, else the default."""
    language = getattr(user, "language", None)
    return language if language in LANGUAGES else default_language()


@contextmanager
def recipient_locale(user) -> Iterator[str]:
    """Translate inside this block in `user`'s language (yields the language code)."""
    language = recipient_language(user)
    with force_locale(language):
        yield language


def mode_for(user, topic: str) -> Mode:
    """The user's choice for `topic`, else the topic's default."""
    if topic not in TOPICS:
        raise ValueError(f"Unknown notification topic {topic!r}")
    mine = (NotificationSetting.user_id == user.id, NotificationSetting.topic == topic)
    stored = db.session.scalar(select(NotificationSetting.mode).where(*mine))
    try:
        return Mode(stored) if stored else DEFAULT_MODE[topic]
    except ValueError:
        return DEFAULT_MODE[topic]


def site_path(endpoint: str, **values) -> str:
    """The path of `endpoint` from the site's root (no request prefix, no host): a `link_path` for
    enqueue, e.g. site_path("review.proposal_page", proposal_id=12) -> "/review/12"."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values)


def absolute_link(link_path: str) -> str:
    """`link_path` (a path of this site) on the public address."""
    if not link_path.startswith("/") or link_path.startswith("//"):
        raise ValueError(f"link_path must be a path of this site, like /review/12, not {link_path!r}")
    return public_base_url() + link_path


SIGNATURE_DELIMITER = "\n-- \n"


def _with_links(body: str, link_path: str | None) -> str:
    """The body, the link to the acting page, then (after the "-- " signature line, which digests cut
    off) the link to the settings page."""
    parts = [body.rstrip(), ""]
    if link_path:
        parts += [_("Open: %(link)s", link=absolute_link(link_path)), ""]
    text = "\n".join(parts).rstrip() + "\n"
    settings = _("Choose which emails you receive: %(link)s", link=public_url("notifications.settings"))
    return f"{text}{SIGNATURE_DELIMITER}{settings}\n{_('CAMMINA Directory')}\n"


def _text(value: Text) -> str:
    return str(value() if callable(value) else value)


def render(user, subject: Text, body: Text, link_path: str | None = None) -> tuple[str, str, str]:
    """(language, subject, body with its links) for `user`, written in their language."""
    with recipient_locale(user) as language:
        subject_text = " ".join(_text(subject).split())[:300]
        body_text = _with_links(_text(body), link_path)
    return language, subject_text, body_text


def enqueue(*, user, topic: str, subject: Text, body: Text, link_path: str | None = None) -> OutboxMessage | None:
    """Add a message for `user` about `topic` to the current session (flushed, not committed), as
    their settings say; None when they receive nothing of this topic. See the module docstring."""
    if user is None or not getattr(user, "email", None) or not getattr(user, "is_active_account", True):
        return None
    mode = mode_for(user, topic)
    if mode == Mode.NONE:
        return None
    language, subject_text, body_text = render(user, subject, body, link_path)
    message = OutboxMessage(
        user_id=user.id,
        to_address=user.email,
        language=language,
        topic=topic,
        subject=subject_text,
        body_text=body_text,
        status=OutboxStatus.DIGEST if mode == Mode.DIGEST else OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.session.add(message)
    db.session.flush()
    return message
