"""People who sign in: the Technical Secretariat, country contacts and consular users."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import TimestampMixin


class Role(enum.StrEnum):
    TS_ADMIN = "ts_admin"  # Technical Secretariat: manages users, reviews and publishes
    COUNTRY_CONTACT = "country_contact"  # keeps one member country's entries current
    CONSULAR = "consular"  # reads everything published, including hidden exact locations; may have a consulate


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"))
    # A consular user's own consulate (set by the TS): they land on its district after signing in.
    consulate_id: Mapped[int | None] = mapped_column(ForeignKey("consulate.id", ondelete="SET NULL"))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, password change and disabling, so that every older session ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Invited by the TS and not yet through the invite link: the password is a random unknown one.
    invite_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_false())
    # The interface language of the user's last sign-in (es, en, fr): the language of emails to them.
    language: Mapped[str | None] = mapped_column(String(2))
    # Two-step sign-in (accounts.two_factor): the TOTP seed (base32; set at enrolment, in use once
    # totp_enabled), and the last 30-second time step whose code was accepted (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_false())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    country = relationship("Country")
    consulate = relationship("Consulate")

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in or stay signed in
        return self.is_active_account

    def get_id(self) -> str:
        """The session token: the id and the session version, so that bumping the version
        (logout, password change, disabling) ends every session of this user."""
        return f"{self.id}:{self.session_version}"


class RecoveryCode(db.Model):
    """A one-time recovery code of a user's two-step sign-in, stored as the SHA-256 of the code (each
    code carries 120 random bits, so a plain hash is enough: OWASP ASVS 5.0 6.5.2)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
