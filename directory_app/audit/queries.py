"""Reading the audit log: newest first, filtered by kind and user, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory_app.audit.models import AuditEvent
from directory_app.extensions import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_events(kind: str = "", user: str = "", page: int = 1, page_size: int = PAGE_SIZE) -> EventPage:
    """Events newest first; `kind` exact, `user` a part of the acting user's email (any case)."""
    conditions = []
    if kind:
        conditions.append(AuditEvent.kind == kind)
    if user:
        pattern = f"%{_escape_like(user.strip().lower())}%"
        conditions.append(func.lower(AuditEvent.user_email).like(pattern, escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    events = db.session.scalars(
        select(AuditEvent)
        .options(selectinload(AuditEvent.organisation))
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return EventPage(list(events), total, page, pages)


def known_kinds() -> list[str]:
    """The kinds the filter offers: the documented ones and any other found in the log."""
    from directory_app.audit import KINDS

    found = db.session.scalars(select(AuditEvent.kind).distinct())
    return sorted(set(KINDS) | set(found))
