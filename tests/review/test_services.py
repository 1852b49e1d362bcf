"""review.services on both backends: snapshots, proposals, approval and its conflicts, restore,
archive, "still correct", and that nothing is lost."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.accounts.permissions import PermissionDenied
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.entry_diff import diff_snapshots
from directory_app.organisations.entry_merge import three_way_merge
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.services import update_organisation
from directory_app.review.models import ChangeKind, ChangeProposal, ProposalStatus, Revision
from directory_app.review.services import (
    ProposalConflict,
    VersionConflict,
    approve,
    archive,
    mark_verified,
    reject,
    restore,
    submit_change,
)
from tests.conftest import TEST_USERS, user_key


def user(role: str, country: str | None = None) -> User:
    return db.session.scalar(select(User).where(User.email == TEST_USERS[user_key(role, country)].email))


def an_organisation(country: str = "MX", index: int = 0) -> Organisation:
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.country_code == country, Organisation.status == Status.PUBLISHED)
        .order_by(Organisation.id)
        .offset(index)
        .limit(1)
    ).one()


def revisions(org: Organisation) -> list[Revision]:
    return list(
        db.session.scalars(select(Revision).where(Revision.organisation_id == org.id).order_by(Revision.number))
    )


def test_a_snapshot_applied_again_changes_nothing_but_the_version(fresh_ctx):
    org = an_organisation()
    before, version = snapshot_of(org), org.version
    assert before["phones"] and before["contacts"] and before["coverage"] and before["locations"]
    update_organisation(org, before)
    db.session.flush()
    assert snapshot_of(org) == before
    assert org.version == version + 1
    db.session.commit()
    db.session.expire_all()
    assert snapshot_of(db.session.get(Organisation, org.id)) == before


def test_diff_names_fields_inside_lists():
    before = {"name": "A", "services": [{"fees": "free", "populations": ["women"]}], "contacts": []}
    after = {
        "name": "B",
        "services": [{"fees": "10 USD", "populations": ["women", "lgbtiq"]}],
        "contacts": [{"name": "Ana"}],
    }
    changes = {c["field_name"]: (c["previous_value"], c["replacement_value"]) for c in diff_snapshots(before, after)}
    assert changes == {
        "name": ("A", "B"),
        "services[0].fees": ("free", "10 USD"),
        "services[0].populations": ("women", "women, lgbtiq"),
        "contacts[0].name": ("", "Ana"),
    }


def test_merge_keeps_phones_with_their_contacts():
    """A phone names its contact person by index: the merge follows the person, not the number."""
    ana, ben = {"id": "c1", "name": "Ana"}, {"id": "c2", "name": "Ben"}
    base = {"name": "B", "contacts": [ana, ben], "phones": [{"id": "p1", "number": "1", "contact": 1}], "coverage": []}
    published = base | {"contacts": [ben], "phones": [{"id": "p1", "number": "1", "contact": 0}]}  # Ana removed
    yours = base | {"phones": [{"id": "p1", "number": "2", "contact": 1}]}  # Ben's number changed
    merged = three_way_merge(base, published, yours)
    assert not merged.conflicts
    assert merged.snapshot["contacts"] == [ben]
    assert merged.snapshot["phones"] == [{"id": "p1", "number": "2", "contact": 0}]


def test_contact_proposes_ts_approves_and_history_keeps_both_states(fresh_ctx):
    org = an_organisation()
    contact, ts = user("country_contact", "MX"), user("ts_admin")
    published_name, version = org.name, org.version
    data = snapshot_of(org) | {"name": "Nuevo nombre", "country_code": "GT", "status": "archived"}
    outcome = submit_change(contact, org, data, base_version=version, comment="new name")
    db.session.commit()
    proposal = outcome.proposal
    assert outcome.revision is None and proposal.status is ProposalStatus.PENDING
    # the published version stays online; a contact cannot change the country nor the status
    assert org.name == published_name and org.version == version
    assert proposal.snapshot["country_code"] == "MX" and proposal.snapshot["status"] == "published"
    assert proposal.base_version == version
    revision = approve(ts, proposal, "ok")
    db.session.commit()
    assert org.name == "Nuevo nombre" and org.country_code == "MX" and org.status is Status.PUBLISHED
    assert proposal.status is ProposalStatus.APPROVED and proposal.reviewer_id == ts.id
    history = revisions(org)
    assert [r.kind for r in history] == [ChangeKind.BASELINE, ChangeKind.UPDATE]
    assert history[0].snapshot["name"] == published_name
    assert revision.author_id == contact.id and revision.approved_by_id == ts.id and revision.version == org.version
    assert {
        "field_name": "name",
        "previous_value": published_name,
        "replacement_value": "Nuevo nombre",
    } in revision.changes


def test_contact_cannot_touch_another_country(fresh_ctx):
    org = an_organisation("GT")
    with pytest.raises(PermissionDenied):
        submit_change(user("country_contact", "MX"), org, snapshot_of(org), base_version=org.version)
    with pytest.raises(PermissionDenied):
        mark_verified(user("country_contact", "MX"), org)
    with pytest.raises(PermissionDenied):
        submit_change(user("consular"), org, snapshot_of(org), base_version=org.version)
    with pytest.raises(PermissionDenied):
        approve(user("country_contact", "GT"), ChangeProposal(snapshot={}, kind=ChangeKind.UPDATE))


def test_new_organisation_of_a_contact_is_created_only_on_approval_in_their_country(fresh_ctx):
    contact, ts = user("country_contact", "GT"), user("ts_admin")
    data = {
        "name": "Casa Nueva",
        "kind": "shelter",
        "country_code": "MX",  # ignored: a contact creates in their own country
        "locations": [{"name": "Sede", "city": "Tecún Umán", "lon": -92.14, "lat": 14.68}],
        "services": [{"category": "shelter", "languages": ["es"]}],
        "coverage": [{"kind": "radius", "location": 0, "radius_km": 20}],
    }
    count = db.session.scalar(select(db.func.count(Organisation.id)))
    outcome = submit_change(contact, None, data, base_version=None)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(Organisation.id))) == count
    revision = approve(ts, outcome.proposal)
    db.session.commit()
    org = revision.organisation
    assert org.country_code == "GT" and org.status is Status.PUBLISHED and org.coverage_area_km2 > 0
    assert outcome.proposal.organisation_id == org.id
    assert [r.kind for r in revisions(org)] == [ChangeKind.CREATE]


def test_bad_proposal_is_refused_at_once_and_changes_nothing(fresh_ctx):
    org = an_organisation()
    before = snapshot_of(org)
    data = before | {"services": [{"category": "no-such-category"}]}
    with pytest.raises(ValidationError) as caught:
        submit_change(user("country_contact", "MX"), org, data, base_version=org.version)
    assert caught.value.field == "services[0].category"
    db.session.rollback()
    assert snapshot_of(db.session.get(Organisation, org.id)) == before
    assert db.session.scalar(select(ChangeProposal.id)) is None


def test_saving_over_a_newer_version_is_a_conflict(fresh_ctx):
    org = an_organisation()
    ts = user("ts_admin")
    old = org.version
    submit_change(ts, org, snapshot_of(org) | {"name": "Primero"}, base_version=old)
    db.session.commit()
    with pytest.raises(VersionConflict):
        submit_change(ts, org, snapshot_of(org) | {"name": "Segundo"}, base_version=old)
    with pytest.raises(VersionConflict):
        submit_change(user("country_contact", "MX"), org, snapshot_of(org), base_version=old)
    db.session.rollback()
    assert db.session.get(Organisation, org.id).name == "Primero"


def test_two_proposals_from_one_base_and_two_approvals_of_one_proposal(fresh_ctx):
    org = an_organisation()
    contact, ts = user("country_contact", "MX"), user("ts_admin")
    base = org.version
    first = submit_change(contact, org, snapshot_of(org) | {"email": "a@example.org"}, base_version=base).proposal
    second = submit_change(
        contact, org, snapshot_of(org) | {"website": "https://b.example.org"}, base_version=base
    ).proposal
    db.session.commit()
    approve(ts, first)
    db.session.commit()
    with pytest.raises(ProposalConflict):
        approve(ts, first)  # already approved
    db.session.rollback()
    # made on the version before the first approval, on another field: merged, nothing to decide
    approve(ts, second, "merged")
    db.session.commit()
    assert db.session.get(ChangeProposal, second.id).status is ProposalStatus.APPROVED
    assert (org.email, org.website) == ("a@example.org", "https://b.example.org")
    with pytest.raises(ProposalConflict):
        reject(ts, second)


def test_still_correct_is_recorded_and_does_not_block_a_pending_proposal(fresh_ctx):
    org = an_organisation()
    contact, ts = user("country_contact", "MX"), user("ts_admin")
    proposal = submit_change(contact, org, snapshot_of(org) | {"name": "Otro"}, base_version=org.version).proposal
    mark_verified(contact, org, today=date(2026, 11, 1))
    db.session.commit()
    assert org.last_verified == date(2026, 11, 1)
    approve(ts, proposal)
    db.session.commit()
    assert org.name == "Otro" and org.last_verified == date(2026, 11, 1)
    assert [r.kind for r in revisions(org)] == [ChangeKind.BASELINE, ChangeKind.VERIFY, ChangeKind.UPDATE]


def test_restore_and_archive_are_recorded_changes(fresh_ctx):
    org = an_organisation()
    ts, contact = user("ts_admin"), user("country_contact", "MX")
    original = snapshot_of(org)
    submit_change(ts, org, original | {"name": "Cambiado", "contacts": [], "phones": []}, base_version=org.version)
    db.session.commit()
    baseline = revisions(org)[0]
    # a contact's restore is a proposal
    outcome = restore(contact, org, baseline, base_version=org.version)
    assert outcome.proposal is not None and org.name == "Cambiado"
    restore(ts, org, baseline, base_version=org.version)
    db.session.commit()
    assert snapshot_of(org) == original
    archive(ts, org, base_version=org.version, comment="closed")
    db.session.commit()
    assert org.status is Status.ARCHIVED
    assert db.session.get(Organisation, org.id) is not None
    kinds = [r.kind for r in revisions(org)]
    assert kinds == [ChangeKind.BASELINE, ChangeKind.UPDATE, ChangeKind.RESTORE, ChangeKind.ARCHIVE]
    # and back again: nothing was lost
    restore(ts, org, revisions(org)[2], base_version=org.version)
    db.session.commit()
    assert snapshot_of(org) == original


def test_two_reviewers_at_once_second_sees_the_conflict(fresh_app):
    """Two requests (two sessions) hold the same pending proposal; the second approval fails."""
    with fresh_app.app_context():
        org = an_organisation()
        proposal = submit_change(
            user("country_contact", "MX"), org, snapshot_of(org) | {"name": "Uno"}, base_version=org.version
        ).proposal
        db.session.commit()
        proposal_id = proposal.id
    with fresh_app.app_context():
        first = db.session.get(ChangeProposal, proposal_id)
        first.organisation.version  # noqa: B018  (loaded before the other request commits)
        with fresh_app.app_context():
            second = db.session.get(ChangeProposal, proposal_id)
            approve(user("ts_admin"), second, "first reviewer")
            db.session.commit()
        assert first.status is ProposalStatus.PENDING  # this request's view is older
        with pytest.raises((ProposalConflict, VersionConflict)):
            approve(user("ts_admin"), first, "second reviewer")
        db.session.rollback()
        assert db.session.get(ChangeProposal, proposal_id).review_comment == "first reviewer"


def test_two_saves_racing_past_the_version_check(fresh_app):
    """Both requests passed the version check; the version counter stops the second at flush."""
    with fresh_app.app_context():
        org_id = an_organisation().id
    with fresh_app.app_context():
        mine = db.session.get(Organisation, org_id)
        data, version = snapshot_of(mine), mine.version
        with fresh_app.app_context():
            theirs = db.session.get(Organisation, org_id)
            submit_change(user("ts_admin"), theirs, snapshot_of(theirs) | {"name": "Theirs"}, base_version=version)
            db.session.commit()
        with pytest.raises(VersionConflict):
            submit_change(user("ts_admin"), mine, data | {"name": "Mine"}, base_version=version)
        db.session.rollback()
        assert db.session.get(Organisation, org_id).name == "Theirs"


def test_texts_in_other_languages_survive_edits_and_come_back_with_a_restore(fresh_ctx):
    from directory_app.organisations.translations import set_translation, translations_of

    org = an_organisation(index=3)
    ts = user("ts_admin")
    set_translation(org, "description", "fr", "Description en français")
    set_translation(org.services[0], "eligibility", "en", "Migrants and their families")
    db.session.commit()
    snapshot = snapshot_of(org)
    assert snapshot["translations"] == {"description": {"fr": "Description en français"}}
    assert snapshot["services"][0]["translations"] == {"eligibility": {"en": "Migrants and their families"}}
    submit_change(ts, org, snapshot | {"name": "Otro nombre"}, base_version=org.version)
    db.session.commit()
    assert translations_of(org)["description"]["fr"] == "Description en français"
    assert translations_of(org.services[0])["eligibility"]["en"] == "Migrants and their families"
    changed = snapshot_of(org)
    changed["translations"] = {}
    changed["services"][0]["translations"] = {"schedule": {"fr": "Lundi"}}
    revision = submit_change(ts, org, changed, base_version=org.version).revision
    db.session.commit()
    fields = {c["field_name"] for c in revision.changes}
    assert {"translations.description.fr", "services[0].translations.eligibility.en"} <= fields
    assert "services[0].translations.schedule.fr" in fields
    restore(ts, org, revisions(org)[0], base_version=org.version)
    db.session.commit()
    assert snapshot_of(org) == snapshot | {"name": snapshot["name"]}
    with pytest.raises(ValidationError):
        bad = snapshot_of(org)
        bad["translations"] = {"name": {"fr": "x"}}
        submit_change(ts, org, bad, base_version=org.version)


def test_the_baseline_carries_the_time_of_the_state_it_keeps(fresh_ctx):
    """An entry without history (imported, demo data): its first recorded change keeps the state
    before it as revision 1, dated when that state was written, not when the change is made."""
    from datetime import UTC, datetime

    org = an_organisation(index=14)
    assert revisions(org) == []
    written = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    db.session.execute(Organisation.__table__.update().where(Organisation.id == org.id).values(updated_at=written))
    db.session.commit()
    db.session.refresh(org)
    submit_change(user("ts_admin"), org, snapshot_of(org) | {"name": "Primer cambio"}, base_version=org.version)
    db.session.commit()
    baseline, change = revisions(org)
    assert baseline.kind is ChangeKind.BASELINE and baseline.author_id is None
    assert baseline.created_at.replace(tzinfo=UTC) == written
    assert change.created_at.replace(tzinfo=UTC) > written
