"""What the Technical Secretariat sees of the outbox, and its "retry now"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.notifications.models import OutboxMessage, OutboxStatus

PAGE_SIZE = 200
STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Waiting to be sent"),
    OutboxStatus.DIGEST: _l("Waiting for the daily digest"),
    OutboxStatus.SENDING: _l("Being sent"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.DIGESTED: _l("Sent in a digest"),
}
DIGEST_LABEL = _l("Daily digest")


def list_messages(status: OutboxStatus | None = None, limit: int = PAGE_SIZE) -> list[OutboxMessage]:
    """The newest messages (of `status`, or of every status), newest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))


def retry_message(message_id: int) -> bool:
    """Put a failed message back in the queue, due now, with its attempts counted from zero.
    False when there is no failed message of that id. Flushes."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
    )
    return result.rowcount == 1
