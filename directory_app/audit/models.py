"""The audit log: one row per security-relevant event (sign-ins, refusals, approvals, user management).

Rows are only ever added. The user's email is copied into the row so that the log still says who
acted when the account is renamed; organisation_id is a plain indexed integer (no foreign key) so
that the log outlives anything it mentions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    user_email: Mapped[str] = mapped_column(String(254), default="")
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    # The organisation the event mentions while it exists (read-only; named by string, so the audit
    # package imports no organisation code). Load it with selectinload: lazy loading is refused.
    organisation = relationship(
        "Organisation",
        primaryjoin="foreign(AuditEvent.organisation_id) == Organisation.id",
        viewonly=True,
        lazy="raise",
    )
