"""People who sign in: the Technical Secretariat, country contacts and consular users."""

from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.models_base import TimestampMixin


class Role(enum.StrEnum):
    TS_ADMIN = "ts_admin"  # Technical Secretariat: manages users, reviews and publishes
    COUNTRY_CONTACT = "country_contact"  # keeps one member country's entries current
    CONSULAR = "consular"  # reads everything published, including hidden exact locations


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
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, password change and disabling, so that every older session ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Invited by the TS and not yet through the invite link: the password is a random unknown one.
    invite_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_false())
    # The interface language of the user's last sign-in (es, en, fr): the language of emails to them.
    language: Mapped[str | None] = mapped_column(String(2))

    country = relationship("Country")

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in or stay signed in
        return self.is_active_account

    def get_id(self) -> str:
        """The session token: the id and the session version, so that bumping the version
        (logout, password change, disabling) ends every session of this user."""
        return f"{self.id}:{self.session_version}"
