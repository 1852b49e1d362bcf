"""The outbox (one row per email to send) and each person's notification settings."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for `flask send-mail` (next_attempt_at says from when)
    DIGEST = "digest"  # waiting for `flask send-digests` to fold it into the day's digest
    SENDING = "sending"  # claimed by one worker
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; the TS may retry it (/admin/outbox)
    DIGESTED = "digested"  # folded into a digest message (digest_key names it)


def _str_enum(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class OutboxMessage(db.Model):
    """One email, written in the transaction of the change that causes it and sent later by a worker.
    `body_text` is already in the recipient's language and ends with the links (action, settings)."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_queue", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="en")
    topic: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(_str_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    digest_key: Mapped[str | None] = mapped_column(String(80), index=True)

    user = relationship("User")


class NotificationSetting(db.Model):
    """A person's choice for one topic (immediate, digest, none). No row: the topic's default."""

    __tablename__ = "notification_setting"
    __table_args__ = (UniqueConstraint("user_id", "topic", name="uq_notification_setting_user_topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10))
