"""What the import remembers between files: how another publisher's taxonomy terms map to ours.

An HSDS file from another publisher classifies its services with its own taxonomy (Open Eligibility,
AIRS/211, a national list...). The import preview lists those terms; the person importing maps each to
one of our service categories (directory_app.vocabulary) or keeps it as text (category None). The choice
is remembered per (taxonomy, code), so that the next file of that publisher needs no mapping again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from directory_app.extensions import db
from directory_app.models_base import utcnow


class HsdsTermMapping(db.Model):
    """One term of another publisher's taxonomy and the service category it stands for (None: kept
    as text in the organisation's additional information)."""

    __tablename__ = "hsds_term_mapping"
    __table_args__ = (UniqueConstraint("taxonomy", "code", name="uq_hsds_term_mapping_taxonomy_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy: Mapped[str] = mapped_column(String(200))  # the taxonomy's name (or id) as the files give it
    code: Mapped[str] = mapped_column(String(200))  # the term's code (or name, when it has no code)
    name: Mapped[str] = mapped_column(String(300), default="")  # the term's name when last seen
    category_code: Mapped[str | None] = mapped_column(ForeignKey("service_category.code"), nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
