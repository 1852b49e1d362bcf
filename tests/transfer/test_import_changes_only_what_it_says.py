"""An import changes only what a row says: the public export re-imported leaves every hidden site's
exact position and street alone; a file without a column leaves that field as it is; un-hiding a
location takes an explicit value and is shown in the preview as a privacy change. Through the web
forms, on both backends."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.entry_of import exchange_snapshot as organisation_snapshot
from directory_app.organisations.models import Location, Organisation, Status
from tests.conftest import login_as
from tests.transfer.web_flow import import_now, preview_upload

PRIVACY_LINE = "would show their exact location to the public"


def hidden_country(app) -> str:
    """The country with the most published organisations that hide their location."""
    with app.app_context():
        countries = db.session.scalars(
            select(Organisation.country_code).where(
                Organisation.hide_exact_location.is_(True), Organisation.status == Status.PUBLISHED
            )
        ).all()
    assert countries, "the world has hidden organisations"
    return max(set(countries), key=countries.count)


def exact_sites(app, country: str) -> dict[str, tuple]:
    """Every site of the country's hidden organisations: (lon, lat, address, postal code), by site id."""
    with app.app_context():
        rows = db.session.execute(
            select(Location.uuid, Location.lon, Location.lat, Location.address, Location.postal_code)
            .join(Organisation)
            .where(Organisation.country_code == country, Organisation.hide_exact_location.is_(True))
        ).all()
    return {uuid: tuple(rest) for uuid, *rest in rows}


@pytest.mark.parametrize(
    "fmt,suffix", [("csv", "csv"), ("xlsx", "xlsx"), ("geojson", "geojson"), ("gpkg", "gpkg"), ("hsds", "json")]
)
def test_the_public_export_reimported_changes_no_exact_position(fresh_app, fmt, suffix):
    country = hidden_country(fresh_app)
    exported = fresh_app.test_client().get(f"/transfer/export?format={fmt}&country={country}")  # the public
    assert exported.status_code == 200
    sites = exact_sites(fresh_app, country)
    assert sites and all(address for _lon, _lat, address, _postal in sites.values())
    with fresh_app.app_context():
        published = db.session.scalar(
            select(db.func.count()).where(Organisation.country_code == country, Organisation.status == Status.PUBLISHED)
        )
    web = login_as(fresh_app.test_client(), "ts_admin")
    as_is = preview_upload(web, exported.data, f"public.{suffix}")
    assert as_is.counts == {"to create": 0, "to update": 0, "unchanged": published, "rejected": 0}
    assert not as_is.offers_import
    with fresh_app.app_context():
        # One hidden organisation changed since the export: the re-import puts its description back.
        changed = db.session.scalar(
            select(Organisation)
            .where(Organisation.country_code == country, Organisation.hide_exact_location.is_(True))
            .where(Organisation.status == Status.PUBLISHED)
            .limit(1)
        )
        old_description, changed_id = changed.description, changed.uuid
        changed.description = "Changed after the export"
        db.session.commit()
    preview = preview_upload(web, exported.data, f"public.{suffix}")
    assert preview.counts == {"to create": 0, "to update": 1, "unchanged": published - 1, "rejected": 0}
    assert PRIVACY_LINE not in preview.html and "its exact location" not in preview.html
    assert "description" in preview.html
    import_now(web, preview)
    assert exact_sites(fresh_app, country) == sites
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == changed_id))
        assert org.description == old_description and org.hide_exact_location
    again = preview_upload(web, exported.data, f"public.{suffix}")
    assert again.counts == {"to create": 0, "to update": 0, "unchanged": published, "rejected": 0}


def hidden_organisation_with_services(app) -> dict:
    with app.app_context():
        org = next(
            org
            for org in db.session.scalars(
                select(Organisation)
                .where(Organisation.hide_exact_location.is_(True), Organisation.status == Status.PUBLISHED)
                .order_by(Organisation.id)
            )
            if org.services and org.locations and org.external_id
        )
        return organisation_snapshot(org, ids=True)


def csv_of(header: list[str], *rows: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def stored(app, uuid: str) -> dict:
    with app.app_context():
        return organisation_snapshot(db.session.scalar(select(Organisation).where(Organisation.uuid == uuid)), ids=True)


def test_a_file_without_a_column_leaves_that_field_alone(fresh_app):
    before = hidden_organisation_with_services(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    # The same name: nothing to do. No hide_exact_location column, no services, no sites, no contacts.
    header = ["external_id", "name", "kind", "country_code"]
    same = csv_of(header, [before["external_id"], before["name"], before["kind"], before["country_code"]])
    preview = preview_upload(web, same, "names.csv")
    assert preview.counts == {"to create": 0, "to update": 0, "unchanged": 1, "rejected": 0}
    # A new name: only the name changes; the location stays hidden, services and sites stay, ids too.
    renamed = csv_of(header, [before["external_id"], "Nuevo nombre", before["kind"], before["country_code"]])
    preview = preview_upload(web, renamed, "names.csv")
    assert preview.counts["to update"] == 1 and PRIVACY_LINE not in preview.html
    import_now(web, preview)
    after = stored(fresh_app, before["id"])
    assert after == before | {"name": "Nuevo nombre"}
    # Empty cells in a column that may not be emptied say nothing either.
    empty = csv_of(
        header + ["hide_exact_location", "service_categories"], [before["external_id"], "Nuevo nombre", "", "", "", ""]
    )
    assert preview_upload(web, empty, "empty.csv").counts["unchanged"] == 1


def test_showing_a_hidden_location_is_a_privacy_change_in_the_preview(fresh_app):
    before = hidden_organisation_with_services(fresh_app)
    web = login_as(fresh_app.test_client(), "ts_admin")
    header = ["external_id", "name", "hide_exact_location"]
    shown = csv_of(header, [before["external_id"], before["name"], "false"])
    preview = preview_upload(web, shown, "show.csv")
    assert preview.counts == {"to create": 0, "to update": 1, "unchanged": 0, "rejected": 0}
    assert "Privacy:" in preview.html and "1 entry would show its exact location to the public" in preview.html
    assert "(would show its exact location to the public)" in preview.html
    import_now(web, preview)
    after = stored(fresh_app, before["id"])
    assert after == before | {"hide_exact_location": False}
    # Hiding it again is no privacy warning.
    hidden = preview_upload(web, csv_of(header, [before["external_id"], before["name"], "yes"]), "hide.csv")
    assert hidden.counts["to update"] == 1 and "Privacy:" not in hidden.html


def test_an_approximate_row_keeps_the_exact_position_but_takes_the_rest(fresh_app):
    """A row marked approximate (the public view of a hidden site) never moves the stored site or
    clears its street; its other fields are taken."""
    before = hidden_organisation_with_services(fresh_app)
    site = before["locations"][0]
    web = login_as(fresh_app.test_client(), "ts_admin")
    header = ["external_id", "name", "lon", "lat", "address", "city", "location_precision"]
    row = [before["external_id"], before["name"], "-90.0", "15.0", "", "Ciudad Nueva", "approximate"]
    preview = preview_upload(web, csv_of(header, row), "approx.csv")
    assert preview.counts["to update"] == 1
    import_now(web, preview)
    after = stored(fresh_app, before["id"])["locations"][0]
    assert after == site | {"city": "Ciudad Nueva"}
    # The same row marked exact moves the site (a person who knows the exact place says so).
    exact = [before["external_id"], before["name"], "-90.0", "15.0", "", "Ciudad Nueva", "exact"]
    import_now(web, preview_upload(web, csv_of(header, exact), "exact.csv"))
    moved = stored(fresh_app, before["id"])["locations"][0]
    assert (moved["lon"], moved["lat"], moved["address"]) == (-90.0, 15.0, site["address"])


def test_convenience_columns_change_part_of_a_list_and_keep_the_rest(fresh_app):
    """service_categories: a listed category keeps its stored service (id, texts, languages), a new one
    is added, an unlisted one goes; a phone number not yet among the phones replaces the first
    phone of the organisation; a city changes the first site only."""
    before = hidden_organisation_with_services(fresh_app)
    kept = before["services"][0]
    new_category = next(c for c in ("food", "shelter", "legal_assistance") if c != kept["category"])
    header = ["external_id", "name", "service_categories", "phone", "city"]
    row = [before["external_id"], before["name"], f"{kept['category']};{new_category}", "+52 55 1234 5678", "Otra"]
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, csv_of(header, row), "partes.csv")
    assert preview.counts["to update"] == 1
    import_now(web, preview)
    after = stored(fresh_app, before["id"])
    assert after["services"][0] == kept
    assert [s["category"] for s in after["services"]] == [kept["category"], new_category]
    own = [p for p in after["phones"] if p["contact"] is None]
    assert own and own[0]["number"] == "+52 55 1234 5678"
    assert sorted(p["id"] for p in after["phones"]) == sorted(p["id"] for p in before["phones"])
    assert after["locations"][0] == before["locations"][0] | {"city": "Otra"}
    assert after["locations"][1:] == before["locations"][1:]
    assert after["contacts"] == before["contacts"] and after["coverage"] == before["coverage"]


def test_a_country_contacts_partial_file_proposes_the_whole_entry_with_only_that_change(fresh_app):
    from directory_app.organisations.entry_of import snapshot_of
    from directory_app.review.models import ChangeProposal

    with fresh_app.app_context():
        org = db.session.scalar(
            select(Organisation)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .where(Organisation.external_id.is_not(None))
            .order_by(Organisation.id)
        )
        before, external_id, org_id = snapshot_of(org), org.external_id, org.id
    web = login_as(fresh_app.test_client(), "country_contact", "MX")
    preview = preview_upload(web, csv_of(["external_id", "name"], [external_id, "Nombre propuesto"]), "propuesta.csv")
    assert preview.counts == {"to create": 0, "to update": 1, "unchanged": 0, "rejected": 0}
    assert "sent to the Technical Secretariat" in import_now(web, preview)
    with fresh_app.app_context():
        proposal = db.session.scalar(select(ChangeProposal).where(ChangeProposal.organisation_id == org_id))
        # "extra" left out: a snapshot without it leaves the additional information as it is
        proposed = {key: value for key, value in proposal.snapshot.items() if key in before}
        assert proposed == {k: v for k, v in before.items() if k != "extra"} | {"name": "Nombre propuesto"}


def test_approximate_sites_under_other_ids_keep_the_exact_positions_too(fresh_app):
    """A public export whose sites carry ids this directory does not know (another copy of the
    directory wrote it): the site at the same place keeps its exact position and street."""
    import uuid as uuid_module

    country = hidden_country(fresh_app)
    content = fresh_app.test_client().get(f"/transfer/export?format=csv&country={country}").get_data(as_text=True)
    sites = exact_sites(fresh_app, country)
    for site_id in sites:
        content = content.replace(site_id, str(uuid_module.uuid4()))
    with fresh_app.app_context():
        changed = db.session.scalar(
            select(Organisation)
            .where(Organisation.country_code == country, Organisation.hide_exact_location.is_(True))
            .where(Organisation.status == Status.PUBLISHED)
            .limit(1)
        )
        changed.description, changed_id = "Changed after the export", changed.uuid
        positions = {(loc.lon, loc.lat, loc.address, loc.postal_code) for loc in changed.locations}
        db.session.commit()
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, content.encode("utf-8"), "other-copy.csv")
    assert preview.counts["to update"] == 1
    import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == changed_id))
        assert {(loc.lon, loc.lat, loc.address, loc.postal_code) for loc in org.locations} == positions


def test_phones_follow_the_contacts_a_row_gives(fresh_app):
    """contacts_json without phones_json: a contact's phones stay with it; those of a contact the
    row removes go with it; the organisation's own phones stay."""
    import json

    with fresh_app.app_context():
        org = next(
            org
            for org in db.session.scalars(select(Organisation).where(Organisation.external_id.is_not(None)))
            if org.contacts
            and any(p.contact is not None for p in org.phones)
            and any(p.contact is None for p in org.phones)
        )
        before = organisation_snapshot(org, ids=True)
    person = {k: v for k, v in before["contacts"][0].items() if k != "id"} | {"title": "Dirección"}
    web = login_as(fresh_app.test_client(), "ts_admin")
    header = ["external_id", "name", "contacts_json"]
    retitled = csv_of(header, [before["external_id"], before["name"], json.dumps([person])])
    import_now(web, preview_upload(web, retitled, "personas.csv"))
    after = stored(fresh_app, before["id"])
    assert after["contacts"] == [before["contacts"][0] | {"title": "Dirección"}]
    assert after["phones"] == before["phones"]
    removed = csv_of(header, [before["external_id"], before["name"], "[]"])
    import_now(web, preview_upload(web, removed, "sin-personas.csv"))
    after = stored(fresh_app, before["id"])
    assert after["contacts"] == []
    assert after["phones"] == [p for p in before["phones"] if p["contact"] is None]


def test_exports_say_which_positions_are_approximate(app, client, client_as):
    country = hidden_country(app)
    with app.app_context():
        hidden = set(
            db.session.scalars(
                select(Organisation.uuid).where(
                    Organisation.country_code == country,
                    Organisation.hide_exact_location.is_(True),
                    Organisation.status == Status.PUBLISHED,
                )
            )
        )
    rows = list(
        csv.DictReader(
            client.get(f"/transfer/export?format=csv&country={country}")
            .get_data(as_text=True)
            .lstrip("\ufeff")
            .splitlines()
        )
    )
    with_site = [r for r in rows if r["lon"]]
    assert {r["organisation_id"] for r in with_site if r["location_precision"] == "approximate"} == hidden & {
        r["organisation_id"] for r in with_site
    }
    assert {r["location_precision"] for r in with_site if r["organisation_id"] not in hidden} == {"exact"}
    features = client.get(f"/transfer/export?format=geojson&country={country}").get_json()["features"]
    assert {
        f["properties"]["organisation_id"] for f in features if f["properties"]["location_precision"] == "approximate"
    } == hidden & {f["properties"]["organisation_id"] for f in features if f["geometry"]}
    for reader, expected in ((client, "approximate"), (client_as("ts_admin"), "exact")):
        documents = reader.get(f"/transfer/export?format=hsds&country={country}").get_json()
        marks = {
            attribute["value"]
            for document in documents
            if document["id"] in hidden
            for location in document["locations"]
            for attribute in location["attributes"]
            if attribute["link_type"] == "location_precision"
        }
        assert marks == {expected}
