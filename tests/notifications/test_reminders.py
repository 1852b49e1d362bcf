"""Freshness reminders on both backends: `flask send-reminders` writes, for each country contact and in
their language (es, fr), exactly their country's published entries not verified for N months, each
with its "still correct" link on PUBLIC_BASE_URL; the TS gets the summary per country; a second run in
the same period sends nothing; the schedule page and the still-correct page check who asks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from babel.dates import format_date
from sqlalchemy import select, update

from directory_app.accounts.models import User
from directory_app.audit.models import AuditEvent
from directory_app.extensions import db
from directory_app.notifications.models import OutboxMessage
from directory_app.organisations.display import months_before
from directory_app.organisations.models import Organisation, Status
from directory_app.watch.models import ReminderSchedule
from tests.conftest import TEST_USERS, login_as
from tests.notifications.conftest import PUBLIC, body_of, run_command, send_mail
from tests.review.helpers import any_token, org_uuid, text

CONTACT_MX = TEST_USERS["country_contact:MX"].email
CONTACT_GT = TEST_USERS["country_contact:GT"].email
TS = TEST_USERS["ts_admin"].email


@pytest.fixture
def reminders_app(fresh_app):
    fresh_app.config["PUBLIC_BASE_URL"] = PUBLIC
    with fresh_app.app_context():
        db.session.execute(update(User).where(User.email == CONTACT_MX).values(language="es"))
        db.session.execute(update(User).where(User.email == CONTACT_GT).values(language="fr"))
        db.session.commit()
    return fresh_app


def entries(app, country: str, months: int = 12) -> tuple[list[tuple[str, str, date | None]], list[str]]:
    """(stale entries as (uuid, name, last verified), uuids of the others) of a country's published entries."""
    cutoff = months_before(date.today(), months)
    with app.app_context():
        rows = db.session.execute(
            select(Organisation.uuid, Organisation.name, Organisation.last_verified).where(
                Organisation.country_code == country, Organisation.status == Status.PUBLISHED
            )
        ).all()
    stale = [(u, n, v) for u, n, v in rows if v is None or v < cutoff]
    return stale, [u for u, _n, v in rows if not (v is None or v < cutoff)]


def messages(app, topic: str, to: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to_address == to)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize(("country", "email", "language"), [("MX", CONTACT_MX, "es"), ("GT", CONTACT_GT, "fr")])
def test_each_contact_gets_their_stale_entries_in_their_language(reminders_app, country, email, language):
    stale, fresh = entries(reminders_app, country)
    assert stale and fresh  # the demo world has both
    output = run_command(reminders_app, "send-reminders")
    assert "Reminders written to the outbox" in output

    (message,) = messages(reminders_app, "freshness_reminder", email)
    assert message.language == language and str(message.status) == "pending"
    body = message.body_text
    for uuid, name, verified in stale:
        assert name in body
        assert f"{PUBLIC}/organisations/{uuid}/still-correct" in body
        if verified is not None:  # dates in the contact's language (Babel's data, no catalog needed)
            assert format_date(verified, "medium", locale=language) in body
    for uuid in fresh:
        assert uuid not in body
    others, _fresh = entries(reminders_app, "GT" if country == "MX" else "MX")
    assert not any(uuid in body for uuid, _n, _v in others)
    assert f"{PUBLIC}/my-entries" in body  # the dashboard, where every entry can be confirmed
    assert str(len(stale)) in message.subject


def test_the_ts_gets_the_summary_per_country(reminders_app):
    run_command(reminders_app, "send-reminders")
    (summary,) = messages(reminders_app, "freshness_summary", TS)
    mx_stale, mx_fresh = entries(reminders_app, "MX")
    gt_stale, gt_fresh = entries(reminders_app, "GT")
    assert f"Mexico: {len(mx_stale)} of {len(mx_stale) + len(mx_fresh)}" in summary.body_text
    assert f"Guatemala: {len(gt_stale)} of {len(gt_stale) + len(gt_fresh)}" in summary.body_text
    assert f"{PUBLIC}/review/stale" in summary.body_text
    assert messages(reminders_app, "freshness_summary", CONTACT_MX) == []  # contacts get their own list only


def test_twice_in_a_period_sends_once_then_the_next_period_again(reminders_app):
    def written() -> int:
        return len(messages(reminders_app, "freshness_reminder")) + len(messages(reminders_app, "freshness_summary"))

    run_command(reminders_app, "send-reminders")
    first = written()
    assert first >= 3
    assert "Not due" in run_command(reminders_app, "send-reminders")
    assert written() == first

    with reminders_app.app_context():  # the last run was in an earlier month: a new period began
        db.session.execute(update(ReminderSchedule).values(last_run_at=datetime(2020, 1, 15, tzinfo=UTC)))
        db.session.commit()
    assert "Reminders written" in run_command(reminders_app, "send-reminders")
    assert len(messages(reminders_app, "freshness_reminder", CONTACT_MX)) == 2
    assert "Reminders written" in run_command(reminders_app, "send-reminders", "--force")
    assert len(messages(reminders_app, "freshness_reminder", CONTACT_MX)) == 3

    with reminders_app.app_context():
        db.session.execute(update(ReminderSchedule).values(enabled=False, last_run_at=None))
        db.session.commit()
    assert "switched off" in run_command(reminders_app, "send-reminders")
    assert len(messages(reminders_app, "freshness_reminder", CONTACT_MX)) == 3


def test_a_reminder_reaches_a_real_smtp_server_in_spanish(mail_app, smtp_server):
    with mail_app.app_context():
        db.session.execute(update(User).where(User.email == CONTACT_MX).values(language="es"))
        db.session.commit()
    run_command(mail_app, "send-reminders")
    send_mail(mail_app)
    (mail,) = smtp_server.inbox.to(CONTACT_MX)
    assert mail["Content-Language"] == "es"
    stale, _fresh = entries(mail_app, "MX")
    assert all(f"{PUBLIC}/organisations/{uuid}/still-correct" in body_of(mail) for uuid, _n, _v in stale)


def test_the_schedule_page_is_the_ts_s(reminders_app):
    url = "/admin/reminders"
    assert "/login" in reminders_app.test_client().get(url).location
    for role, country in (("consular", None), ("country_contact", "MX")):
        client = login_as(reminders_app.test_client(), role, country)
        assert client.get(url).status_code == 403
        assert client.post(url, data={"csrf_token": any_token(client), "interval_months": "2",
                                      "stale_after_months": "3", "enabled": "y"}).status_code == 403  # fmt: skip
    ts = login_as(reminders_app.test_client(), "ts_admin")
    page = text(ts.get(url))
    assert "Mexico" in page and 'name="interval_months"' in page
    token = any_token(ts)
    bad = ts.post(url, data={"csrf_token": token, "interval_months": "0", "stale_after_months": "99", "enabled": "y"})
    assert bad.status_code == 400
    assert "Give a whole number from 1 to 12." in text(bad) and "Give a whole number from 1 to 60." in text(bad)
    assert ts.post(url, data={"interval_months": "3", "stale_after_months": "6"}).status_code == 400  # no CSRF
    with reminders_app.app_context():
        assert db.session.get(ReminderSchedule, 1) is None  # nothing saved by a refused form
    good = ts.post(url, data={"csrf_token": token, "interval_months": "3", "stale_after_months": "6", "enabled": "y"})
    assert good.status_code == 302
    with reminders_app.app_context():
        saved = db.session.get(ReminderSchedule, 1)
        assert (saved.enabled, saved.interval_months, saved.stale_after_months) == (True, 3, 6)
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "reminder_schedule"))
    run_command(reminders_app, "send-reminders")
    stale_6, _fresh = entries(reminders_app, "MX", months=6)
    (message,) = messages(reminders_app, "freshness_reminder", CONTACT_MX)
    assert all(uuid in message.body_text for uuid, _n, _v in stale_6)


def test_still_correct_asks_first_and_only_who_may_edit(reminders_app):
    uuid = org_uuid(reminders_app, "MX")
    url = f"/organisations/{uuid}/still-correct"
    with reminders_app.app_context():
        db.session.execute(update(Organisation).where(Organisation.uuid == uuid).values(last_verified=date(2020, 1, 1)))
        db.session.commit()
    assert "/login" in reminders_app.test_client().get(url).location
    assert login_as(reminders_app.test_client(), "country_contact", "GT").get(url).status_code == 403
    assert login_as(reminders_app.test_client(), "consular").get(url).status_code == 403
    contact = login_as(reminders_app.test_client(), "country_contact", "MX")
    page = text(contact.get(url))
    assert f'action="/organisations/{uuid}/verify"' in page and 'method="post"' in page
    with reminders_app.app_context():  # the GET changed nothing
        verified = db.session.scalar(select(Organisation.last_verified).where(Organisation.uuid == uuid))
        assert verified == date(2020, 1, 1)
    assert contact.post(f"/organisations/{uuid}/verify", data={}).status_code == 400  # no CSRF token
    response = contact.post(f"/organisations/{uuid}/verify", data={"csrf_token": any_token(contact)})
    assert response.status_code == 302
    with reminders_app.app_context():
        verified = db.session.scalar(select(Organisation.last_verified).where(Organisation.uuid == uuid))
        assert verified == date.today()
    assert (
        login_as(reminders_app.test_client(), "country_contact", "MX")
        .get("/organisations/not-a-uuid/still-correct")
        .status_code
        == 404
    )


def test_a_contact_who_chose_none_gets_no_reminder_and_the_summary_says_so(reminders_app):
    from directory_app.notifications.models import NotificationSetting

    with reminders_app.app_context():
        contact = db.session.scalar(select(User).where(User.email == CONTACT_MX))
        db.session.add(NotificationSetting(user_id=contact.id, topic="freshness_reminder", mode="none"))
        db.session.commit()
    run_command(reminders_app, "send-reminders")
    assert messages(reminders_app, "freshness_reminder", CONTACT_MX) == []
    assert len(messages(reminders_app, "freshness_reminder", CONTACT_GT)) == 1
    (summary,) = messages(reminders_app, "freshness_summary", TS)
    mexico = next(line for line in summary.body_text.splitlines() if line.startswith("- Mexico:"))
    assert "no contact person with an account was reminded" in mexico
