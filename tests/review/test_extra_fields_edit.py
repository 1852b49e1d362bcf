"""Additional information in the editing workflow, through the pages, on both backends: the edit form
shows one input per active field (prefilled, labels in the reader's language); a contact's change is a
proposal the TS sees field by field and approves; bad values are refused next to the field; history
restore and the conflict page carry the values; snapshots without "extra" leave them alone."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.extra_fields.services import define_field, definitions, set_values, update_field, values_of
from directory_app.organisations.entry_diff import diff_snapshots, has_snapshot_shape
from directory_app.organisations.entry_merge import three_way_merge
from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeProposal, Revision
from tests.conftest import TEST_USERS
from tests.review.helpers import form_fields, open_form, org_uuid, stale_edit, text

FIELDS = [
    {
        "code": "phone_referrals",
        "field_type": "yesno",
        "label_es": "Acepta referencias por teléfono",
        "label_en": "Accepts referrals by phone",
        "label_fr": "Accepte les orientations par téléphone",
    },
    {
        "code": "agreement_date",
        "field_type": "date",
        "label_es": "Fecha del convenio",
        "label_en": "Agreement date",
        "label_fr": "Date de l'accord",
    },
    {
        "code": "agreement_kind",
        "field_type": "choice",
        "label_es": "Tipo de convenio",
        "label_en": "Agreement kind",
        "label_fr": "Type d'accord",
        "choices_text": "Formal\nInformal",
    },
]


def organisation(uuid: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))


def admin() -> User:
    return db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))


@pytest.fixture
def defined(fresh_app):
    """A fresh world with three additional fields; the first MX organisation has one value."""
    uuid = org_uuid(fresh_app)
    with fresh_app.app_context():
        for data in FIELDS:
            define_field(admin(), data)
        assert set_values(organisation(uuid), {"agreement_kind": "Formal"}) == []
        db.session.commit()
    return fresh_app, uuid


def values(app, uuid: str) -> dict:
    with app.app_context():
        return values_of(organisation(uuid))


def latest_proposal_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ChangeProposal.id).order_by(ChangeProposal.id.desc()).limit(1))


def test_form_shows_the_fields_prefilled_in_the_reader_language(defined, login_as):
    app, uuid = defined
    contact = login_as(app.test_client(), "country_contact", "MX")
    html = text(contact.get(f"/organisations/{uuid}/edit?lang=fr"))
    assert "Accepte les orientations par téléphone" in html and "Date de l&#39;accord" in html
    form = form_fields(html)
    assert form["extra_agreement_kind"] == "Formal" and form["extra_phone_referrals"] == ""
    assert form["extra_agreement_date"] == ""
    assert 'type="date"' in html
    new = text(contact.get("/organisations/new?lang=en"))
    assert "Accepts referrals by phone" in new and 'name="extra_agreement_kind"' in new


def test_contact_proposes_ts_approves_values_published_and_in_history(defined, login_as):
    app, uuid = defined
    contact = login_as(app.test_client(), "country_contact", "MX")
    ts = login_as(app.test_client(), "ts_admin")
    form = open_form(contact, f"/organisations/{uuid}/edit?lang=en")
    form |= {"extra_phone_referrals": "yes", "extra_agreement_date": "2024-03-01", "extra_agreement_kind": ""}
    response = contact.post(f"/organisations/{uuid}/edit", data=form)
    assert response.status_code == 302 and "/review/" in response.location
    # The published values stay until the TS approves.
    assert values(app, uuid) == {"agreement_kind": "Formal"}
    proposal_id = latest_proposal_id(app)
    with app.app_context():
        snapshot = db.session.get(ChangeProposal, proposal_id).snapshot
    assert snapshot["extra"] == {"phone_referrals": "yes", "agreement_date": "2024-03-01", "agreement_kind": ""}

    page = text(ts.get(f"/review/{proposal_id}?lang=en"))
    assert "Additional information: Accepts referrals by phone" in page
    assert "Additional information: Agreement date" in page and "2024-03-01" in page
    assert "Additional information: Agreement kind" in page
    response = ts.post(f"/review/{proposal_id}/approve", data=form_fields(page) | {"comment": "ok"})
    assert response.status_code == 302
    assert values(app, uuid) == {"phone_referrals": "yes", "agreement_date": "2024-03-01"}
    assert "Accepts referrals by phone" in text(app.test_client().get(f"/organisations/{uuid}?lang=en"))

    with app.app_context():
        org_id = organisation(uuid).id
        revisions = db.session.scalars(
            select(Revision).where(Revision.organisation_id == org_id).order_by(Revision.number)
        ).all()
        assert [str(r.kind) for r in revisions] == ["baseline", "update"]
        assert revisions[0].snapshot["extra"]["agreement_kind"] == "Formal"
        changed = {c["field_name"]: c["replacement_value"] for c in revisions[1].changes}
        assert changed["Additional information: Accepts referrals by phone"] == "yes"
    history = text(ts.get(f"/organisations/{uuid}/history?lang=en"))
    assert "Additional information: Agreement date" in history
    # The change was recorded from an English page; a French reader reads the labels in French.
    french = text(ts.get(f"/organisations/{uuid}/history?lang=fr"))
    assert "Accepte les orientations par téléphone" in french and "Accepts referrals by phone" not in french

    # Restoring the baseline (revision 1) brings the earlier values back.
    restore = open_form(ts, f"/organisations/{uuid}/history/1/restore", 'class="restore-form"')
    assert ts.post(f"/organisations/{uuid}/history/1/restore", data=restore).status_code == 302
    assert values(app, uuid) == {"agreement_kind": "Formal"}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"extra_agreement_date": "31/12/2024"}, "extra_agreement_date"),
        ({"extra_agreement_kind": "Hacked"}, "extra_agreement_kind"),
        ({"extra_phone_referrals": "perhaps"}, "extra_phone_referrals"),
    ],
)
def test_bad_values_are_refused_next_to_the_field(defined, login_as, changes, field):
    app, uuid = defined
    for role in ("country_contact", "ts_admin"):
        web = login_as(app.test_client(), role, "MX" if role == "country_contact" else None)
        form = open_form(web, f"/organisations/{uuid}/edit") | {"name": "Otro nombre"} | changes
        response = web.post(f"/organisations/{uuid}/edit?lang=en", data=form)
        html = text(response)
        assert response.status_code == 400
        assert f'id="{field}-errors"' in html and 'class="field-error"' in html
    assert values(app, uuid) == {"agreement_kind": "Formal"}
    with app.app_context():
        assert db.session.scalar(select(ChangeProposal.id)) is None
        assert organisation(uuid).name != "Otro nombre"


def test_service_refuses_bad_snapshot_values_and_writes_nothing(defined):
    from directory_app.errors import ValidationError
    from directory_app.organisations.entry_of import snapshot_of
    from directory_app.review.services import submit_change

    app, uuid = defined
    with app.app_context():
        org = organisation(uuid)
        for extra, field in [
            ({"agreement_date": "2024-13-45"}, "extra_agreement_date"),
            ({"agreement_kind": "Nope"}, "extra_agreement_kind"),
            ({"unknown_code": "x"}, "extra_unknown_code"),
        ]:
            data = snapshot_of(org) | {"name": "Cambiado", "extra": extra}
            with pytest.raises(ValidationError) as caught:
                submit_change(admin(), org, data, base_version=org.version)
            assert caught.value.field == field
            db.session.rollback()
            org = organisation(uuid)
        assert values_of(org) == {"agreement_kind": "Formal"} and org.name != "Cambiado"


def test_snapshots_without_extra_leave_values_alone(defined):
    from directory_app.organisations.entry_of import snapshot_of
    from directory_app.review.services import restore, submit_change

    app, uuid = defined
    with app.app_context():
        org = organisation(uuid)
        old = snapshot_of(org)
        old.pop("extra")
        assert has_snapshot_shape(old)
        assert not [c for c in diff_snapshots(snapshot_of(org), old) if "Additional" in c["field_name"]]
        outcome = submit_change(admin(), org, old | {"name": "Sin extra"}, base_version=org.version)
        assert values_of(org) == {"agreement_kind": "Formal"}
        # An old revision's snapshot without "extra" (stored before the feature) restores the rest only.
        outcome.revision.snapshot = {k: v for k, v in outcome.revision.snapshot.items() if k != "extra"}
        db.session.flush()
        set_values(org, {"phone_referrals": "no"})
        restore(admin(), org, outcome.revision, base_version=org.version)
        assert values_of(org) == {"agreement_kind": "Formal", "phone_referrals": "no"}
        # A field defined after a snapshot was taken keeps its value too.
        partial = snapshot_of(org)
        partial["extra"] = {"agreement_kind": "Informal"}
        submit_change(admin(), org, partial, base_version=org.version)
        assert values_of(org) == {"agreement_kind": "Informal", "phone_referrals": "no"}
        # A retired field's code in an old snapshot is skipped, not an error.
        field = definitions()[0]
        update_field(admin(), field, {**FIELDS[0], "active": False})
        stale = snapshot_of(org) | {"extra": {"phone_referrals": "yes", "agreement_kind": "Formal"}}
        submit_change(admin(), org, stale, base_version=org.version)
        assert values_of(org) == {"agreement_kind": "Formal"}
        db.session.rollback()


def test_snapshot_shape_and_merge_of_extra():
    base = {"name": "x", "extra": {"a": "1", "b": ""}}
    assert has_snapshot_shape(base)
    assert not has_snapshot_shape({"name": "x", "extra": ["a"]})
    assert not has_snapshot_shape({"name": "x", "extra": {"a": {"b": 1}}})
    yours = {"name": "x", "extra": {"a": "2"}}  # a code it does not name is left alone
    assert three_way_merge(base, base, yours).snapshot["extra"] == {"a": "2", "b": ""}
    published = {"name": "x", "extra": {"a": "3", "b": "z"}}
    merge = three_way_merge(base, published, yours)
    assert [c.key for c in merge.conflicts] == ["extra/a"] and merge.snapshot["extra"] == {"a": "3", "b": "z"}
    assert three_way_merge(base, published, yours, {"extra/a"}).snapshot["extra"] == {"a": "2", "b": "z"}


def test_conflict_page_offers_the_additional_information(defined):
    app, uuid = defined
    theirs = {"name": "Primera", "extra_phone_referrals": "no"}
    _, second, response = stale_edit(app, uuid, theirs, {"extra_phone_referrals": "yes"}, "?lang=en")
    assert response.status_code == 409
    page = text(response)
    assert "Additional information: Accepts referrals by phone" in page
    merge = form_fields(page, 'class="merge-form"')
    assert json.loads(merge["yours"])["extra"]["phone_referrals"] == "yes"
    assert not [name for name in merge if name.startswith("choice-")]  # nothing chosen beforehand
    merge |= {"choice-extra/phone_referrals": "proposed"}
    assert second.post(f"/organisations/{uuid}/edit/merge", data=merge).status_code == 302
    assert values(app, uuid) == {"agreement_kind": "Formal", "phone_referrals": "yes"}
    with app.app_context():
        assert organisation(uuid).name == "Primera"
