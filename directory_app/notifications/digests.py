"""Daily digests: each person's "digest" messages folded into one email (`flask send-digests`).

Run once a day (systemd timer or cron, docs/deploy.md). Each person's waiting digest rows are claimed
with one conditional UPDATE (status digest -> digested, digest_key = this digest's key), so two runs at
once never put a message in two digests; the digest itself is a pending outbox message that
`flask send-mail` sends like any other.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.models_base import new_uuid, utcnow
from directory_app.notifications.models import OutboxMessage, OutboxStatus
from directory_app.notifications.outbox import SIGNATURE_DELIMITER, recipient_locale
from directory_app.public_links import public_url

DIGEST_TOPIC = "digest"


def _recipients() -> list[tuple[int | None, str]]:
    rows = db.session.execute(
        select(OutboxMessage.user_id, OutboxMessage.to_address)
        .where(OutboxMessage.status == OutboxStatus.DIGEST)
        .distinct()
    ).all()
    return [(user_id, address) for user_id, address in rows]


def _claim(user_id: int | None, address: str, key: str) -> list[OutboxMessage]:
    owner = OutboxMessage.user_id.is_(None) if user_id is None else OutboxMessage.user_id == user_id
    db.session.execute(
        update(OutboxMessage)
        .where(owner, OutboxMessage.to_address == address, OutboxMessage.status == OutboxStatus.DIGEST)
        .values(status=OutboxStatus.DIGESTED, digest_key=key)
    )
    query = select(OutboxMessage).where(OutboxMessage.digest_key == key).order_by(OutboxMessage.created_at)
    return list(db.session.scalars(query))


def _digest_text(items: list[OutboxMessage]) -> str:
    sections = []
    for item in items:
        text = item.body_text.split(SIGNATURE_DELIMITER, 1)[0].rstrip()
        sections.append(f"## {item.subject}\n\n{text}")
    settings = _("Choose which emails you receive: %(link)s", link=public_url("notifications.settings"))
    return "\n\n".join(sections) + f"\n{SIGNATURE_DELIMITER}{settings}\n{_('CAMMINA Directory')}\n"


def build_digests() -> int:
    """Fold every waiting digest row into one pending message per recipient; the number of digests
    written. Commits after each recipient."""
    written = 0
    for user_id, address in _recipients():
        key = f"digest:{new_uuid()}"
        items = _claim(user_id, address, key)
        if not items:
            db.session.rollback()
            continue
        user = db.session.get(User, user_id) if user_id is not None else None
        with recipient_locale(user) as language:
            subject = ngettext("Your daily digest: %(num)d message", "Your daily digest: %(num)d messages", len(items))
            body = _digest_text(items)
        db.session.add(
            OutboxMessage(
                user_id=user_id,
                to_address=address,
                language=language if user is not None else items[0].language,
                topic=DIGEST_TOPIC,
                subject=subject,
                body_text=body,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
                last_error="",
                digest_key=key,
            )
        )
        db.session.commit()
        written += 1
    return written
