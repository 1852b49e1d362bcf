"""The review of proposals made on an older version, through the pages, on both backends: fields
changed on both sides must each be chosen before the approval is saved; "approved in part" is what
the contact sees; a pending proposal is announced on the edit page and its author amends it; the
queue groups proposals by entry; a restore shows its differences before it is confirmed; a save
that changes nothing records nothing; items keep their ids."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from directory_app.audit import AuditEvent
from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Service
from directory_app.review.models import ChangeProposal, ProposalStatus, Revision
from tests.review.helpers import any_token, form_fields, open_form, org_uuid, text
from tests.review.test_workflow_views import latest_proposal_id, org_row


def revision_count(app, uuid: str) -> int:
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.uuid == uuid))
        return db.session.scalar(select(func.count(Revision.id)).where(Revision.organisation_id == org_id))


def proposal_row(app, proposal_id: int) -> ChangeProposal:
    with app.app_context():
        proposal = db.session.get(ChangeProposal, proposal_id)
        db.session.expunge(proposal)
        return proposal


def test_fields_changed_on_both_sides_must_each_be_chosen_and_approval_in_part_is_shown(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=4)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    proposed = form | {"website": "https://propuesta.example.org", "email": "propuesta@example.org"}
    assert contact.post(f"/organisations/{uuid}/edit", data=proposed).status_code == 302
    proposal_id = latest_proposal_id(fresh_app)
    # meanwhile the TS changes the website (to something else) and the name
    ts_form = open_form(ts, f"/organisations/{uuid}/edit")
    published = ts_form | {"website": "https://publicada.example.org", "name": "Nombre nuevo"}
    assert ts.post(f"/organisations/{uuid}/edit", data=published).status_code == 302

    page = ts.get(f"/review/{proposal_id}")
    assert "1 field was changed on both sides" in text(page)
    merge_page = ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts), "comment": "visto"})
    assert merge_page.status_code == 200
    html = text(merge_page)
    assert "Published now (changed by" in html and "Proposed by" in html
    assert "Keep published" in html and "Take proposed" in html
    fields = form_fields(html, 'class="merge-form"')
    assert [name for name in fields if name.startswith("choice-")] == []  # nothing chosen beforehand
    assert 'name="choice-website"' in html and 'name="choice-email"' not in html  # only the website conflicts

    refused = ts.post(f"/review/{proposal_id}/merge", data=fields)
    assert refused.status_code == 400
    assert "Choose, for each field changed on both sides" in text(refused) and "Website" in text(refused)
    assert proposal_row(fresh_app, proposal_id).status is ProposalStatus.PENDING
    assert org_row(fresh_app, uuid).email != "propuesta@example.org"

    assert ts.post(f"/review/{proposal_id}/merge", data=fields | {"choice-website": "published"}).status_code == 302
    org = org_row(fresh_app, uuid)
    assert (org.name, org.website, org.email) == (
        "Nombre nuevo",
        "https://publicada.example.org",
        "propuesta@example.org",
    )
    proposal = proposal_row(fresh_app, proposal_id)
    assert proposal.status is ProposalStatus.APPROVED_IN_PART and proposal.kept_published == ["website"]
    # what the contact sees
    mine = text(contact.get(f"/review/{proposal_id}"))
    assert "Approved in part and published" in mine and "Website kept as published" in mine and "visto" in mine
    dashboard = text(contact.get("/my-entries"))
    assert "Approved in part and published: Website kept as published" in dashboard


def test_taking_the_proposed_value_is_a_full_approval(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=5)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    contact.post(f"/organisations/{uuid}/edit", data=form | {"website": "https://propuesta.example.org"})
    proposal_id = latest_proposal_id(fresh_app)
    ts_form = open_form(ts, f"/organisations/{uuid}/edit")
    ts.post(f"/organisations/{uuid}/edit", data=ts_form | {"website": "https://publicada.example.org"})
    fields = form_fields(text(ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts)})), "merge")
    assert ts.post(f"/review/{proposal_id}/merge", data=fields | {"choice-website": "proposed"}).status_code == 302
    assert org_row(fresh_app, uuid).website == "https://propuesta.example.org"
    assert proposal_row(fresh_app, proposal_id).status is ProposalStatus.APPROVED


def test_a_pending_proposal_is_announced_and_its_author_amends_it(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=8)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    assert "already waiting for review" not in text(contact.get(f"/organisations/{uuid}/edit"))
    contact.post(f"/organisations/{uuid}/edit", data=form | {"email": "primera@example.org"})
    proposal_id = latest_proposal_id(fresh_app)

    edit_page = text(contact.get(f"/organisations/{uuid}/edit"))
    assert "A change of this entry is already waiting for review" in edit_page
    assert f'href="/review/{proposal_id}"' in edit_page and f'href="/review/{proposal_id}/amend"' in edit_page
    ts_page = text(ts.get(f"/organisations/{uuid}/edit"))
    assert "already waiting for review" in ts_page and "/amend" not in ts_page  # only its author amends
    assert "already waiting for review" in text(contact.get(f"/organisations/{uuid}/edit/coverage"))

    amend = open_form(contact, f"/review/{proposal_id}/amend")
    assert amend["email"] == "primera@example.org"  # the form shows the proposal, not the published entry
    response = contact.post(f"/review/{proposal_id}/amend", data=amend | {"email": "segunda@example.org"})
    assert response.status_code == 302 and response.location.endswith(f"/review/{proposal_id}")
    assert latest_proposal_id(fresh_app) == proposal_id  # no second proposal
    proposal = proposal_row(fresh_app, proposal_id)
    assert proposal.snapshot["email"] == "segunda@example.org" and proposal.amended_at is not None
    assert proposal.status is ProposalStatus.PENDING
    with fresh_app.app_context():
        kinds = db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id.desc()).limit(5)).all()
        assert "proposal_amended" in kinds
    assert "amended on" in text(contact.get(f"/review/{proposal_id}"))
    # approved as amended
    assert ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts)}).status_code == 302
    assert org_row(fresh_app, uuid).email == "segunda@example.org"
    # a decided proposal is not amended any more
    late = contact.post(f"/review/{proposal_id}/amend", data=amend | {"email": "tarde@example.org"})
    assert late.status_code == 303 and org_row(fresh_app, uuid).email == "segunda@example.org"


def test_the_queue_groups_proposals_by_entry(fresh_app, login_as):
    first, second = org_uuid(fresh_app, index=9), org_uuid(fresh_app, index=10)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    for uuid, changes in ((first, {"email": "a@example.org"}), (second, {"email": "b@example.org"})):
        form = open_form(contact, f"/organisations/{uuid}/edit")
        contact.post(f"/organisations/{uuid}/edit", data=form | changes)
    form = open_form(contact, f"/organisations/{first}/edit")
    contact.post(f"/organisations/{first}/edit", data=form | {"website": "https://c.example.org"})
    queue = text(ts.get("/review"))
    sections = re.findall(r'<section class="queue-entry".*?</section>', queue, flags=re.S)
    by_entry = {uuid: [s for s in sections if f"/organisations/{uuid}" in s] for uuid in (first, second)}
    assert len(by_entry[first]) == 1 and len(by_entry[second]) == 1
    assert len(re.findall(r'href="/review/\d+"', by_entry[first][0])) == 2
    assert "2 changes waiting" in by_entry[first][0]
    assert len(re.findall(r'href="/review/\d+"', by_entry[second][0])) == 1


def test_restore_shows_the_differences_and_applies_only_when_confirmed(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=11)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    original = org_row(fresh_app, uuid).name
    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert ts.post(f"/organisations/{uuid}/edit", data=form | {"name": "Nombre equivocado"}).status_code == 302
    count = revision_count(fresh_app, uuid)

    page = ts.get(f"/organisations/{uuid}/history/1/restore")
    assert page.status_code == 200
    html = text(page)
    diff = re.search(r'<div class="restore-diff">.*?</div>', html, flags=re.S).group(0)
    assert "Nombre equivocado" in diff and original in diff
    assert org_row(fresh_app, uuid).name == "Nombre equivocado"  # looking changes nothing
    confirm = form_fields(html, 'class="restore-form"')
    assert "csrf_token" in confirm
    assert ts.post(f"/organisations/{uuid}/history/1/restore", data={"version": confirm["version"]}).status_code == 400

    # a contact's confirmed restore is a proposal like any other
    mine = open_form(contact, f"/organisations/{uuid}/history/1/restore", 'class="restore-form"')
    response = contact.post(f"/organisations/{uuid}/history/1/restore", data=mine)
    assert response.status_code == 302 and "/review/" in response.location
    assert proposal_row(fresh_app, latest_proposal_id(fresh_app)).kind.value == "restore"
    assert org_row(fresh_app, uuid).name == "Nombre equivocado"

    assert ts.post(f"/organisations/{uuid}/history/1/restore", data=confirm).status_code == 302
    assert org_row(fresh_app, uuid).name == original
    assert revision_count(fresh_app, uuid) == count + 1


def test_a_save_that_changes_nothing_records_nothing(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=12)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert ts.post(f"/organisations/{uuid}/edit", data=form | {"name": "Con un cambio"}).status_code == 302
    before, version = revision_count(fresh_app, uuid), org_row(fresh_app, uuid).version

    unchanged = open_form(ts, f"/organisations/{uuid}/edit")
    response = ts.post(f"/organisations/{uuid}/edit", data=unchanged, follow_redirects=True)
    assert "Nothing was changed" in text(response)
    assert revision_count(fresh_app, uuid) == before and org_row(fresh_app, uuid).version == version
    proposals = latest_proposal_id(fresh_app)
    contact.post(f"/organisations/{uuid}/edit", data=open_form(contact, f"/organisations/{uuid}/edit"))
    assert latest_proposal_id(fresh_app) == proposals  # nothing sent for review either
    # "still correct" stays a recorded verification
    assert contact.post(f"/organisations/{uuid}/verify", data={"csrf_token": any_token(contact)}).status_code == 302
    assert revision_count(fresh_app, uuid) == before + 1
    history = text(ts.get(f"/organisations/{uuid}/history"))
    assert "Saved without any change" not in history


def test_items_keep_their_ids_through_an_edit(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=13)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    with fresh_app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.uuid == uuid))
        before = db.session.scalars(select(Service.uuid).where(Service.organisation_id == org_id)).all()
    assert before
    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert ts.post(f"/organisations/{uuid}/edit", data=form | {"services-0-fees": "Gratuito"}).status_code == 302
    with fresh_app.app_context():
        services = db.session.scalars(select(Service).where(Service.organisation_id == org_id).order_by(Service.id))
        after = {s.uuid: s.fees for s in services}
    assert set(after) == set(before) and "Gratuito" in after.values()


def test_a_service_removed_since_and_changed_by_the_proposal_is_decided_as_a_whole(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=15)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    service_name = form["services-0-name"]
    contact.post(f"/organisations/{uuid}/edit", data=form | {"services-0-fees": "Cuota <b>baja</b>"})
    proposal_id = latest_proposal_id(fresh_app)
    ts_form = open_form(ts, f"/organisations/{uuid}/edit")
    assert ts.post(f"/organisations/{uuid}/edit", data=ts_form | {"services-0-remove": "y"}).status_code == 302
    assert service_name not in text(fresh_app.test_client().get(f"/organisations/{uuid}?lang=en"))

    html = text(ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts)}))
    rows = re.findall(r'<tr class="conflict".*?</tr>', html, flags=re.S)
    assert len(rows) == 1 and service_name in rows[0]  # the service by its name, in words
    assert "(removed)" in rows[0] and "Cuota &lt;b&gt;baja&lt;/b&gt;" in rows[0]  # escaped, never markup
    fields = form_fields(html, 'class="merge-form"')
    choice = next(name for name in re.findall(r'name="(choice-[^"]+)"', html))
    assert ts.post(f"/review/{proposal_id}/merge", data=fields | {choice: "proposed"}).status_code == 302
    page = text(fresh_app.test_client().get(f"/organisations/{uuid}?lang=en"))
    assert service_name in page and "Cuota &lt;b&gt;baja&lt;/b&gt;" in page
    assert proposal_row(fresh_app, proposal_id).status is ProposalStatus.APPROVED
