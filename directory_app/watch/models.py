"""What a person follows (Watch) and when freshness reminders go out (ReminderSchedule)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import utcnow

DEFAULT_INTERVAL_MONTHS = 1
DEFAULT_STALE_AFTER_MONTHS = 12


class Watch(db.Model):
    """A signed-in person follows one consular district or one organisation (exactly one of the two).
    A district or organisation that goes takes its watches with it."""

    __tablename__ = "watch"
    __table_args__ = (
        UniqueConstraint("user_id", "district_id", name="uq_watch_user_district"),
        UniqueConstraint("user_id", "organisation_id", name="uq_watch_user_organisation"),
        CheckConstraint("(district_id IS NULL) <> (organisation_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("consular_district.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user = relationship("User")
    district = relationship("ConsularDistrict")
    organisation = relationship("Organisation")


class ReminderSchedule(db.Model):
    """The one row (id 1) of the freshness reminders' schedule, set by the Technical Secretariat:
    every `interval_months` calendar months `flask send-reminders` tells each country contact of
    their entries not verified for `stale_after_months` months. `last_run_at` says when it last sent
    (the period it belongs to is then done: a second run in it sends nothing)."""

    __tablename__ = "reminder_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_INTERVAL_MONTHS)
    stale_after_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_STALE_AFTER_MONTHS)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(Integer, default=0)  # claimed by one conditional UPDATE per run
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
