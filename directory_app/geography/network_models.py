"""What the consular networks hold besides offices: service windows attached to a consulate, networks of
consulates (a forum of existing offices, not an office), and the codes an office had before."""

from __future__ import annotations

import enum

from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.models_base import TimestampMixin


class WindowStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ConsularWindow(TimestampMixin, db.Model):
    """A service window run in (or from) a consulate, such as Mexico's Ventanillas de Salud: a kind of
    office with no district of its own, shown on its consulate's page."""

    __tablename__ = "consular_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(70), unique=True)
    consulate_id: Mapped[int] = mapped_column(ForeignKey("consulate.id", ondelete="CASCADE"), index=True)
    program: Mapped[str] = mapped_column(String(40))  # ventanilla_de_salud, ventanilla_consular
    status: Mapped[WindowStatus] = mapped_column(
        Enum(WindowStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    name_es: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    since: Mapped[str] = mapped_column(String(10), default="")  # when the status began, if the source says
    source: Mapped[str] = mapped_column(Text)
    source_date: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")

    consulate: Mapped[Consulate] = relationship()

    def name(self, lang: str = "es") -> str:
        return self.name_es if lang == "es" else self.name_en


class ConsularNetwork(TimestampMixin, db.Model):
    """A network of consulates, such as TRICAMEX: a coordination forum of offices that exist anyway."""

    __tablename__ = "consular_network"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_es: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))

    members: Mapped[list[ConsularNetworkMember]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="ConsularNetworkMember.since"
    )

    def name(self, lang: str = "es") -> str:
        return self.name_es if lang == "es" else self.name_en


class ConsularNetworkMember(db.Model):
    """One consulate in a network, in one local chapter (the city where the agreement was signed)."""

    __tablename__ = "consular_network_member"

    network_id: Mapped[int] = mapped_column(ForeignKey("consular_network.id", ondelete="CASCADE"), primary_key=True)
    consulate_id: Mapped[int] = mapped_column(
        ForeignKey("consulate.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    chapter: Mapped[str] = mapped_column(String(120))
    since: Mapped[str] = mapped_column(String(10), default="")
    source: Mapped[str] = mapped_column(Text)
    source_date: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")

    network: Mapped[ConsularNetwork] = relationship(back_populates="members")
    consulate: Mapped[Consulate] = relationship()


former_consulate_code = Table(
    "former_consulate_code",
    db.Model.metadata,
    Column("code", String(60), primary_key=True),
    Column("consulate_id", ForeignKey("consulate.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("reason", Text, nullable=False, default=""),
)
