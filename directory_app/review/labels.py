"""Readable labels, in the reader's language, for the codes the review and audit pages show: kinds
of change, proposal statuses, organisation statuses and audit event kinds; and dates with a time
in the locale's format.

Jinja filters (registered by directory_app.i18n):

    {{ proposal.kind|label }}      "Update" / "Modificación" / "Modification"
    {{ proposal.status|label }}    "Waiting for review" / ...
    {{ org.status|label }}         "Published" / "Publicado" / "Publié"
    {{ entry.status|label("status") }}   the same from a plain value ("change", "proposal", "status")
    {{ event.kind|audit_kind }}    "Failed sign-in" / ...; an unknown kind is shown as it is
    {{ revision.created_at|when }} "Jan 31, 2026, 2:05 PM" / "31 ene 2026, 14:05" / "31 janv. 2026, 14:05"
    {{ event.at|when(seconds=True) }}

Times are shown in the user time zone of Flask-Babel (BABEL_DEFAULT_TIMEZONE, UTC unless set); a
naive datetime (SQLite gives them back so) counts as UTC. Machine-readable values stay ISO in the
<time datetime="..."> attribute.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from directory_app.organisations.models import Status
from directory_app.review.models import ChangeKind, ProposalStatus

CHANGE_KINDS = {
    ChangeKind.BASELINE: _l("Initial state"),
    ChangeKind.CREATE: _l("Creation"),
    ChangeKind.UPDATE: _l("Update"),
    ChangeKind.RESTORE: _l("Restoration of an earlier version"),
    ChangeKind.ARCHIVE: _l("Archiving"),
    ChangeKind.VERIFY: _l("Confirmed as still correct"),
}

PROPOSAL_STATUSES = {
    ProposalStatus.PENDING: _l("Waiting for review"),
    ProposalStatus.APPROVED: _l("Approved and published"),
    ProposalStatus.REJECTED: _l("Rejected by the Technical Secretariat"),
}

ORGANISATION_STATUSES = {
    Status.DRAFT: _l("Draft"),
    Status.PUBLISHED: _l("Published"),
    Status.ARCHIVED: _l("Archived"),
}

# The kinds of directory_app.audit.KINDS (any other string is shown as it is).
AUDIT_KINDS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "rate_limited": _l("Too many attempts (blocked)"),
    "logout": _l("Signed out"),
    "permission_denied": _l("Access refused"),
    "password_reset_requested": _l("Password reset requested"),
    "password_reset": _l("Password reset"),
    "password_changed": _l("Password changed"),
    "user_invited": _l("User invited"),
    "invite_accepted": _l("Invitation accepted"),
    "user_changed": _l("User changed"),
    "user_disabled": _l("User disabled"),
    "user_enabled": _l("User enabled"),
    "approval": _l("Proposal approved"),
    "rejection": _l("Proposal rejected"),
    "restore": _l("Version restored"),
    "archive": _l("Entry archived"),
    "registry_changed": _l("Contact registry changed"),
    "extra_field_changed": _l("Additional information field changed"),
}

_BY_ENUM: dict[type[enum.Enum], dict] = {
    ChangeKind: CHANGE_KINDS,
    ProposalStatus: PROPOSAL_STATUSES,
    Status: ORGANISATION_STATUSES,
}


_BY_NAME: dict[str, type[enum.Enum]] = {"change": ChangeKind, "proposal": ProposalStatus, "status": Status}


def label(value, of: str | None = None) -> str:
    """The translated label of a kind of change, a proposal status or an organisation status: the
    enum member, or its plain value with `of` naming the enum ("change", "proposal", "status":
    `{{ entry.status|label("status") }}`). Anything else (an unknown value) as text."""
    if value is None:
        return ""
    enum_type = type(value) if isinstance(value, enum.Enum) else _BY_NAME.get(of or "")
    labels = _BY_ENUM.get(enum_type) if enum_type is not None else None
    if labels is not None:
        try:
            return str(labels[enum_type(value)])
        except (ValueError, KeyError):
            pass
    return str(getattr(value, "value", value))


def audit_kind(kind: str | None) -> str:
    """The translated label of an audit event kind; an unknown kind as it is."""
    if not kind:
        return ""
    found = AUDIT_KINDS.get(str(kind))
    return str(found) if found is not None else str(kind)


def _date_time_pattern(seconds: bool) -> str:
    """The locale's medium date and its short (or medium, with seconds) time, joined as the locale
    joins them: "MMM d, y, h:mm a" (en), "d MMM y, H:mm" (es), "d MMM y, HH:mm" (fr)."""
    locale = get_locale()
    date_pattern = locale.date_formats["medium"].pattern
    time_pattern = locale.time_formats["medium" if seconds else "short"].pattern
    glue = str(locale.datetime_formats["medium"])
    return glue.replace("{1}", date_pattern).replace("{0}", time_pattern)


def when(value: datetime | None, seconds: bool = False) -> str:
    """A date and time in the reader's locale (Flask-Babel's time zone)."""
    if value is None:
        return ""
    return format_datetime(value, _date_time_pattern(seconds))
