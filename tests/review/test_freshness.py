"""Freshness: the contact's dashboard by staleness and the TS's stale report (read-only world)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, or_, select

from directory_app import models  # noqa: F401  (models first: organisations.display alone hits an import cycle)
from directory_app.extensions import db
from directory_app.organisations.display import months_before
from directory_app.organisations.models import Organisation, Status
from directory_app.review.queries import entries_by_staleness, stale_report
from tests.review.helpers import text


def test_stale_report_counts_per_country(ctx):
    today = date.today()
    cutoff = months_before(today, 12)
    report = {row.country.code: row for row in stale_report(today)}
    assert len(report) == 11
    for code, row in report.items():
        published = Organisation.status == Status.PUBLISHED
        mine = Organisation.country_code == code
        stale = or_(Organisation.last_verified.is_(None), Organisation.last_verified < cutoff)
        assert row.published == db.session.scalar(select(func.count()).where(published, mine))
        assert len(row.stale) == db.session.scalar(select(func.count()).where(published, mine, stale))
        assert all(e.last_verified is None or e.last_verified < cutoff for e in row.stale)
    assert sum(len(r.stale) for r in report.values()) > 0


def test_entries_by_staleness_never_verified_first_then_oldest(ctx):
    entries = entries_by_staleness("MX")
    assert entries and {e.country_code for e in entries} == {"MX"}
    dates = [e.last_verified for e in entries]
    never = [d for d in dates if d is None]
    assert dates[: len(never)] == never
    assert dates[len(never) :] == sorted(dates[len(never) :])


def test_dashboard_and_report_pages(client_as):
    contact = client_as("country_contact", "GT")
    page = text(contact.get("/my-entries"))
    uuids = set(re.findall(r"/organisations/([0-9a-f-]{36})/verify", page))
    assert uuids == {e.uuid for e in entries_by_staleness_in(contact, "GT")}
    report = client_as("ts_admin").get("/review/stale")
    assert report.status_code == 200 and "country-MX" in text(report)
    assert client_as("ts_admin").get("/my-entries?country=not-a-country").status_code == 400


def entries_by_staleness_in(client, country: str):
    with client.application.app_context():
        return entries_by_staleness(country)
