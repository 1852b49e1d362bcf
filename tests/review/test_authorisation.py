"""Who may use each route of the editing workflow: every route x every role x own/other country,
on both backends. "own" is the country contact of the entry's country (Mexico), "other" the
Guatemalan contact. Refused requests change nothing."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeProposal, ProposalStatus
from tests.conftest import login_as
from tests.review.helpers import any_token, open_form, org_uuid

WHO = ("public", "consular", "own", "other", "ts")
EDITORS = {"public": 302, "consular": 403, "own": 200, "other": 403, "ts": 200}
TS_ONLY = {"public": 302, "consular": 403, "own": 403, "other": 403, "ts": 200}
CONTACTS_AND_TS = {"public": 302, "consular": 403, "own": 200, "other": 200, "ts": 200}
AUTHOR_ONLY = {"public": 302, "consular": 403, "own": 200, "other": 403, "ts": 403}


def clients(app) -> dict:
    return {
        "public": app.test_client(),
        "consular": login_as(app.test_client(), "consular"),
        "own": login_as(app.test_client(), "country_contact", "MX"),
        "other": login_as(app.test_client(), "country_contact", "GT"),
        "ts": login_as(app.test_client(), "ts_admin"),
    }


def state(app, uuid: str) -> tuple:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        statuses = tuple(db.session.scalars(select(ChangeProposal.status).order_by(ChangeProposal.id)))
        return org.name, org.version, org.status, org.last_verified, statuses


def test_every_route_every_role(fresh_app):
    mx = org_uuid(fresh_app, "MX")
    users = clients(fresh_app)
    form = open_form(users["own"], f"/organisations/{mx}/edit")
    assert users["own"].post(f"/organisations/{mx}/edit", data=form | {"name": "Propuesta"}).status_code == 302
    with fresh_app.app_context():
        pid = db.session.scalar(select(ChangeProposal.id))
    reads = {
        f"/organisations/{mx}/edit": EDITORS,
        f"/organisations/{mx}/edit/coverage": EDITORS,
        f"/organisations/{mx}/history": EDITORS,
        f"/organisations/{mx}/history.json": EDITORS,
        f"/organisations/{mx}/history/1/restore": EDITORS,
        f"/organisations/{mx}/archive": EDITORS,
        "/organisations/new": CONTACTS_AND_TS,
        "/my-entries": CONTACTS_AND_TS,
        "/review": TS_ONLY,
        "/review/stale": TS_ONLY,
        f"/review/{pid}": EDITORS,
        f"/review/{pid}/coverage.geojson": EDITORS,
        f"/review/{pid}/amend": AUTHOR_ONLY,
    }
    for url, expected in reads.items():
        for who in WHO:
            response = users[who].get(url)
            assert response.status_code == expected[who], (url, who, response.status_code)
            if expected[who] == 302:
                assert "/login" in response.location
    for url in (f"/organisations/{uuid4()}/edit", "/organisations/not-a-uuid/history", "/review/999999"):
        assert users["ts"].get(url).status_code == 404, url
    assert users["ts"].get(f"/organisations/{mx}/history/999/restore").status_code == 404

    before = state(fresh_app, mx)
    refused_editors = {"public": 302, "consular": 403, "other": 403}
    refused_reviewers = {"public": 302, "consular": 403, "own": 403, "other": 403}
    writes = [
        (f"/organisations/{mx}/edit", form | {"name": "Intruso"}, refused_editors),
        (f"/organisations/{mx}/edit/merge", {"version": before[1], "yours": "{}"}, refused_editors),
        (f"/organisations/{mx}/edit/coverage", {"version": before[1], "units": "country:GT"}, refused_editors),
        (f"/organisations/{mx}/verify", {}, refused_editors),
        (f"/organisations/{mx}/archive", {"version": before[1]}, refused_editors),
        (f"/organisations/{mx}/history/1/restore", {"version": before[1]}, refused_editors),
        ("/organisations/new", {"name": "X", "kind": "shelter"}, {"public": 302, "consular": 403}),
        (f"/review/{pid}/approve", {}, refused_reviewers),
        (f"/review/{pid}/reject", {}, refused_reviewers),
        (f"/review/{pid}/merge", {"version": before[1]}, refused_reviewers),
        (f"/review/{pid}/amend", form | {"name": "Intruso"}, refused_editors | {"ts": 403}),
    ]
    tokens = {who: any_token(client) for who, client in users.items()}  # one token per session
    for url, data, refused in writes:
        for who, status in refused.items():
            payload = {k: v for k, v in data.items() if k != "csrf_token"} | {"csrf_token": tokens[who]}
            response = users[who].post(url, data=payload)
            assert response.status_code == status, (url, who, response.status_code)
    assert state(fresh_app, mx) == before
    assert before[4] == (ProposalStatus.PENDING,)
