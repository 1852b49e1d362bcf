"""The editing workflow through its pages, as people use it, on both backends: proposal -> review ->
publish, rejection, concurrent edits and the conflict page, approval conflicts, restore, archive,
still correct, bad input and CSRF failures."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from directory_app.review.models import ChangeProposal, ProposalStatus, Revision
from tests.review.helpers import any_token, form_fields, open_form, org_uuid, stale_edit, text


def org_row(app, uuid: str) -> Organisation:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        db.session.expunge(org)
        return org


def history_rows(app, uuid: str) -> list[tuple[str, str]]:
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.uuid == uuid))
        return [
            (str(kind), comment)
            for kind, comment in db.session.execute(
                select(Revision.kind, Revision.comment)
                .where(Revision.organisation_id == org_id)
                .order_by(Revision.number)
            )
        ]


def latest_proposal_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ChangeProposal.id).order_by(ChangeProposal.id.desc()).limit(1))


def test_proposal_review_publish_and_reject(fresh_app, login_as):
    uuid = org_uuid(fresh_app)
    old_name = org_row(fresh_app, uuid).name
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    public = fresh_app.test_client()

    form = open_form(contact, f"/organisations/{uuid}/edit")
    form |= {"name": "Casa del Migrante <b>renovada</b>", "comment": "new name", "services-0-fees": "Gratis"}
    response = contact.post(f"/organisations/{uuid}/edit", data=form)
    assert response.status_code == 302 and "/review/" in response.location
    proposal_id = latest_proposal_id(fresh_app)
    # the published version stays online until the TS approves
    assert old_name in text(public.get(f"/organisations/{uuid}"))
    assert "renovada" not in text(public.get(f"/organisations/{uuid}"))

    queue = text(ts.get("/review"))
    assert f"/review/{proposal_id}" in queue and "&lt;b&gt;renovada&lt;/b&gt;" in queue
    page = text(ts.get(f"/review/{proposal_id}"))
    assert "Fees" in page and "Gratis" in page and "<b>renovada" not in page
    assert "services[0]" not in page  # in words (tests/review/test_review_words.py)
    layers = ts.get(f"/review/{proposal_id}/coverage.geojson").get_json()
    # the coverage is not changed: every part is drawn once, as in both versions
    assert layers["features"] and {f["properties"]["change"] for f in layers["features"]} == {"kept"}
    # the page's map (the one map pipeline) fetches those two layers and names them
    (config,) = re.findall(r'<script type="application/json" id="map_\w+-config">(.*?)</script>', page)
    (layer,) = json.loads(config)["layers"]
    assert layer["type"] == "comparison" and layer["url"] == f"/review/{proposal_id}/coverage.geojson"
    assert layer["labels"] == {
        "removed": "Removed (only in the published entry)",
        "kept": "Unchanged (in both)",
        "added": "Added (only in the proposal)",
    }

    form = form_fields(page)
    form["comment"] = "Bien, gracias"
    response = ts.post(f"/review/{proposal_id}/approve", data=form)
    assert response.status_code == 302
    assert "Casa del Migrante &lt;b&gt;renovada&lt;/b&gt;" in text(public.get(f"/organisations/{uuid}"))
    dashboard = text(contact.get("/my-entries"))
    assert "Bien, gracias" in dashboard
    assert "approved" in text(contact.get(f"/review/{proposal_id}"))
    assert [k for k, _ in history_rows(fresh_app, uuid)] == ["baseline", "update"]

    # a second proposal, rejected with a comment the contact sees
    form = open_form(contact, f"/organisations/{uuid}/edit") | {"email": "otra@example.org"}
    assert contact.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    proposal_id = latest_proposal_id(fresh_app)
    form = form_fields(text(ts.get(f"/review/{proposal_id}"))) | {"comment": "El correo no es correcto"}
    assert ts.post(f"/review/{proposal_id}/reject", data=form).status_code == 302
    assert "El correo no es correcto" in text(contact.get("/my-entries"))
    assert org_row(fresh_app, uuid).email != "otra@example.org"
    # deciding twice: the second reviewer sees the conflict
    assert ts.post(f"/review/{proposal_id}/approve", data=form).status_code == 409


def test_two_sessions_save_the_same_entry(fresh_app):
    """Two sessions change different fields of one entry: the second save is merged three ways with
    the first (organisations.edit_merge), both changes are live, no conflict page, and the second
    person is told the first's change was kept. Fields changed by both: tests/organisations/test_edit_merge.py."""
    uuid = org_uuid(fresh_app, index=1)
    first, second, response = stale_edit(
        fresh_app, uuid, {"name": "Nombre de la primera"}, {"email": "segunda@example.org"}, "?lang=en"
    )
    assert response.status_code == 302, text(response)
    page = text(second.get(response.location))
    assert "Someone else changed this entry since you opened it: their changes to Name were kept." in page
    org = org_row(fresh_app, uuid)
    assert (org.name, org.email) == ("Nombre de la primera", "segunda@example.org")
    history = text(first.get(f"/organisations/{uuid}/history"))
    assert "Nombre de la primera" in history and "segunda@example.org" in history
    assert [k for k, _ in history_rows(fresh_app, uuid)] == ["baseline", "update", "update"]


def test_approving_a_proposal_made_on_an_older_version_merges_it(fresh_app, login_as):
    """Two proposals made on one version change different fields: the second is approved as it is,
    after the first, and both changes are published."""
    uuid = org_uuid(fresh_app, index=2)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    base = open_form(contact, f"/organisations/{uuid}/edit")
    contact.post(f"/organisations/{uuid}/edit", data=base | {"alternate_name": "PRIMERA"})
    first = latest_proposal_id(fresh_app)
    contact.post(f"/organisations/{uuid}/edit", data=base | {"website": "https://segunda.example.org"})
    second = latest_proposal_id(fresh_app)
    token = any_token(ts)
    assert ts.post(f"/review/{first}/approve", data={"csrf_token": token}).status_code == 302
    assert ts.post(f"/review/{second}/approve", data={"csrf_token": token}).status_code == 302
    org = org_row(fresh_app, uuid)
    assert (org.alternate_name, org.website) == ("PRIMERA", "https://segunda.example.org")


def test_restore_archive_and_still_correct(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=3)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    original = org_row(fresh_app, uuid).name
    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert ts.post(f"/organisations/{uuid}/edit", data=form | {"name": "Cambio malo"}).status_code == 302

    history = text(ts.get(f"/organisations/{uuid}/history"))
    assert f'href="/organisations/{uuid}/history/1/restore"' in history  # a link to the confirm page
    restore = open_form(ts, f"/organisations/{uuid}/history/1/restore", 'class="restore-form"')
    # a contact's restore goes to review
    contact_restore = open_form(contact, f"/organisations/{uuid}/history/1/restore", 'class="restore-form"')
    response = contact.post(f"/organisations/{uuid}/history/1/restore", data=contact_restore)
    assert response.status_code == 302 and "/review/" in response.location
    assert org_row(fresh_app, uuid).name == "Cambio malo"
    assert ts.post(f"/organisations/{uuid}/history/1/restore", data=restore).status_code == 302
    assert org_row(fresh_app, uuid).name == original
    # a restore from a stale history page is refused, nothing changes
    assert ts.post(f"/organisations/{uuid}/history/2/restore", data=restore).status_code == 303
    assert org_row(fresh_app, uuid).name == original

    token = any_token(contact)
    assert contact.post(f"/organisations/{uuid}/verify", data={"csrf_token": token}).status_code == 302
    assert org_row(fresh_app, uuid).last_verified is not None

    archive = open_form(ts, f"/organisations/{uuid}/archive") | {"comment": "cerró"}
    assert ts.post(f"/organisations/{uuid}/archive", data=archive).status_code == 302
    assert org_row(fresh_app, uuid).status is Status.ARCHIVED
    assert fresh_app.test_client().get(f"/organisations/{uuid}").status_code == 404
    kinds = [k for k, _ in history_rows(fresh_app, uuid)]
    assert kinds == ["baseline", "update", "restore", "verify", "archive"]
    records = ts.get(f"/organisations/{uuid}/history.json").get_json()
    keys = {"resource_id", "resource_type", "last_action_date", "last_action_type", "field_name"}
    assert all(keys | {"previous_value", "replacement_value", "updated_by"} <= set(r) for r in records)
    assert {"field_name": "status", "previous_value": "published", "replacement_value": "archived"}.items() <= next(
        r for r in records if r["field_name"] == "status"
    ).items()


def test_bad_input_is_named_per_field_and_nothing_is_saved(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=4)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    before = org_row(fresh_app, uuid)
    form = open_form(ts, f"/organisations/{uuid}/edit")
    cases = {
        "email": "not-an-address",
        "website": "javascript:alert(1)",
        "locations-0-lat": "123.5",
        "services-0-languages": "xx1",
        "name": "",
        "version": "abc",
    }
    for field, value in cases.items():
        response = ts.post(f"/organisations/{uuid}/edit", data=form | {"name": "Changed", field: value})
        assert response.status_code == 400, field
        assert "field-error" in text(response) or "notice error" in text(response), field
    after = org_row(fresh_app, uuid)
    assert (after.name, after.version) == (before.name, before.version)
    assert history_rows(fresh_app, uuid) == []


def test_csrf_failures_change_nothing(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=5)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    contact.post(f"/organisations/{uuid}/edit", data=form | {"name": "Propuesta"})
    proposal_id = latest_proposal_id(fresh_app)
    before = org_row(fresh_app, uuid)
    posts = [
        (contact, f"/organisations/{uuid}/edit", form | {"name": "Sin token"}),
        (ts, f"/organisations/{uuid}/verify", {}),
        (ts, f"/organisations/{uuid}/archive", {"version": before.version}),
        (ts, f"/organisations/{uuid}/history/1/restore", {"version": before.version}),
        (ts, f"/organisations/{uuid}/edit/merge", {"version": before.version, "yours": "{}"}),
        (ts, f"/review/{proposal_id}/approve", {}),
        (ts, f"/review/{proposal_id}/reject", {}),
        (ts, f"/review/{proposal_id}/merge", {"version": before.version}),
    ]
    for client, url, data in posts:
        for token in (None, "forged-token"):
            payload = {k: v for k, v in data.items() if k != "csrf_token"}
            if token:
                payload["csrf_token"] = token
            assert client.post(url, data=payload).status_code == 400, (url, token)
    after = org_row(fresh_app, uuid)
    assert (after.name, after.version, after.status, after.last_verified) == (
        before.name,
        before.version,
        before.status,
        before.last_verified,
    )
    with fresh_app.app_context():
        assert db.session.get(ChangeProposal, proposal_id).status is ProposalStatus.PENDING


def test_new_organisation_by_a_contact_with_tampered_country(fresh_app, login_as):
    contact = login_as(fresh_app.test_client(), "country_contact", "GT")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(contact, "/organisations/new")
    assert "country_code" not in form  # a contact does not choose the country
    form |= {
        "name": "Casa Nueva Tecún",
        "kind": "shelter",
        "country_code": "MX",  # tampered: ignored
        "locations-0-name": "Sede",
        "locations-0-city": "Tecún Umán",
        "locations-0-lat": "14.68",
        "locations-0-lon": "-92.14",
        "services-0-category": "shelter",
        "services-0-languages": "es",
    }
    response = contact.post("/organisations/new", data=form)
    assert response.status_code == 302, text(response)
    proposal_id = latest_proposal_id(fresh_app)
    with fresh_app.app_context():
        proposal = db.session.get(ChangeProposal, proposal_id)
        assert proposal.country_code == "GT" and proposal.organisation_id is None
    assert ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts)}).status_code == 302
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Casa Nueva Tecún"))
        assert org.country_code == "GT" and org.status is Status.PUBLISHED


def test_contact_cannot_move_an_entry_to_another_country_nor_edit_by_tampering(fresh_app, login_as):
    mx = org_uuid(fresh_app, "MX", index=6)
    gt = org_uuid(fresh_app, "GT")
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    form = open_form(contact, f"/organisations/{mx}/edit")
    extra = {"country_code": "GT", "organisation_id": "1", "uuid": gt, "status": "archived", "alternate_name": "OTRO"}
    assert contact.post(f"/organisations/{mx}/edit", data=form | extra).status_code == 302
    with fresh_app.app_context():
        proposal = db.session.get(ChangeProposal, latest_proposal_id(fresh_app))
        assert proposal.snapshot["country_code"] == "MX" and proposal.snapshot["status"] == "published"
        assert proposal.organisation.uuid == mx
    # the organisation comes from the URL: the MX form posted to a GT entry is refused
    assert contact.post(f"/organisations/{gt}/edit", data=form).status_code == 403
    # a merge with a hand-made "yours" cannot move the entry either
    yours = json.dumps(dict(proposal.snapshot, country_code="GT"))
    version = org_row(fresh_app, mx).version
    merge = {"csrf_token": form["csrf_token"], "version": version, "base_version": version, "yours": yours}
    assert contact.post(f"/organisations/{mx}/edit/merge", data=merge).status_code == 302
    with fresh_app.app_context():
        assert db.session.get(ChangeProposal, latest_proposal_id(fresh_app)).snapshot["country_code"] == "MX"
    assert org_row(fresh_app, mx).country_code == "MX"
    # a hand-made "yours" that is not shaped like an entry is a 400, never a crash
    for broken in ('{"services": "abc"}', "[1]", '{"contacts": [{"name": {"x": []}}], "phones": [1]}', "{nope"):
        response = contact.post(f"/organisations/{mx}/edit/merge", data=merge | {"yours": broken})
        assert response.status_code == 400, broken
    odd = json.dumps(dict(proposal.snapshot, services=[{"category": "shelter", "populations": "women"}]))
    assert contact.post(f"/organisations/{mx}/edit/merge", data=merge | {"yours": odd}).status_code == 400


def test_coverage_page_saves_through_the_workflow(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=7)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")
    page = contact.get(f"/organisations/{uuid}/edit/coverage")
    assert page.status_code == 200 and "coverage-editor" in text(page)
    form = form_fields(text(page), 'class="edit-form coverage-form"')
    before = org_row(fresh_app, uuid)
    bad = contact.post(f"/organisations/{uuid}/edit/coverage", data=form | {"units": [], "drawn": "{not json"})
    assert bad.status_code == 400 and "field-error" in text(bad)
    chosen = form | {"units": ["unit:MX-CHP"], "radii-0-radius_km": "", "drawn": "", "comment": "Chiapas"}
    response = contact.post(f"/organisations/{uuid}/edit/coverage", data=chosen)
    assert response.status_code == 302 and "/review/" in response.location
    assert org_row(fresh_app, uuid).version == before.version  # still the published coverage
    proposal_id = latest_proposal_id(fresh_app)
    assert "adds Chiapas" in text(ts.get(f"/review/{proposal_id}?lang=en"))
    assert ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts)}).status_code == 302
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        assert [(str(p.kind), p.admin_unit.code) for p in org.coverage_parts] == [("admin_unit", "MX-CHP")]
    # the TS's own coverage edit from a stale page is merged with the approved change: both parts stay
    response = ts.post(
        f"/organisations/{uuid}/edit/coverage", data=chosen | {"units": ["country:MX"], "csrf_token": any_token(ts)}
    )
    assert response.status_code == 302
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        parts = {(str(p.kind), p.admin_unit.code if p.admin_unit else p.country_code) for p in org.coverage_parts}
        assert parts == {("admin_unit", "MX-CHP"), ("country", "MX")}


def test_texts_in_other_languages_are_edited_with_the_entry(fresh_app, login_as):
    from directory_app.organisations.translations import translations_of

    uuid = org_uuid(fresh_app, index=8)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert "description_fr" in form and "description_es" not in form  # the original is the description itself
    form |= {"description_fr": "Aide aux <migrants>", "services-0-eligibility_en": "Everyone"}
    assert ts.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        assert translations_of(org)["description"]["fr"] == "Aide aux <migrants>"
        assert translations_of(org.services[0])["eligibility"]["en"] == "Everyone"
    page = text(ts.get(f"/organisations/{uuid}/edit"))
    assert "Aide aux &lt;migrants&gt;" in page and "Everyone" in page
    # an edit that does not touch them keeps them
    form = open_form(ts, f"/organisations/{uuid}/edit") | {"name": "Sin tocar traducciones"}
    assert ts.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        assert translations_of(org)["description"]["fr"] == "Aide aux <migrants>"
