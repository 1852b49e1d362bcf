"""A file of HSDS services (each with its organization) for an organisation already in the directory:
the services the file does not list stay (ABSENT), a listed one updates the service with its id or is
added, and the preview says what each list gains. Through the web form and the command line, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.extra_fields.services import apply_snapshot_values, values_of
from directory_app.organisations import services as org_services
from directory_app.organisations.models import Organisation
from tests.conftest import login_as
from tests.transfer.hsds_flow import choose
from tests.transfer.web_flow import import_now, preview_upload

EXAMPLE_ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
SHELTER = "5a1e0000-0000-4000-8000-000000000001"
LEGAL = "5a1e0000-0000-4000-8000-000000000002"
OWN_CONTACT = "5a1e0000-0000-4000-8000-000000000003"


def _stored(app) -> None:
    """The example organisation as the directory holds it: two services of its own, a contact, a phone."""
    with app.app_context():
        org_services.create_organisation(
            {
                "id": EXAMPLE_ORGANIZATION,
                "name": "Example Organization Inc.",
                "kind": "ngo",
                "country_code": "US",
                "status": "published",
                "contacts": [{"id": OWN_CONTACT, "name": "Rosa Pérez", "email": "rosa@example.org"}],
                "phones": [{"number": "+1 713 555 0100", "contact": 0}],
                "services": [
                    {"id": SHELTER, "category": "shelter", "name": "Albergue", "translations": {}},
                    {"id": LEGAL, "category": "legal_assistance", "name": "Asesoría", "eligibility": "Adultos"},
                ],
            }
        )
        db.session.commit()


def _services(app) -> dict[str, tuple[str, str]]:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == EXAMPLE_ORGANIZATION))
        return {s.uuid: (s.category_code, s.name) for s in org.services}


def _merged_lines(html: str) -> list[str]:
    start = html.find('<ul class="import-merged">')
    return [] if start < 0 else [li.split("</li>")[0] for li in html[start:].split("</ul>")[0].split("<li>")[1:]]


def test_a_service_file_adds_and_updates_services_and_leaves_the_others(fresh_app, hsds_examples):
    _stored(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    content = (hsds_examples / "service_full.json").read_bytes()
    preview = choose(web, preview_upload(web, content, "service_full.json"), term_choices="mental_health")
    assert preview.counts == {"to create": 0, "to update": 1, "unchanged": 0, "rejected": 0}, preview.html[-3000:]
    assert "keeps the services, sites, contacts, phones and coverage the file does not list" in preview.html
    lines = _merged_lines(preview.html)
    assert "Services: 1 new, 0 updated, 2 not in the file and left as they are" in lines, lines
    assert "Contact people: 1 new, 0 updated, 1 not in the file and left as they are" in lines, lines
    import_now(web, preview)
    assert _services(fresh_app) == {
        SHELTER: ("shelter", "Albergue"),
        LEGAL: ("legal_assistance", "Asesoría"),
        EXAMPLE_SERVICE: ("mental_health", "Community Counselling"),
    }
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == EXAMPLE_ORGANIZATION))
        assert OWN_CONTACT in {c.uuid for c in org.contacts}
        rosa = next(c for c in org.contacts if c.uuid == OWN_CONTACT)
        assert [p.number for p in rosa.phones] == ["+1 713 555 0100"]  # her phone still hers
        assert next(s for s in org.services if s.uuid == LEGAL).eligibility == "Adultos"

    # The same file again changes nothing.
    again = choose(web, preview_upload(web, content, "service_full.json"), term_choices="mental_health")
    assert again.counts["unchanged"] == 1, again.html[-3000:]

    # The listed service edited: it is updated, the others stay.
    document = json.loads(content)
    document["name"] = "Community Counselling (evenings)"
    edited = preview_upload(web, json.dumps(document).encode(), "service_full.json")
    assert edited.counts["to update"] == 1
    assert "Services: 0 new, 1 updated, 2 not in the file and left as they are" in _merged_lines(edited.html)
    import_now(web, edited)
    assert _services(fresh_app)[EXAMPLE_SERVICE] == ("mental_health", "Community Counselling (evenings)")
    assert {SHELTER, LEGAL} < set(_services(fresh_app))


def test_the_command_line_merges_a_page_of_services(fresh_app, hsds_examples, tmp_path):
    _stored(fresh_app)
    (tmp_path / "page.json").write_bytes((hsds_examples / "service_list.json").read_bytes())
    runner = fresh_app.test_cli_runner()
    with fresh_app.app_context():
        args = ["import-organisations", str(tmp_path / "page.json"), "--country", "US", "--category", "food"]
        done = runner.invoke(args=args)
        assert done.exit_code == 0 and "update 1;" in done.output, done.output
        assert "row 1: Services: 1 new, 0 updated, 2 not in the file and left as they are" in done.output
    assert _services(fresh_app) == {
        SHELTER: ("shelter", "Albergue"),
        LEGAL: ("legal_assistance", "Asesoría"),
        EXAMPLE_SERVICE: ("food", "Community Counselling"),
    }


def test_the_hsds_text_of_other_services_stays(fresh_app, hsds_examples):
    """Funding kept as additional information: a service file adds its lines to the stored ones."""
    _stored(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    content = (hsds_examples / "service_full.json").read_bytes()
    import_now(web, choose(web, preview_upload(web, content, "service_full.json"), term_choices="mental_health"))
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == EXAMPLE_ORGANIZATION))
        funding = values_of(org)["hsds_funding"]
        assert funding.startswith("This service is funded partially")
        apply_snapshot_values(org, {"hsds_funding": "Fundación Local: albergue\n" + funding})
        db.session.commit()
    again = choose(web, preview_upload(web, content, "service_full.json"), term_choices="mental_health")
    assert again.counts["unchanged"] == 1, again.html[-3000:]
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == EXAMPLE_ORGANIZATION))
        assert values_of(org)["hsds_funding"] == "Fundación Local: albergue\n" + funding
