"""The mail worker: sends the outbox's pending messages, each exactly once, with retries and backoff.

One run (`send_due`) takes the pending messages whose `next_attempt_at` has come, oldest first. Each is
claimed with a conditional UPDATE (`... SET status='sending' WHERE id=:id AND status='pending'`,
committed before the SMTP conversation): of two workers running at once only one changes the row, and
only that one sends it. A claim carries a lease (`next_attempt_at` = now + CLAIM_LEASE): a worker killed
between its claim and its result leaves the row "sending"; after the lease the next run puts it back in
the queue (at least once in that one case: the SMTP server may have taken the message before the kill).

A refused or unreachable SMTP server never drops a message: it goes back to "pending" with the error and
a later `next_attempt_at` (MAIL_RETRY_SECONDS doubled at each attempt, at most MAX_BACKOFF), and becomes
"failed" after MAIL_MAX_ATTEMPTS attempts; the TS sees it on /admin/outbox and may retry it.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select, update

from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.notifications.models import OutboxMessage, OutboxStatus

CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 15
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_SECONDS = 60


class MailNotConfigured(RuntimeError):
    """SMTP_HOST is empty: the worker sends nothing and every message stays in the queue."""


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: MAIL_RETRY_SECONDS, doubled each time, capped."""
    base = int(current_app.config.get("MAIL_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config.get("MAIL_SENDER", "no-reply@cammina.invalid")
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    email["Content-Language"] = message.language  # after set_content, which clears Content-* headers
    return email


def _open_smtp() -> smtplib.SMTP:
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host:
        raise MailNotConfigured("SMTP_HOST is not set: no message was sent, all stay in the outbox.")
    smtp = smtplib.SMTP(host, int(config.get("SMTP_PORT", 587)), timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config.get("SMTP_STARTTLS", True):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def release_stale_claims() -> int:
    """Put back in the queue the messages whose claim's lease ran out (a worker died). Commits."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.next_attempt_at < utcnow())
        .values(status=OutboxStatus.PENDING)
    )
    db.session.commit()
    return result.rowcount


def _claim(message_id: int) -> bool:
    """Take the message for this worker; False when another worker took it first. Commits."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(
            status=OutboxStatus.SENDING,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=utcnow() + CLAIM_LEASE,
        )
    )
    db.session.commit()
    return result.rowcount == 1


def _record_failure(message: OutboxMessage, error: str) -> None:
    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    message.last_error = error[:1000]
    if message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        current_app.logger.error("Outbox message %s failed for good: %s", message.id, error)
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = utcnow() + backoff(message.attempts)
    db.session.commit()


def _due_ids(limit: int) -> list[int]:
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(query))
    db.session.commit()
    return ids


def send_due(limit: int = 100) -> dict[str, int]:
    """Send up to `limit` due messages; counts of "sent", "retry" (back in the queue) and "failed".
    Raises MailNotConfigured without SMTP_HOST (before claiming anything)."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not current_app.config.get("SMTP_HOST"):
        raise MailNotConfigured("SMTP_HOST is not set: no message was sent, all stay in the outbox.")
    release_stale_claims()
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in _due_ids(limit):
            if not _claim(message_id):
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                if smtp is None:
                    smtp = _open_smtp()
                smtp.send_message(_email(message))
            except OSError as exc:  # smtplib's errors are OSErrors too: refused, unreachable, timed out
                _record_failure(message, f"{type(exc).__name__}: {exc}")
                counts["failed" if message.status == OutboxStatus.FAILED else "retry"] += 1
                _close(smtp)
                smtp = None
                if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                    break  # the server is down or gone: the other messages wait for the next run
                continue
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.last_error = ""
            db.session.commit()
            counts["sent"] += 1
    finally:
        _close(smtp)
    return counts


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except OSError:
        smtp.close()
