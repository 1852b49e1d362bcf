"""Audit log of sign-ins, failed sign-ins, permission denials (403), approvals, rejections, restores,
archives and user management.

    from directory_app.audit import record_event
    record_event("approval", user=current_user, organisation_id=org.id, detail="proposal 12")

`record_event` adds the row to the current database session and flushes, so the event commits (or rolls
back) with the change it describes: callers commit once per request as usual. Events that must be kept
although the request changes nothing (a failed sign-in, a refusal) are committed by their callers.
Known kinds are listed in KINDS (any short string is accepted; the TS page offers these as filters).
"""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from directory_app.audit.models import AuditEvent
from directory_app.extensions import db

KINDS = (
    "login",
    "login_failed",
    "rate_limited",
    "sign_in_alert",
    "two_factor_enabled",
    "two_factor_reset",
    "recovery_code_used",
    "logout",
    "permission_denied",
    "password_reset_requested",
    "password_reset",
    "password_changed",
    "user_invited",
    "invite_accepted",
    "user_changed",
    "user_disabled",
    "user_enabled",
    "approval",
    "proposal_amended",
    "rejection",
    "restore",
    "archive",
    "registry_changed",
    "extra_field_changed",
)
MAX_DETAIL = 2000

__all__ = ["AuditEvent", "KINDS", "record_event"]


def _acting_user(user):
    if user is not None:
        return user
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record_event(kind: str, *, user=None, organisation_id: int | None = None, detail: str = "") -> None:
    """Add an audit event to the current session (flushed, not committed).

    `user` defaults to the signed-in user, if any; the client's IP address is taken from the request."""
    actor = _acting_user(user)
    event = AuditEvent(
        kind=str(kind)[:40],
        user_id=getattr(actor, "id", None),
        user_email=(getattr(actor, "email", "") or "")[:254],
        organisation_id=organisation_id,
        ip=((request.remote_addr or "") if has_request_context() else "")[:45],
        detail=str(detail or "")[:MAX_DETAIL],
    )
    db.session.add(event)
    db.session.flush()


def record_refusal(code: int) -> None:
    """Keep a permission denial (403) or a rate-limited request (429) in the audit log, in its own
    transaction: whatever the refused request had started is rolled back first."""
    try:
        db.session.rollback()
        kind = "permission_denied" if code == 403 else "rate_limited"
        record_event(kind, detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
    except Exception:  # the error page must still be shown when the database is the problem
        db.session.rollback()
