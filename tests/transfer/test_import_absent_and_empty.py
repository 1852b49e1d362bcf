"""Absent and empty through the import form: a file without a column says nothing about that field
(organisations.entry_data.ABSENT: the stored value stays), an empty cell clears a field that may be
empty (website, description, e-mail, acronym, last verified, networks) and says nothing in one that
may not (name, kind, hide_exact_location...). On both backends, through the real upload form."""

from __future__ import annotations

from tests.conftest import login_as
from tests.transfer.test_import_changes_only_what_it_says import csv_of, hidden_organisation_with_services, stored
from tests.transfer.web_flow import import_now, preview_upload


def test_an_empty_cell_clears_what_may_be_empty_and_a_missing_column_leaves_it(fresh_app):
    before = hidden_organisation_with_services(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    values = {
        "website": "https://example.org/casa",
        "description": "Texto que luego se borra",
        "email": "casa@example.org",
        "alternate_name": "CASA",
        "last_verified": "2025-12-01",
    }
    # Filled cells set the values (no services, sites, contacts or hide_exact_location column).
    header = ["external_id", *values]
    import_now(web, preview_upload(web, csv_of(header, [before["external_id"], *values.values()]), "llenar.csv"))
    filled = stored(fresh_app, before["id"])
    assert filled == before | values
    # A file with only the name: every other field stays as it is.
    only_name = csv_of(["external_id", "name"], [before["external_id"], before["name"]])
    assert preview_upload(web, only_name, "nombre.csv").counts["unchanged"] == 1
    # Empty cells: the fields that may be empty are cleared; name, kind and hide_exact_location are
    # not (an empty cell there says nothing), nor is anything the file has no column for.
    header = ["external_id", "name", "kind", "hide_exact_location", "networks", *values]
    row = [before["external_id"], "", "", "", "", "", "", "", "", ""]
    preview = preview_upload(web, csv_of(header, row), "vaciar.csv")
    assert preview.counts == {"to create": 0, "to update": 1, "unchanged": 0, "rejected": 0}
    assert "would show their exact location" not in preview.html
    import_now(web, preview)
    cleared = stored(fresh_app, before["id"])
    empty = {"website": "", "description": "", "email": "", "alternate_name": "", "last_verified": ""}
    assert cleared == before | empty | {"networks": []}
    assert cleared["hide_exact_location"] is True and cleared["name"] == before["name"]
    assert cleared["services"] == before["services"] and cleared["locations"] == before["locations"]
