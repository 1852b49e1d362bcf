"""The notification topics, who may receive each, and the default delivery mode.

The topic strings are shared with the watch/reminder helper: keep them exact.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from directory_app.accounts.models import Role


class Mode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


PROPOSAL_RECEIVED = "proposal_received"
PROPOSAL_DECIDED = "proposal_decided"
ENTRY_CHANGED = "entry_changed"
ACCOUNT_CHANGED = "account_changed"
FRESHNESS_REMINDER = "freshness_reminder"
FRESHNESS_SUMMARY = "freshness_summary"
WATCH = "watch"

TOPICS = (
    PROPOSAL_RECEIVED,
    PROPOSAL_DECIDED,
    ENTRY_CHANGED,
    ACCOUNT_CHANGED,
    FRESHNESS_REMINDER,
    FRESHNESS_SUMMARY,
    WATCH,
)

DEFAULT_MODE = {
    PROPOSAL_RECEIVED: Mode.IMMEDIATE,
    PROPOSAL_DECIDED: Mode.IMMEDIATE,
    ENTRY_CHANGED: Mode.IMMEDIATE,
    ACCOUNT_CHANGED: Mode.IMMEDIATE,
    FRESHNESS_REMINDER: Mode.IMMEDIATE,
    FRESHNESS_SUMMARY: Mode.IMMEDIATE,
    WATCH: Mode.IMMEDIATE,
}

TOPIC_LABELS = {
    PROPOSAL_RECEIVED: _l("A proposal arrives for review"),
    PROPOSAL_DECIDED: _l("My proposal is approved or rejected"),
    ENTRY_CHANGED: _l("The Technical Secretariat changes, archives or restores an entry of my country"),
    ACCOUNT_CHANGED: _l("My role or country changes"),
    FRESHNESS_REMINDER: _l("Reminders of my country's entries not verified for a long time"),
    FRESHNESS_SUMMARY: _l("Summary of unverified entries per country"),
    WATCH: _l("Changes to the districts and organisations I follow"),
}

TOPICS_BY_ROLE = {
    Role.TS_ADMIN: (PROPOSAL_RECEIVED, ENTRY_CHANGED, ACCOUNT_CHANGED, FRESHNESS_SUMMARY, WATCH),
    Role.COUNTRY_CONTACT: (PROPOSAL_DECIDED, ENTRY_CHANGED, ACCOUNT_CHANGED, FRESHNESS_REMINDER, WATCH),
    Role.CONSULAR: (ACCOUNT_CHANGED, WATCH),
}


def topics_for(role: Role) -> tuple[str, ...]:
    """The topics a person of `role` can receive (the rows of their settings page)."""
    return TOPICS_BY_ROLE.get(role, (ACCOUNT_CHANGED, WATCH))
