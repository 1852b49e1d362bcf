"""HSDS from other publishers through the web form: the official HSDS 3.0 examples (one organization, a
page of organizations, services and services at a location, single and paged) and the official CSV
tables as a package; terms of another taxonomy mapped in the preview and remembered for the next file;
what the import cannot keep listed per record. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.extra_fields.services import values_of
from directory_app.organisations.models import CoverageKind, Organisation, Status
from directory_app.transfer.models import HsdsTermMapping
from tests.conftest import login_as
from tests.transfer.hsds_flow import asks_country, choose, examples_package, notes, terms
from tests.transfer.web_flow import import_now, preview_upload, upload

EXAMPLE_ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_CONTACT = "1e7efce3-639b-4880-940c-b95cd30cdb50"
EXAMPLE_PHONE = "1554f2e2-a373-45db-a3fa-9fc48a61c15e"
EXAMPLES = {  # file: (what the file is, services it offers, its addresses name a member country)
    "organization_full.json": ("one organization", {EXAMPLE_SERVICE}, True),
    "organization_list.json": ("a page of organizations", set(), False),
    "service_full.json": ("one service", {EXAMPLE_SERVICE}, True),
    "service_list.json": ("a page of services", {EXAMPLE_SERVICE}, False),
    "service_at_location_full.json": ("one service at a location", {EXAMPLE_SERVICE}, True),
    "service_at_location_list.json": ("a page of services at locations", {EXAMPLE_SERVICE}, False),
}


def organisation(app, uuid: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_each_official_example_imports_through_the_web_form(fresh_app, hsds_examples, example):
    _kind, services, has_country = EXAMPLES[example]
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, (hsds_examples / example).read_bytes(), example)
    listed = terms(preview.html)
    if "_list" in example:  # a page of a longer list: the preview says that only this page is imported
        assert "This file is page 1 of 10 of a list of 10 entries" in preview.html
    if not has_country:  # no address: the TS chooses the country, until then the row waits for it
        assert asks_country(preview.html) and preview.counts["rejected"] == 1
    if services and not listed:  # services without any term: left out unless a category is chosen
        assert any("no service category of ours" in n["text"] for n in notes(preview.html))
    preview = choose(web, preview, term_choices="mental_health", category="" if listed else "health_care", country="MX")
    assert preview.counts == {"to create": 1, "to update": 0, "unchanged": 0, "rejected": 0}, preview.html[-3000:]
    import_now(web, preview)
    with fresh_app.app_context():
        org = organisation(fresh_app, EXAMPLE_ORGANIZATION)
        assert (org.name, org.kind, org.status) == ("Example Organization Inc.", "ngo", Status.DRAFT)
        assert org.country_code == ("US" if has_country else "MX")
        assert {s.uuid for s in org.services} == services
        expected = "mental_health" if listed else "health_care"
        assert {s.category_code for s in org.services} <= {expected}


def test_organization_full_keeps_what_has_a_place_and_lists_the_rest(fresh_app, hsds_examples):
    """Contacts' phones, hours, fees with cost options, identifiers, funding and programs are kept; the
    location without a valid position, the unknown fields and the languages of phones are listed."""
    web = login_as(fresh_app.test_client(), "ts_admin")
    name = "organization_full.json"
    preview = preview_upload(web, (hsds_examples / name).read_bytes(), name)
    assert [(t["taxonomy"], t["code"], t["name"], t["services"]) for t in terms(preview.html)] == [
        ("taxonomy", "code", "name", 1)
    ]
    preview = choose(web, preview, term_choices={"code": "mental_health"})
    listed = notes(preview.html)
    lost = {(n["part"], n["text"]) for n in listed if not n["kept"]}
    assert ("location 'MyCity Civic Center'", "its position cannot be used") in {
        (part, text.split(" (")[0]) for part, text in lost
    }
    assert any("latitude 100" in text for _part, text in lost)
    assert (
        "organization",
        "not kept: tax_status, year_incorporated, legal_status, logo, uri, parent_organization_id",
    ) in lost
    assert ("phone '+44 1234 234567'", "not kept: languages") in lost
    service_lost = next(t for p, t in lost if p == "service 'Community Counselling'" and t.startswith("not kept:"))
    assert "wait_time" in service_lost and "minimum_age" in service_lost and "required_documents" in service_lost
    kept = {n["text"] for n in listed if n["kept"]}
    assert any("'Funding (HSDS)'" in text for text in kept) and any("'Identifiers (HSDS)'" in text for text in kept)
    assert all(n["row"] == 1 and n["name"] == "Example Organization Inc." for n in listed)
    import_now(web, preview)
    with fresh_app.app_context():
        org = organisation(fresh_app, EXAMPLE_ORGANIZATION)
        assert org.locations == []
        (contact,) = org.contacts
        assert (contact.uuid, contact.name, contact.title) == (EXAMPLE_CONTACT, "Ann Persona", "Reception Manager")
        (phone,) = org.phones  # listed under the organization and under its contact: once, the contact's
        assert (phone.uuid, phone.number, phone.extension, phone.contact) == (
            EXAMPLE_PHONE,
            "+44 1234 234567",
            "100",
            contact,
        )
        (service,) = org.services
        assert service.category_code == "mental_health"
        assert "10:00–18:00" in service.schedule and "weekdays" in service.schedule
        assert "Under 18s and Over 60s: 35 gbp per 1 hour session" in service.fees
        assert [lang.code for lang in service.languages] == ["ur"]
        assert org.last_verified.isoformat() == "2005-01-01"
        extra = values_of(org)
        assert extra["hsds_identifiers"] == "GB-COH Company number: 1234567"
        assert extra["hsds_programs"].startswith("Community Mental Health Support / MyCity Mental Health Group: ")
        assert extra["hsds_funding"].startswith("This service is funded partially by the MyCity local government")
        assert "hsds_terms" not in extra  # the term was mapped to a category


def test_the_official_csv_tables_import_as_a_package(fresh_app, hsds_examples):
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, examples_package(hsds_examples), "hsds-examples.zip")
    # rows that link to nothing in the package are said, table by table
    assert "attributes.csv: 1 row belongs to no organization of the package (row 2): not read." in preview.html
    assert "metadata.csv: 1 row belongs to no organization of the package (row 2): not read." in preview.html
    preview = choose(web, preview, category="mental_health")
    assert preview.counts == {"to create": 1, "to update": 0, "unchanged": 0, "rejected": 0}, preview.html[-3000:]
    import_now(web, preview)
    with fresh_app.app_context():
        org = organisation(fresh_app, EXAMPLE_ORGANIZATION)
        assert org.country_code == "US"  # the address of the location its service is offered at
        assert [s.uuid for s in org.services] == [EXAMPLE_SERVICE]
        assert [(c.uuid, [p.uuid for p in c.phones]) for c in org.contacts] == [(EXAMPLE_CONTACT, [EXAMPLE_PHONE])]
        assert values_of(org)["hsds_identifiers"] == "GB-COH Company number: 1234567\ntax_id: tax_id"


def _foreign(org_id: str, name: str, service_id: str, extra_areas: list | None = None) -> dict:
    term = {"id": "7a1d6f4e-0000-4000-8000-000000000001", "code": "1102", "name": "Counseling"}
    term |= {"taxonomy": "Open Eligibility", "description": "Counseling"}
    other = {"id": "7a1d6f4e-0000-4000-8000-000000000002", "code": "BD-1800", "name": "Emergency Food"}
    other |= {"taxonomy": "AIRS/211", "description": "Food"}
    return {
        "id": org_id,
        "name": name,
        "description": "Otra red",
        "locations": [
            {
                "id": org_id[:-1] + "9",
                "location_type": "physical",
                "latitude": 16.75,
                "longitude": -93.12,
                "addresses": [{"address_1": "Calle 1", "city": "Tuxtla", "state_province": "Chiapas", "country": "MX"}],
            }
        ],
        "services": [
            {
                "id": service_id,
                "name": "Escucha",
                "status": "active",
                "attributes": [
                    {"id": service_id[:-1] + "1", "link_type": "service", "taxonomy_term": term},
                    {"id": service_id[:-1] + "2", "link_type": "service", "taxonomy_term": other},
                ],
                "service_areas": extra_areas or [],
            }
        ],
    }


def test_a_foreign_term_mapped_in_the_preview_is_remembered(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    square = {
        "type": "Polygon",
        "coordinates": [[[-93.2, 16.7], [-93.0, 16.7], [-93.0, 16.9], [-93.2, 16.9], [-93.2, 16.7]]],
    }
    areas = [
        {"id": "5e0b1c1e-0000-4000-8000-0000000000a1", "name": "chiapas", "extent_type": "text"},
        {
            "id": "5e0b1c1e-0000-4000-8000-0000000000a2",
            "name": "Tuxtla",
            "extent": json.dumps(square),
            "extent_type": "geojson",
        },
        {"id": "5e0b1c1e-0000-4000-8000-0000000000a3", "name": "Atlantis", "extent_type": "text"},
    ]
    first = [_foreign("0a0b0c0d-0000-4000-8000-000000000010", "Red Uno", "0a0b0c0d-0000-4000-8000-000000000020", areas)]
    preview = preview_upload(web, json.dumps(first).encode(), "red-uno.json")
    assert [(t["taxonomy"], t["code"], t["name"], t["chosen"]) for t in terms(preview.html)] == [
        ("AIRS/211", "BD-1800", "Emergency Food", ""),
        ("Open Eligibility", "1102", "Counseling", ""),
    ]
    assert any("no service category of ours" in n["text"] for n in notes(preview.html))
    preview = choose(web, preview, term_choices={"1102": "mental_health"})  # BD-1800 stays text
    assert [(t["code"], t["chosen"], t["remembered"]) for t in terms(preview.html)] == [
        ("BD-1800", "", True),
        ("1102", "mental_health", True),
    ]
    lost = [n["text"] for n in notes(preview.html) if not n["kept"] and n["part"] == "service area 'Atlantis'"]
    assert lost == ["no admin unit or member country recognised in its extent or name: not kept"]
    import_now(web, preview)
    with fresh_app.app_context():
        stored = {(m.taxonomy, m.code): m.category_code for m in db.session.scalars(select(HsdsTermMapping))}
        assert stored == {("Open Eligibility", "1102"): "mental_health", ("AIRS/211", "BD-1800"): None}
        org = organisation(fresh_app, first[0]["id"])
        assert [s.category_code for s in org.services] == ["mental_health"]
        assert values_of(org)["hsds_terms"] == "AIRS/211: BD-1800 (Emergency Food) — Escucha"
        parts = sorted((p.kind, p.admin_unit.code if p.admin_unit else p.label) for p in org.coverage_parts)
        assert parts == [(CoverageKind.ADMIN_UNIT, "MX-CHP"), (CoverageKind.POLYGON, "Tuxtla")]

    # The next file of that publisher needs no choice: the term is remembered.
    second = [_foreign("0a0b0c0d-0000-4000-8000-000000000030", "Red Dos", "0a0b0c0d-0000-4000-8000-000000000040")]
    preview = preview_upload(web, json.dumps(second).encode(), "red-dos.json")
    assert [(t["code"], t["chosen"], t["remembered"]) for t in terms(preview.html)] == [
        ("BD-1800", "", True),
        ("1102", "mental_health", True),
    ]
    assert preview.counts["to create"] == 1
    import_now(web, preview)
    with fresh_app.app_context():
        assert [s.category_code for s in organisation(fresh_app, second[0]["id"]).services] == ["mental_health"]


def test_a_country_contact_imports_hsds_in_their_own_country(fresh_app, hsds_examples):
    """No country to choose: a contact's entries are in their country, and become proposals."""
    web = login_as(fresh_app.test_client(), "country_contact", "GT")
    name = "organization_list.json"
    preview = preview_upload(web, (hsds_examples / name).read_bytes(), name)
    assert not asks_country(preview.html)
    assert preview.counts == {"to create": 1, "to update": 0, "unchanged": 0, "rejected": 0}, preview.html[-3000:]
    import_now(web, preview)
    with fresh_app.app_context():
        assert organisation(fresh_app, EXAMPLE_ORGANIZATION) is None  # a proposal for the TS, not an entry yet


def test_what_is_not_hsds_is_refused_with_a_clear_message(client_as, hsds_examples):
    web = client_as("ts_admin")
    for name in ("location.json", "taxonomy.json"):  # HSDS objects, but no organization or service
        response = upload(web, (hsds_examples / name).read_bytes(), name)
        assert response.status_code == 400
        assert "neither GeoJSON nor HSDS (an organization or a service" in response.get_data(as_text=True)
    without_organizations = io.BytesIO()
    with zipfile.ZipFile(without_organizations, "w") as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr("services.csv", "id,name,status\n1,A,active\n")
    response = upload(web, without_organizations.getvalue(), "paquete.zip")
    assert response.status_code == 400
    assert "The package has no organizations table (organizations.csv)." in response.get_data(as_text=True)


def test_what_the_file_says_is_shown_as_text(client_as):
    """Names and terms of another publisher's file are text on the preview, never markup."""
    web = client_as("ts_admin")
    document = _foreign(
        "0a0b0c0d-0000-4000-8000-000000000050", "<script>alert('org')</script>", "0a0b0c0d-0000-4000-8000-000000000060"
    )
    document["services"][0]["attributes"][0]["taxonomy_term"]["name"] = "<img src=x onerror=alert(1)>"
    document["legal_status"] = "<b>bold</b>"
    preview = preview_upload(web, json.dumps(document).encode(), "xss.json")
    assert "<script>alert" not in preview.html and "<img src=x" not in preview.html and "<b>bold" not in preview.html
    assert "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;" in preview.html
    assert [t["name"] for t in terms(preview.html)][1] == "<img src=x onerror=alert(1)>"


def test_the_command_line_reads_hsds_with_the_same_choices(fresh_app, hsds_examples, tmp_path):
    (tmp_path / "page.json").write_bytes((hsds_examples / "service_list.json").read_bytes())
    (tmp_path / "package.zip").write_bytes(examples_package(hsds_examples))
    runner = fresh_app.test_cli_runner()
    with fresh_app.app_context():
        waiting = runner.invoke(args=["import-organisations", str(tmp_path / "page.json"), "--dry-run"])
        assert "Member country" in waiting.output and "1 rejected" in waiting.output, waiting.output
        args = ["import-organisations", str(tmp_path / "page.json"), "--country", "gt", "--category", "food"]
        done = runner.invoke(args=args)
        assert done.exit_code == 0 and "Created 1" in done.output, done.output
        org = organisation(fresh_app, EXAMPLE_ORGANIZATION)
        assert org.country_code == "GT" and [s.category_code for s in org.services] == ["food"]
        exported = runner.invoke(args=["export-organisations", "--format", "hsds_csv", "-o", str(tmp_path / "x.zip")])
        assert exported.exit_code == 0 and zipfile.is_zipfile(tmp_path / "x.zip")
