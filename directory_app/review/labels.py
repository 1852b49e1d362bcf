"""Readable labels, in the reader's language, for the codes the review and audit pages show: kinds
of change, proposal statuses, organisation statuses and audit event kinds; and dates with a time
in the locale's format.

Jinja filters (registered by directory_app.i18n):

    {{ proposal.kind|label }}      "Update" / "Modificación" / "Modification"
    {{ proposal.status|label }}    "Waiting for review" / ...
    {{ org.status|label }}         "Published" / "Publicado" / "Publié"
    {{ entry.status|label("status") }}   the same from a plain value ("change", "proposal", "status")
    {{ event.kind|audit_kind }}    "Failed sign-in" / ...; an unknown kind is shown as it is
    {{ event|audit_detail }}       "proposal 12" -> "propuesta 12"; other details as recorded
    {{ revision.created_at|when }} "Jan 31, 2026, 2:05 PM" / "31 ene 2026, 14:05" / "31 janv. 2026, 14:05"
    {{ event.at|when(seconds=True) }}
    {{ change.field_name|field_label }}  "services[0].name" -> "Service 1: Name" / "Servicio 1: Nombre"
                                   (organisations.entry_labels, from the entry's definition)
    {{ change.previous_value|diff_value(path) }}  a country code, kind, category or status as its name
    {{ proposal.country_code|country_code_name }}  "GT" -> "Guatemala"

Times are shown in the user time zone of Flask-Babel (BABEL_DEFAULT_TIMEZONE, UTC unless set); a
naive datetime (SQLite gives them back so) counts as UTC. Machine-readable values stay ISO in the
<time datetime="..."> attribute.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime

from flask_babel import format_datetime, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory_app.organisations.entry_labels import field_label
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
    ProposalStatus.APPROVED_IN_PART: _l("Approved in part and published"),
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
    "sign_in_alert": _l("Owner warned of failed sign-ins"),
    "two_factor_enabled": _l("Two-step sign-in turned on"),
    "two_factor_reset": _l("Two-step sign-in reset"),
    "recovery_code_used": _l("Recovery code used"),
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
    "proposal_amended": _l("Proposal amended by its author"),
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


_PROPOSAL_DETAIL = re.compile(r"^proposal (\d+)$")
_FAILURES_DETAIL = re.compile(r"^(\d+) failed sign-ins within an hour$")
_CODES_LEFT_DETAIL = re.compile(r"^(\d+) left$")


def audit_detail(event) -> str:
    """An audit event's detail in the reader's language where the directory wrote it ("proposal 12",
    "5 failed sign-ins within an hour", "7 left" of a recovery code); anything else (an email, a
    comment, a request path) as recorded. The log itself keeps the English, for logs and exports."""
    detail = str(getattr(event, "detail", "") or "")
    found = _PROPOSAL_DETAIL.match(detail)
    if found:
        return _("proposal %(id)d", id=int(found[1]))
    found = _FAILURES_DETAIL.match(detail)
    if found and event.kind == "sign_in_alert":
        count = int(found[1])
        return ngettext("%(num)d failed sign-in within an hour", "%(num)d failed sign-ins within an hour", count)
    found = _CODES_LEFT_DETAIL.match(detail)
    if found and event.kind == "recovery_code_used":
        count = int(found[1])
        return ngettext("%(num)d recovery code left", "%(num)d recovery codes left", count)
    return detail


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


def country_code_name(code: str | None) -> str:
    """A country's name in the reader's language from its ISO code ("GT" -> "Guatemala"); an
    unknown code as it is."""
    if not code:
        return ""
    from directory_app.extensions import db
    from directory_app.geography.models import Country
    from directory_app.organisations.display import country_name

    country = db.session.get(Country, str(code)) if len(str(code)) == 2 else None
    return country_name(country) if country is not None else str(code)


_COUNTRY_PATH = re.compile(r"^(country_code|locations\[\d+\]\.country_code|coverage\[\d+\]\.country)$")


def diff_value(value, path: str | None) -> str:
    """A value of a diff row as the reader knows it: a country code as the country's name, an
    organisation kind, a service category or an entry status as its label; anything else (and
    "", shown as empty) as it is."""
    if value is None or value == "" or not path:
        return "" if value is None else value
    from directory_app.organisations.display import category_label, kind_label

    path = str(path)
    if _COUNTRY_PATH.match(path):
        return country_code_name(value)
    if path == "kind":
        return kind_label(str(value))
    if path == "status":
        return label(str(value), "status")
    if re.match(r"^services\[\d+\]\.category$", path):
        return category_label(str(value))
    return value


def init_label_filters(app) -> None:
    """The Jinja filters that name codes, fields, values and times in the reader's language (review,
    history, audit and edit pages), registered by the app factory."""
    app.jinja_env.filters.update(label=label, audit_kind=audit_kind, audit_detail=audit_detail, when=when)
    app.jinja_env.filters.update(field_label=field_label, diff_value=diff_value, country_code_name=country_code_name)
