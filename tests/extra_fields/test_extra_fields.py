"""Additional information: the TS defines fields (label es/en/fr; text, yes/no, date, choice); values
per organisation through the service API and the form factory; the organisation page shows them in
the reader's language, escaped."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory_app.accounts.models import User
from directory_app.accounts.permissions import PermissionDenied
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.forms import extra_fields_form_class, extra_form_fields, form_data_of, values_from_form
from directory_app.extra_fields.models import ExtraField
from directory_app.extra_fields.services import define_field, definitions, set_values, update_field, values_of
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.services import set_extra_values
from tests.accounts.helpers import post_form
from tests.conftest import TEST_USERS, login_as

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
        "choices_text": "Formal\nInformal\n<b>Other</b>",
    },
    {"code": "notes_consulate", "field_type": "text", "label_es": "Nota", "label_en": "Note", "label_fr": "Note"},
]


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def published(country: str = "MX") -> Organisation:
    return db.session.scalars(
        select(Organisation).where(Organisation.status == Status.PUBLISHED, Organisation.country_code == country)
    ).first()


@pytest.fixture
def defined(fresh_app):
    with fresh_app.app_context():
        admin = user(TEST_USERS["ts_admin"].email)
        for data in FIELDS:
            define_field(admin, data)
        db.session.commit()
    return fresh_app


def test_ts_defines_fields_on_its_page(fresh_app):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    assert post_form(admin, "/admin/extra-fields/new", {**FIELDS[2], "position": "3", "active": "y"}).status_code == 302
    html = admin.get("/admin/extra-fields").get_data(as_text=True)
    assert "agreement_kind" in html and "&lt;b&gt;Other&lt;/b&gt;" in html
    with fresh_app.app_context():
        field = db.session.scalar(select(ExtraField))
        assert field.choices == ["Formal", "Informal", "<b>Other</b>"] and field.position == 3
        field_id = field.id
    data = {**FIELDS[2], "label_en": "Kind of agreement", "choices_text": "Formal\nInformal"}
    data.pop("active", None)  # unticked: the field is retired
    assert post_form(admin, f"/admin/extra-fields/{field_id}", data).status_code == 302
    with fresh_app.app_context():
        field = db.session.get(ExtraField, field_id)
        assert (field.label_en, field.active, field.field_type) == ("Kind of agreement", False, "choice")
        assert definitions() == [] and definitions(active_only=False) == [field]


@pytest.mark.parametrize(
    "changes",
    [
        {"code": "Bad Code"},
        {"code": "x"},
        {"field_type": "colour"},
        {"label_fr": ""},
        {"field_type": "choice", "choices_text": "only one"},
    ],
)
def test_bad_definitions_are_refused_with_a_message(fresh_app, changes):
    admin = login_as(fresh_app.test_client(), "ts_admin")
    response = post_form(admin, "/admin/extra-fields/new", {**FIELDS[3], **changes})
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)
    with fresh_app.app_context():
        assert db.session.scalar(select(ExtraField.id)) is None


def test_duplicate_code_is_refused(defined):
    admin = login_as(defined.test_client(), "ts_admin")
    response = post_form(admin, "/admin/extra-fields/new", FIELDS[0])
    assert response.status_code == 400 and "exists already" in response.get_data(as_text=True)


def test_only_the_ts_defines(defined):
    with defined.app_context():
        contact = user(TEST_USERS["country_contact:MX"].email)
        with pytest.raises(PermissionDenied):
            define_field(contact, {**FIELDS[0], "code": "other"})
        with pytest.raises(PermissionDenied):
            update_field(contact, db.session.scalar(select(ExtraField)), FIELDS[0])


def test_set_values_validates_all_and_writes_nothing_on_error(defined):
    with defined.app_context():
        org = published()
        errors = set_values(org, {"phone_referrals": "yes", "agreement_date": "31/12/2024", "agreement_kind": "Nope"})
        assert len(errors) == 2 and values_of(org) == {}
        assert set_values(org, {"unknown_code": "x"}) == ["'unknown_code' is not an additional field of the directory."]
        values = {"phone_referrals": True, "agreement_date": date(2024, 12, 31), "agreement_kind": "<b>Other</b>"}
        assert set_values(org, {**values, "notes_consulate": "  <script>x</script> "}) == []
        assert values_of(org) == {
            "phone_referrals": "yes",
            "agreement_date": "2024-12-31",
            "agreement_kind": "<b>Other</b>",
            "notes_consulate": "<script>x</script>",
        }
        assert set_values(org, {"notes_consulate": "", "phone_referrals": "no"}) == []
        assert values_of(org) == {
            "phone_referrals": "no",
            "agreement_date": "2024-12-31",
            "agreement_kind": "<b>Other</b>",
        }
        with pytest.raises(PermissionDenied):
            set_values(org, {"phone_referrals": "yes"}, user=user(TEST_USERS["country_contact:GT"].email))
        assert set_values(org, {"phone_referrals": "yes"}, user=user(TEST_USERS["country_contact:MX"].email)) == []
        db.session.commit()


def test_a_change_of_additional_information_is_a_new_version_of_the_entry(defined):
    # Written through organisations' write path: the version moves (no lost update) and updated_at with
    # it (the page cache's key); storing the same value again, or a refused one, is no new version.
    with defined.app_context():
        org = published()
        version, updated = org.version, org.updated_at
        assert set_extra_values(org, {"phone_referrals": "yes"}) == []
        db.session.commit()
        assert org.version == version + 1 and org.updated_at > updated
        assert set_extra_values(org, {"phone_referrals": "yes"}) == []
        assert set_extra_values(org, {"agreement_kind": "Nope"}) != []
        db.session.commit()
        assert org.version == version + 1 and values_of(org) == {"phone_referrals": "yes"}


def test_form_factory_round_trip(defined):
    with defined.test_request_context("/", method="POST"):
        org = published()
        set_values(org, {"agreement_date": "2023-05-01", "phone_referrals": "no"})
        form_class = extra_fields_form_class(lang="fr")
        prefilled = form_class(formdata=None, data=form_data_of(org), meta={"csrf": False})
        assert prefilled.extra_agreement_date.data == date(2023, 5, 1) and prefilled.extra_phone_referrals.data == "no"
        assert [field.label.text for field in extra_form_fields(prefilled)][
            0
        ] == "Accepte les orientations par téléphone"
        submitted = MultiDict(
            {
                "extra_phone_referrals": "yes",
                "extra_agreement_date": "",
                "extra_agreement_kind": "Formal",
                "extra_notes_consulate": "Llamar antes",
            }
        )
        form = form_class(formdata=submitted, meta={"csrf": False})
        assert form.validate(), form.errors
        assert set_values(org, values_from_form(form)) == []
        assert values_of(org) == {
            "phone_referrals": "yes",
            "agreement_kind": "Formal",
            "notes_consulate": "Llamar antes",
        }
        bad = form_class(formdata=MultiDict({"extra_agreement_kind": "Hacked"}), meta={"csrf": False})
        assert not bad.validate() and "extra_agreement_kind" in bad.errors


def test_organisation_page_shows_values_in_the_reader_language_escaped(defined):
    with defined.app_context():
        org = published()
        set_values(org, {"phone_referrals": "yes", "agreement_kind": "<b>Other</b>"})
        db.session.commit()
        url = f"/organisations/{org.uuid}"
    html = defined.test_client().get(url + "?lang=en").get_data(as_text=True)
    assert "Additional information" in html and "Accepts referrals by phone" in html
    assert "&lt;b&gt;Other&lt;/b&gt;" in html and "<b>Other</b>" not in html
    html = defined.test_client().get(url + "?lang=es").get_data(as_text=True)
    assert "Acepta referencias por teléfono" in html


def test_page_without_values_has_no_section(client, ctx):
    org = published()
    assert "Additional information" not in client.get(f"/organisations/{org.uuid}?lang=en").get_data(as_text=True)


def test_normalise_rejects_bad_values(defined):
    from directory_app.extra_fields.services import normalise_value

    with defined.app_context():
        fields = {field.code: field for field in definitions()}
        with pytest.raises(ValidationError):
            normalise_value(fields["phone_referrals"], "perhaps")
        with pytest.raises(ValidationError):
            normalise_value(fields["notes_consulate"], "x" * 2001)
        assert normalise_value(fields["phone_referrals"], "Sí") == "yes"


def test_values_for_export(defined):
    from directory_app.extra_fields.services import values_for_export

    with defined.app_context():
        first, second = db.session.scalars(select(Organisation).order_by(Organisation.id).limit(2)).all()
        set_values(first, {"phone_referrals": "yes", "agreement_kind": "Formal"})
        codes, values = values_for_export([first.id, second.id])
        assert codes == ["phone_referrals", "agreement_date", "agreement_kind", "notes_consulate"]
        assert values == {first.id: {"phone_referrals": "yes", "agreement_kind": "Formal"}}
        assert values_for_export([]) == (codes, {})


def test_audit_page_links_the_organisation(defined):
    from directory_app.audit import record_event

    with defined.app_context():
        org = published()
        record_event("approval", organisation_id=org.id, detail="proposal 1")
        db.session.commit()
        uuid = org.uuid
    html = login_as(defined.test_client(), "ts_admin").get("/admin/audit?kind=approval").get_data(as_text=True)
    assert f'href="/organisations/{uuid}"' in html
