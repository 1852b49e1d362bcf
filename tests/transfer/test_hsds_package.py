"""The HSDS CSV package export (a zip with datapackage.json and the HSDS 3.0 tables): every row of every
table validates against its HSDS 3.0 schema; the package of a directory, imported through the web form
into an empty directory, gives the same records with the same ids (exactly, through our record; and,
without it, read field by field as another publisher's package would be). On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from directory_app.transfer.hsds_tables import BY_NAME
from tests.conftest import BACKENDS, login_as, make_app
from tests.transfer.hsds_flow import notes
from tests.transfer.test_hsds_round_trip import differences, empty_directory, ids_of, networks_of, without_dates
from tests.transfer.web_flow import import_now, preview_upload


def package_tables(content: bytes) -> tuple[dict, dict[str, list[dict]]]:
    """The datapackage.json and {table: rows} of a package."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        tables = {}
        for resource in descriptor["resources"]:
            text = archive.read(resource["path"]).decode("utf-8")
            tables[resource["name"]] = list(csv.DictReader(io.StringIO(text, newline="")))
    return descriptor, tables


def typed(row: dict, schema: dict) -> dict:
    """A CSV row as the JSON object HSDS describes: numbers as numbers, empty cells left out unless the
    schema requires the field."""
    required = set(schema.get("required", []))
    document = {}
    for column, text in row.items():
        if text == "" and column not in required:
            continue
        kind = schema["properties"][column].get("type")
        document[column] = float(text) if kind == "number" and text else int(text) if kind == "integer" else text
    return document


def test_every_row_of_the_package_validates_against_its_schema(client, hsds_validators):
    response = client.get("/transfer/export?format=hsds_csv&country=CR")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].endswith("cammina-organisations.hsds.zip")
    descriptor, tables = package_tables(response.data)
    assert descriptor["profile"] == "tabular-data-package"
    assert {"organization", "service", "location", "phone", "contact", "attribute"} <= set(tables)
    for name, rows in tables.items():
        validator = hsds_validators(f"{name}.json")
        resource = next(r for r in descriptor["resources"] if r["name"] == name)
        assert resource["path"] == validator.schema["path"] == BY_NAME[name].path  # the official file names
        assert [f["name"] for f in resource["schema"]["fields"]] == list(BY_NAME[name].columns)
        for number, row in enumerate(rows, start=2):
            assert list(row) == list(BY_NAME[name].columns)
            errors = [e.message for e in validator.iter_errors(typed(row, validator.schema))]
            assert not errors, (name, number, errors[:3])
    documents = client.get("/transfer/export?format=hsds&country=CR").get_json()
    assert [row["id"] for row in tables["organization"]] == [d["id"] for d in documents]
    services = {s["id"]: d["id"] for d in documents for s in d["services"]}
    assert {row["id"]: row["organization_id"] for row in tables["service"]} == services


@pytest.mark.parametrize("empty_database", BACKENDS, indirect=True)
def test_package_export_import_export_keeps_every_record_and_id(empty_database, worlds):
    source = make_app(worlds(sa.make_url(empty_database).get_backend_name()))
    reader = login_as(source.test_client(), "ts_admin")
    package = reader.get("/transfer/export?format=hsds_csv")
    assert package.status_code == 200
    documents = reader.get("/transfer/export?format=hsds").get_json()

    target = empty_directory(empty_database, networks_of(source))
    web = login_as(target.test_client(), "ts_admin")
    preview = preview_upload(web, package.data, "cammina.hsds.zip")
    assert preview.counts == {"to create": len(documents), "to update": 0, "unchanged": 0, "rejected": 0}
    import_now(web, preview)
    again = web.get("/transfer/export?format=hsds").get_json()
    assert ids_of(again) == ids_of(documents)
    assert without_dates(again) == without_dates(documents), differences(
        without_dates(again), without_dates(documents)
    )[:5]


def without_our_record(content: bytes) -> bytes:
    """The package as another system would write it: the attribute carrying our complete record removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "attributes.csv":
                rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
                text = io.StringIO(newline="")
                writer = csv.DictWriter(text, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(r for r in rows if r["link_type"] != "cammina_record")
                data = text.getvalue().encode("utf-8")
            target.writestr(entry.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("empty_database", BACKENDS, indirect=True)
def test_a_package_without_our_record_is_read_field_by_field_with_its_ids(empty_database, worlds):
    source = make_app(worlds(sa.make_url(empty_database).get_backend_name()))
    reader = login_as(source.test_client(), "ts_admin")
    package = without_our_record(reader.get("/transfer/export?format=hsds_csv&country=GT").data)
    documents = reader.get("/transfer/export?format=hsds&country=GT").get_json()
    assert documents

    target = empty_directory(empty_database, networks_of(source))
    web = login_as(target.test_client(), "ts_admin")
    preview = preview_upload(web, package, "otro-sistema.zip")
    assert preview.counts == {"to create": len(documents), "to update": 0, "unchanged": 0, "rejected": 0}, [
        line for line in preview.html.splitlines() if "action-reject" in line
    ][:3]
    # what HSDS carries and the directory has no field for is said, per record
    assert {"organization", "not kept: uri"} <= {v for n in notes(preview.html) for v in (n["part"], n["text"])}
    import_now(web, preview)
    with target.app_context():
        for document in documents:
            org = db.session.scalar(select(Organisation).where(Organisation.uuid == document["id"]))
            assert org is not None and org.name == document["name"]
            assert [s.uuid for s in org.services] == [s["id"] for s in document["services"]]
            assert [s.category_code for s in org.services] == [
                next(a["value"] for a in s["attributes"] if a["link_type"] == "service_category")
                for s in document["services"]
            ]
            assert [loc.uuid for loc in org.locations] == [loc["id"] for loc in document["locations"]]
            assert [(loc.lon, loc.lat) for loc in org.locations] == [
                (loc["longitude"], loc["latitude"]) for loc in document["locations"]
            ]
            assert [c.uuid for c in org.contacts] == [c["id"] for c in document["contacts"]]
            phones = [p["id"] for p in document["phones"]] + [
                p["id"] for c in document["contacts"] for p in c["phones"]
            ]
            assert sorted(p.uuid for p in org.phones) == sorted(phones)
