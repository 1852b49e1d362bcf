"""Freshness reminders: on the schedule the Technical Secretariat sets, each country contact is told
of their country's published entries not verified for N months, each with its "still correct" link;
the TS gets the summary per country.

`flask send-reminders` runs `send_reminders()` (a systemd timer or cron starts it, e.g. daily; see
docs/deploy.md): it sends only when the schedule says a new period began (every `interval_months`
calendar months since the last run), so running it twice in a period sends once. Two runs at the same
time cannot both send: the run is claimed by one conditional UPDATE of the schedule's row, in the same
transaction as the messages it writes (notifications.outbox), which `flask send-mail` then sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update

from directory_app.accounts.models import Role, User
from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.notifications.outbox import enqueue
from directory_app.notifications.topics import FRESHNESS_REMINDER, FRESHNESS_SUMMARY
from directory_app.public_links import public_url
from directory_app.review.queries import CountryStaleness, EntryFreshness, stale_report
from directory_app.watch.links import site_path
from directory_app.watch.models import ReminderSchedule

MAX_LISTED = 100  # entries listed in one email; the rest are on the dashboard it links to


@dataclass
class RunResult:
    """What a run did: `due` False when nothing was sent because the period's reminders went out."""

    due: bool
    next_due: date | None = None
    contacts: int = 0
    summaries: int = 0
    countries: list[str] = field(default_factory=list)


def reminder_schedule() -> ReminderSchedule:
    """The schedule's one row (created with the defaults when missing; flushed)."""
    schedule = db.session.get(ReminderSchedule, 1)
    if schedule is None:
        schedule = ReminderSchedule(id=1, enabled=True, interval_months=1, stale_after_months=12, runs=0)
        db.session.add(schedule)
        db.session.flush()
    return schedule


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def next_due(schedule: ReminderSchedule) -> date | None:
    """The first day of the period of the next run (None: never ran, so due now)."""
    if schedule.last_run_at is None:
        return None
    index = _month_index(schedule.last_run_at.date()) + schedule.interval_months
    return date(index // 12, index % 12 + 1, 1)


def is_due(schedule: ReminderSchedule, today: date) -> bool:
    """True when the schedule is on and a new period began since the last run."""
    due = next_due(schedule)
    return schedule.enabled and (due is None or today >= due)


def _claim(schedule: ReminderSchedule, now: datetime) -> bool:
    """Record this run on the schedule unless another run recorded one since it was read."""
    seen = schedule.runs
    result = db.session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.id == schedule.id, ReminderSchedule.runs == seen)
        .values(runs=seen + 1, last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(schedule)
    return result.rowcount == 1


def country_contacts(country_code: str) -> list[User]:
    """The active accounts of a country's contact persons (who may mark its entries as verified)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.COUNTRY_CONTACT,
                User.country_code == country_code,
                User.is_active_account.is_(True),
            )
            .order_by(User.id)
        )
    )


def secretariat() -> list[User]:
    """The active accounts of the Technical Secretariat."""
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.TS_ADMIN, User.is_active_account.is_(True)).order_by(User.id)
        )
    )


def send_reminders(*, now: datetime | None = None, force: bool = False) -> RunResult:
    """Write this period's reminders and summaries to the outbox (flush only: the caller commits).
    `force` sends even when the period's reminders went out already (and starts a new period)."""
    now = now or utcnow()
    schedule = reminder_schedule()
    if not force and not is_due(schedule, now.date()):
        return RunResult(due=False, next_due=next_due(schedule) if schedule.enabled else None)
    if not _claim(schedule, now):
        return RunResult(due=False, next_due=next_due(schedule))
    months = schedule.stale_after_months
    report = stale_report(now.date(), months)
    result = RunResult(due=True, next_due=next_due(schedule))
    contacted: set[str] = set()
    for country in report:
        if not country.stale:
            continue
        for contact in country_contacts(country.country.code):
            if _remind(contact, country, months):
                result.contacts += 1
                contacted.add(country.country.code)
    result.countries = sorted(contacted)
    for person in secretariat():
        if _summarise(person, report, months, contacted):
            result.summaries += 1
    return result


def _remind(contact: User, country: CountryStaleness, months: int) -> bool:
    count = len(country.stale)

    def subject() -> str:
        return ngettext(
            "%(num)d entry of %(country)s not verified for %(months)s months",
            "%(num)d entries of %(country)s not verified for %(months)s months",
            count,
            country=country.country.name(_language()),
            months=months,
        )

    def body() -> str:
        lines = [
            _(
                "These entries of %(country)s have not been verified for %(months)s months or more. "
                "Please check each one; when it is still correct, open its link, sign in and confirm.",
                country=country.country.name(_language()),
                months=months,
            ),
            "",
        ]
        for entry in country.stale[:MAX_LISTED]:
            lines += _entry_lines(entry)
        if count > MAX_LISTED:
            lines.append(_("… and %(num)s more on your entries page.", num=count - MAX_LISTED))
        return "\n".join(lines)

    return (
        enqueue(
            user=contact, topic=FRESHNESS_REMINDER, subject=subject, body=body, link_path=site_path("review.dashboard")
        )
        is not None
    )


def _entry_lines(entry: EntryFreshness) -> list[str]:
    verified = format_date(entry.last_verified, "medium") if entry.last_verified else _("never")
    return [
        f"- {entry.name}",
        "  " + _("Last verified: %(date)s", date=verified),
        "  " + _("Still correct? %(link)s", link=public_url("watch.still_correct", organisation_uuid=entry.uuid)),
        "",
    ]


def _summarise(person: User, report: list[CountryStaleness], months: int, contacted: set[str]) -> bool:
    total = sum(len(c.stale) for c in report)

    def subject() -> str:
        return ngettext(
            "Freshness: %(num)d entry not verified for %(months)s months",
            "Freshness: %(num)d entries not verified for %(months)s months",
            total,
            months=months,
        )

    def body() -> str:
        lines = [_("Published entries not verified for %(months)s months or more, per country:", months=months), ""]
        for country in report:
            if not country.published:
                continue
            name = country.country.name(_language())
            line = _(
                "%(country)s: %(stale)s of %(published)s",
                country=name,
                stale=len(country.stale),
                published=country.published,
            )
            if country.stale and country.country.code not in contacted:
                line += " " + _("(no contact person with an account was reminded)")
            lines.append(f"- {line}")
        return "\n".join(lines)

    return (
        enqueue(user=person, topic=FRESHNESS_SUMMARY, subject=subject, body=body, link_path=site_path("review.stale"))
        is not None
    )


def _language() -> str:
    from directory_app.i18n import current_language

    return current_language()
