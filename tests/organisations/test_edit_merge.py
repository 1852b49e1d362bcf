"""Saving the edit form (or the coverage form) over a newer version, through the pages, on both
backends (organisations.edit_merge): changes to different fields are both kept without a question;
only a field both people changed is asked about, in words, with nothing chosen beforehand; a save
without a choice for each is refused and writes nothing; the choice made is applied together with
the person's other changes."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeProposal, Revision
from tests.review.helpers import any_token, form_fields, open_form, org_uuid, text

MERGE_FORM = 'class="merge-form"'


def row(app, uuid: str) -> Organisation:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        fees = org.services[0].fees if org.services else None
        db.session.expunge(org)
        org.first_fees = fees
        return org


def revisions(app, uuid: str) -> int:
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.uuid == uuid))
        return db.session.scalar(select(func.count(Revision.id)).where(Revision.organisation_id == org_id))


def two_forms(app, login_as, uuid: str, second_role: str = "ts_admin"):
    """Two sessions open the entry's edit form on the same version."""
    first = login_as(app.test_client(), "ts_admin")
    second = login_as(app.test_client(), second_role, "MX" if second_role == "country_contact" else None)
    url = f"/organisations/{uuid}/edit"
    return first, open_form(first, url), second, open_form(second, url)


def test_changes_to_different_fields_are_both_kept_without_a_question(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=10)
    first, form_1, second, form_2 = two_forms(fresh_app, login_as, uuid)
    assert first.post(f"/organisations/{uuid}/edit", data=form_1 | {"website": "https://primera.example.org"})
    yours = form_2 | {"email": "segunda@example.org", "services-0-fees": "Gratis, sin cita"}
    response = second.post(f"/organisations/{uuid}/edit?lang=en", data=yours)
    assert response.status_code == 302, text(response)  # no conflict page
    page = text(second.get(response.location))
    assert "their changes to Website were kept" in page and "The change is published." in page
    org = row(fresh_app, uuid)
    assert (org.website, org.email, org.first_fees) == (
        "https://primera.example.org",
        "segunda@example.org",
        "Gratis, sin cita",
    )


def test_a_country_contacts_stale_form_becomes_a_proposal_that_keeps_the_newer_change(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=11)
    ts, form_ts, contact, form_contact = two_forms(fresh_app, login_as, uuid, "country_contact")
    assert ts.post(f"/organisations/{uuid}/edit", data=form_ts | {"name": "Nombre del TS"}).status_code == 302
    response = contact.post(f"/organisations/{uuid}/edit", data=form_contact | {"email": "contacto@example.org"})
    assert response.status_code == 302 and "/review/" in response.location
    with fresh_app.app_context():
        proposal = db.session.scalar(select(ChangeProposal).order_by(ChangeProposal.id.desc()).limit(1))
        # the proposal is the newer version with the contact's change: approving it undoes nothing
        assert proposal.snapshot["name"] == "Nombre del TS" and proposal.snapshot["email"] == "contacto@example.org"
        proposal_id = proposal.id
    assert ts.post(f"/review/{proposal_id}/approve", data={"csrf_token": any_token(ts)}).status_code == 302
    org = row(fresh_app, uuid)
    assert (org.name, org.email) == ("Nombre del TS", "contacto@example.org")


def test_a_field_both_changed_is_asked_with_nothing_chosen_and_cannot_be_saved_unchosen(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=12)
    first, form_1, second, form_2 = two_forms(fresh_app, login_as, uuid)
    theirs = {"website": "https://primera.example.org", "name": "Nombre de la primera"}
    assert first.post(f"/organisations/{uuid}/edit", data=form_1 | theirs).status_code == 302
    yours = form_2 | {"website": "https://segunda.example.org", "email": "segunda@example.org"}
    yours |= {"services-0-fees": "Cuota simbólica"}
    response = second.post(f"/organisations/{uuid}/edit?lang=en", data=yours)
    assert response.status_code == 409
    html = text(response)
    conflicts = re.findall(r'<tr class="conflict".*?</tr>', html, flags=re.S)
    assert len(conflicts) == 1  # only the website: the name, the email and the fees are no question
    (conflict,) = conflicts
    assert '<th scope="row">Website</th>' in conflict  # the field in words
    assert "https://primera.example.org" in conflict and "https://segunda.example.org" in conflict
    assert "Published now (changed by" in conflict and "Your value (not saved yet)" in conflict
    assert "checked" not in conflict  # nothing preselected
    assert "Your changes applied as they are" in html and "Email" in html
    assert "Changes made by someone else, kept as they are" in html and "Name" in html
    fields = form_fields(html, MERGE_FORM)
    assert [name for name in fields if name.startswith("choice-")] == []
    (choice,) = set(re.findall(r'name="(choice-[^"]+)"', html))

    # nothing written until the conflict is chosen
    count = revisions(fresh_app, uuid)
    refused = second.post(f"/organisations/{uuid}/edit/merge?lang=en", data=fields)
    assert refused.status_code == 400
    assert "Nothing was saved. Choose, for each field changed on both sides" in text(refused)
    assert "Website" in text(refused)
    org = row(fresh_app, uuid)
    assert (org.website, org.email) == ("https://primera.example.org", form_2["email"])
    assert org.first_fees != "Cuota simbólica" and revisions(fresh_app, uuid) == count
    # a choice that is neither value is no choice
    assert second.post(f"/organisations/{uuid}/edit/merge", data=fields | {choice: "yours"}).status_code == 400
    assert revisions(fresh_app, uuid) == count

    # chosen: the choice and the other non-conflicting changes are applied, the other person's kept
    saved = second.post(f"/organisations/{uuid}/edit/merge", data=fields | {choice: "proposed"})
    assert saved.status_code == 302
    org = row(fresh_app, uuid)
    assert (org.name, org.website, org.email, org.first_fees) == (
        "Nombre de la primera",
        "https://segunda.example.org",
        "segunda@example.org",
        "Cuota simbólica",
    )
    assert revisions(fresh_app, uuid) == count + 1
    # the page, sent again, is on an old version: asked again, nothing written
    again = second.post(f"/organisations/{uuid}/edit/merge", data=fields | {choice: "published"})
    assert again.status_code == 409 and revisions(fresh_app, uuid) == count + 1


def test_keeping_the_published_value_still_applies_the_other_changes(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=13)
    first, form_1, second, form_2 = two_forms(fresh_app, login_as, uuid)
    assert first.post(f"/organisations/{uuid}/edit", data=form_1 | {"email": "primera@example.org"}).status_code == 302
    yours = form_2 | {"email": "segunda@example.org", "alternate_name": "SEGUNDA"}
    page = second.post(f"/organisations/{uuid}/edit?lang=es", data=yours)
    assert page.status_code == 409
    html = text(page)
    assert "Correo electrónico" in html  # the field in the reader's language
    fields = form_fields(html, MERGE_FORM)
    (choice,) = set(re.findall(r'name="(choice-[^"]+)"', html))
    saved = second.post(f"/organisations/{uuid}/edit/merge?lang=en", data=fields | {choice: "published"})
    assert saved.status_code == 302
    assert "Kept as published, as you chose: Email." in text(second.get(saved.location))
    org = row(fresh_app, uuid)
    assert (org.email, org.alternate_name) == ("primera@example.org", "SEGUNDA")


def test_coverage_saved_over_a_newer_version_keeps_the_other_change(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=14)
    ts = login_as(fresh_app.test_client(), "ts_admin")
    other = login_as(fresh_app.test_client(), "ts_admin")
    page = text(ts.get(f"/organisations/{uuid}/edit/coverage"))
    coverage = form_fields(page, 'class="edit-form coverage-form"')
    # meanwhile someone else renames the entry
    form = open_form(other, f"/organisations/{uuid}/edit")
    assert other.post(f"/organisations/{uuid}/edit", data=form | {"name": "Renombrada"}).status_code == 302
    chosen = coverage | {"units": ["unit:MX-CHP"], "radii-0-radius_km": "", "drawn": ""}
    response = ts.post(f"/organisations/{uuid}/edit/coverage?lang=en", data=chosen)
    assert response.status_code == 302, text(response)
    assert "their changes to Name were kept" in text(ts.get(response.location))
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        assert org.name == "Renombrada"
        assert [(str(p.kind), p.admin_unit.code) for p in org.coverage_parts] == [("admin_unit", "MX-CHP")]


def test_a_refused_value_in_a_stale_form_is_shown_in_the_form_and_saving_it_again_merges_again(fresh_app, login_as):
    uuid = org_uuid(fresh_app, index=15)
    first, form_1, second, form_2 = two_forms(fresh_app, login_as, uuid)
    assert first.post(f"/organisations/{uuid}/edit", data=form_1 | {"name": "Nombre de la primera"}).status_code == 302
    count = revisions(fresh_app, uuid)
    yours = form_2 | {"website": "https://segunda.example.org", "phones-0-number": "llamar"}
    bad = second.post(f"/organisations/{uuid}/edit?lang=en", data=yours)  # refused by the service, not the form
    assert bad.status_code == 400
    html = text(bad)
    assert "&#39;llamar&#39; is not a phone number" in html and 'class="edit-form' in html
    assert revisions(fresh_app, uuid) == count
    fixed = form_fields(html) | {"phones-0-number": "+52 962 000 0000"}
    assert fixed["version"] == form_2["version"]  # still the version it was opened on: merged again
    assert second.post(f"/organisations/{uuid}/edit", data=fixed).status_code == 302
    org = row(fresh_app, uuid)
    assert (org.name, org.website) == ("Nombre de la primera", "https://segunda.example.org")


def an_organisation_with_a_drawn_area(app) -> str:
    from directory_app.organisations.models import CoveragePart, Status

    with app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .join(CoveragePart, CoveragePart.organisation_id == Organisation.id)
            .where(Organisation.status == Status.PUBLISHED, CoveragePart.kind == "polygon")
            .order_by(Organisation.id)
            .limit(1)
        ).one()


def test_a_coverage_part_both_changed_is_asked_on_the_same_page(fresh_app, login_as):
    uuid = an_organisation_with_a_drawn_area(fresh_app)
    url = f"/organisations/{uuid}/edit/coverage"
    first = login_as(fresh_app.test_client(), "ts_admin")
    second = login_as(fresh_app.test_client(), "ts_admin")
    forms = [form_fields(text(who.get(url)), 'class="edit-form coverage-form"') for who in (first, second)]

    def relabel(form: dict, label: str) -> dict:
        drawn = json.loads(form["drawn"])
        drawn["features"][0]["properties"]["label"] = label  # the same saved area, renamed
        return form | {"drawn": json.dumps(drawn)}

    assert first.post(url, data=relabel(forms[0], "Zona de la primera")).status_code == 302
    response = second.post(f"{url}?lang=en", data=relabel(forms[1], "Zona de la segunda"))
    assert response.status_code == 409
    html = text(response)
    (conflict,) = re.findall(r'<tr class="conflict".*?</tr>', html, flags=re.S)
    assert "Zona de la primera" in conflict and "Zona de la segunda" in conflict
    assert "checked" not in conflict and "coverage[" not in conflict
    fields = form_fields(html, MERGE_FORM)
    (choice,) = set(re.findall(r'name="(choice-[^"]+)"', html))
    assert second.post(f"/organisations/{uuid}/edit/merge", data=fields).status_code == 400
    assert second.post(f"/organisations/{uuid}/edit/merge", data=fields | {choice: "proposed"}).status_code == 302
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        labels = [p.label for p in org.coverage_parts if str(p.kind) == "polygon"]
        assert "Zona de la segunda" in labels and "Zona de la primera" not in labels
