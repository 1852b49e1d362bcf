"""The review and audit pages speak the reader's language: kinds of change, statuses and audit
event kinds as translated labels (never the codes), dates and times in the locale's format (the
<time datetime> attribute stays ISO), and counts with the locale's digit grouping."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from babel.numbers import format_decimal
from flask import render_template_string
from sqlalchemy import func, insert, select

from directory_app.accounts.models import User
from directory_app.audit import KINDS
from directory_app.audit.models import AuditEvent
from directory_app.audit.queries import PAGE_SIZE
from directory_app.extensions import db
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import Organisation, Status
from directory_app.review.labels import AUDIT_KINDS, CHANGE_KINDS, PROPOSAL_STATUSES, audit_kind, label, when
from directory_app.review.models import ChangeKind, ProposalStatus
from directory_app.review.services import mark_verified, submit_change
from tests.conftest import TEST_USERS, login_as

MOMENT = datetime(2026, 1, 31, 14, 5, 9, tzinfo=UTC)


# --- the labels themselves ------------------------------------------------------------------


def test_every_code_has_a_label(fresh_ctx):
    with fresh_ctx.test_request_context("/?lang=en"):
        for member in [*ChangeKind, *ProposalStatus, *Status]:
            assert label(member) and label(member) != member.value, member
        for kind in KINDS:
            assert audit_kind(kind) != kind, f"audit kind {kind!r} has no label in review/labels.py"
    assert set(CHANGE_KINDS) == set(ChangeKind) and set(AUDIT_KINDS) == set(KINDS)


def test_labels_of_plain_values_and_unknown_codes(fresh_ctx):
    with fresh_ctx.test_request_context("/?lang=en"):
        assert label("published", "status") == label(Status.PUBLISHED) == "Published"
        assert label("update", "change") == label(ChangeKind.UPDATE) == "Update"
        assert label("pending", "proposal") == "Waiting for review"
        assert label("something-new", "status") == "something-new"
        assert label("update") == "update"  # a plain value without its enum stays as it is
        assert label(None) == "" and audit_kind(None) == ""
        assert audit_kind("login_failed") == "Failed sign-in"
        assert audit_kind("made_up_kind") == "made_up_kind"


def test_labels_are_translated_per_request(fresh_ctx):
    """'Waiting for review' is in the catalogs already: the lazy label follows the reader."""
    pending = PROPOSAL_STATUSES[ProposalStatus.PENDING]  # one lazy string for every request
    for lang, expected in (
        ("es", "En espera de revisión"),
        ("fr", "En attente de relecture"),
        ("en", "Waiting for review"),
    ):
        # a new app context each time: Flask-Babel keeps the locale for the app context
        with fresh_ctx.app_context(), fresh_ctx.test_request_context(f"/?lang={lang}"):
            assert label(ProposalStatus.PENDING) == str(pending) == expected


@pytest.mark.parametrize(
    "lang,expected,with_seconds",
    [
        ("en", "Jan 31, 2026, 2:05\u202fPM", "Jan 31, 2026, 2:05:09\u202fPM"),
        ("es", "31 ene 2026, 14:05", "31 ene 2026, 14:05:09"),
        ("fr", "31 janv. 2026, 14:05", "31 janv. 2026, 14:05:09"),
    ],
)
def test_dates_and_times_in_the_locale(fresh_ctx, lang, expected, with_seconds):
    with fresh_ctx.test_request_context(f"/?lang={lang}"):
        # Babel versions differ on the space before AM/PM (a narrow no-break space in recent CLDR).
        assert when(MOMENT).replace(" ", "\u202f") == expected.replace(" ", "\u202f")
        assert when(MOMENT, seconds=True).replace(" ", "\u202f") == with_seconds.replace(" ", "\u202f")
        assert when(MOMENT.replace(tzinfo=None)) == when(MOMENT)  # SQLite's naive datetimes are UTC
        assert when(None) == ""


@pytest.mark.parametrize(
    "lang,many,one",
    [
        ("en", "12,345 events", "1 event"),
        ("es", "12.345 eventos", "1 evento"),
        ("fr", "12\u202f345 événements", "1 événement"),
    ],
)
def test_ngettext_with_a_formatted_count(fresh_ctx, lang, many, one):
    """The pattern of the templates: the plural form follows the count, the text shows it grouped."""
    source = '{{ ngettext("%(num)s event", "%(num)s events", n, num=n|number) }}'
    with fresh_ctx.test_request_context(f"/?lang={lang}"):
        assert render_template_string(source, n=12345) == many
        assert render_template_string(source, n=1) == one


# --- the pages ------------------------------------------------------------------------------


def _user(role: str, country: str | None = None) -> User:
    key = role if country is None else f"{role}:{country}"
    return db.session.scalar(select(User).where(User.email == TEST_USERS[key].email))


@pytest.fixture
def reviewed(fresh_app):
    """A pending proposal (a contact renamed an entry) and a "still correct" revision of another."""
    with fresh_app.app_context(), fresh_app.test_request_context("/"):
        orgs = db.session.scalars(
            select(Organisation)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .order_by(Organisation.id)
            .limit(2)
        ).all()
        data = snapshot_of(orgs[0]) | {"name": "Casa Renombrada"}
        outcome = submit_change(
            _user("country_contact", "MX"), orgs[0], data, base_version=orgs[0].version, comment="nuevo nombre"
        )
        mark_verified(_user("ts_admin"), orgs[1], today=date(2026, 1, 31))
        db.session.commit()
        return {"proposal": outcome.proposal.id, "renamed": orgs[0].uuid, "verified": orgs[1].uuid}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


_ISO_TIME = re.compile(r'<time datetime="(\d{4}-\d\d-\d\d[T\d:.+\-]*)">([^<]+)</time>')


def _times(html: str) -> list[tuple[str, str]]:
    return _ISO_TIME.findall(html)


def test_queue_and_proposal_pages_show_labels_and_local_times(fresh_app, reviewed):
    ts = login_as(fresh_app.test_client(), "ts_admin")
    queue = _page(ts, "/review?lang=en")
    assert "<td>Update</td>" in queue and "<td>update</td>" not in queue
    times = _times(queue)
    assert times and all(not shown.startswith(iso[:10]) for iso, shown in times)  # not "2026-01-31 14:05"

    proposal = _page(ts, f"/review/{reviewed['proposal']}?lang=en")
    assert 'class="status-pending">Waiting for review</dd>' in proposal
    assert "<dd>Update</dd>" in proposal
    assert _times(proposal)
    spanish = _page(ts, f"/review/{reviewed['proposal']}?lang=es")
    assert 'class="status-pending">En espera de revisión</dd>' in spanish
    months_es = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
    assert any(any(f" {m} " in shown for m in months_es) for _iso, shown in _times(spanish))


def test_history_page_shows_labels_local_times_and_counts(fresh_app, reviewed):
    ts = login_as(fresh_app.test_client(), "ts_admin")
    history = _page(ts, f"/organisations/{reviewed['verified']}/history?lang=en")
    assert "· Confirmed as still correct</h2>" in history and "· Initial state</h2>" in history
    assert "· verify</h2>" not in history and "· baseline</h2>" not in history
    assert "status: Published" in history
    assert "1 change<" in history and ">Last verified</strong>:" in history  # only last_verified: the singular
    times = _times(history)
    assert times and all(re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}", shown) for _iso, shown in times)


def test_dashboard_and_stale_pages(fresh_app, reviewed):
    ts = login_as(fresh_app.test_client(), "ts_admin")
    dashboard = _page(ts, "/my-entries?country=MX&lang=en")
    assert "(Update, <time" in dashboard
    assert "<td>Published</td>" in dashboard and "<td>published</td>" not in dashboard
    assert '<time datetime="2026-01-31">Jan 31, 2026</time>' in dashboard
    french = _page(ts, "/my-entries?country=MX&lang=fr")
    assert '<time datetime="2026-01-31">31 janv. 2026</time>' in french
    stale = _page(ts, "/review/stale?lang=en")
    assert re.search(r"last verified [A-Z][a-z]{2} \d{1,2}, \d{4}|never verified", stale)
    assert not re.search(r"last verified \d{4}-\d\d-\d\d", stale)


def test_audit_page_labels_times_and_grouped_count(fresh_app):
    with fresh_app.app_context():
        db.session.execute(
            insert(AuditEvent),
            [
                {"at": MOMENT, "kind": "login_failed", "user_email": "", "ip": "", "detail": f"n{i}"}
                for i in range(1234)
            ],
        )
        db.session.commit()
        # The world may hold failed sign-ins of other tests already: count what the page will count.
        total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "login_failed"))
    assert total >= 1234
    ts = login_as(fresh_app.test_client(), "ts_admin")
    html = _page(ts, "/admin/audit?kind=login_failed&lang=en")
    assert f"{total:,} events" in html and f"page 1 of {-(-total // PAGE_SIZE)}" in html
    assert "<td>Failed sign-in</td>" in html and "<td>login_failed</td>" not in html
    assert '<option value="login_failed" selected>Failed sign-in</option>' in html
    assert re.search(r"<td>Jan 31, 2026, 2:05:09\sPM</td>", html)  # a plain cell (tests/audit reads the rows)
    french = _page(ts, "/admin/audit?kind=login_failed&lang=fr")
    assert f"{format_decimal(total, locale='fr')} " in french and "31 janv. 2026, 14:05:09" in french
    spanish = _page(ts, "/admin/audit?kind=login_failed&lang=es")
    assert f"{format_decimal(total, locale='es')} " in spanish
    # The filter still takes the code; a bad kind is still refused.
    assert ts.get("/admin/audit?kind=nonsense").status_code == 400
