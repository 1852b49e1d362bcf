"""Additional information in exports and imports, on both backends: one "extra_<code>" column per
active field in CSV and Excel (formula cells neutralised), properties in GeoJSON and GeoPackage, HSDS
attributes linked to taxonomy terms (validating against the HSDS 3.0 schema); the CSV columns read
back to the same values, and unknown columns or bad values are row errors naming the column."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.extra_fields.services import (
    apply_snapshot_values,
    define_field,
    definitions,
    set_values,
    update_field,
    values_differ,
    values_of,
)
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.search import DirectoryQuery
from directory_app.transfer.exports import export_organisations
from directory_app.transfer.hsds import organisation_data_from_hsds
from directory_app.transfer.importer import table_records
from directory_app.transfer.mapping import check_mapping, importable_fields, suggest_mapping
from tests.conftest import TEST_USERS
from tests.transfer.helpers import preview_file, reading_as, table_of

FIELDS = [
    {"code": "phone_referrals", "field_type": "yesno", "label_es": "Teléfono", "label_en": "Phone", "label_fr": "Tél"},
    {"code": "agreement_date", "field_type": "date", "label_es": "Fecha", "label_en": "Date", "label_fr": "Date"},
    {
        "code": "agreement_kind",
        "field_type": "choice",
        "label_es": "Tipo",
        "label_en": "Kind",
        "label_fr": "Type",
        "choices_text": "Formal\nInformal",
    },
    {"code": "note", "field_type": "text", "label_es": "Nota", "label_en": "Note", "label_fr": "Note"},
]
VALUES = {"phone_referrals": "yes", "agreement_date": "2024-12-31", "agreement_kind": "Informal", "note": "=1+1 «x»"}
QUERY = DirectoryQuery(country="GT")


def admin() -> User:
    return db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))


@pytest.fixture(autouse=True)
def request_context(fresh_ctx):
    """Messages are translated per request (the locale comes from the request)."""
    with fresh_ctx.test_request_context("/"):
        yield


@pytest.fixture
def valued(fresh_ctx):
    """Four fields; one published GT organisation has every value, another only one."""
    for data in FIELDS:
        define_field(admin(), data)
    first, second = db.session.scalars(
        select(Organisation)
        .where(Organisation.country_code == "GT", Organisation.status == Status.PUBLISHED)
        .order_by(Organisation.id)
        .limit(2)
    ).all()
    assert set_values(first, VALUES) == [] and set_values(second, {"phone_referrals": "no"}) == []
    db.session.flush()
    return first, second


def export(fmt: str) -> bytes:
    with reading_as("ts_admin"):
        return export_organisations(QUERY, fmt).content


def test_csv_has_one_column_per_field_neutralised(valued):
    first, second = valued
    rows = {r["external_id"]: r for r in csv.DictReader(export("csv").decode("utf-8-sig").splitlines())}
    row = rows[first.external_id]
    assert [k for k in row if k.startswith("extra_")] == [
        "extra_phone_referrals",
        "extra_agreement_date",
        "extra_agreement_kind",
        "extra_note",
    ]
    assert row["extra_phone_referrals"] == "yes" and row["extra_agreement_date"] == "2024-12-31"
    assert row["extra_agreement_kind"] == "Informal" and row["extra_note"] == "'=1+1 «x»"
    assert rows[second.external_id]["extra_phone_referrals"] == "no"
    assert rows[second.external_id]["extra_note"] == ""


def test_retired_fields_are_not_exported(valued):
    update_field(admin(), definitions()[0], {**FIELDS[0], "active": False})
    header = export("csv").decode("utf-8-sig").splitlines()[0]
    assert "extra_phone_referrals" not in header and "extra_note" in header


def test_xlsx_geojson_and_gpkg_carry_the_values(valued, tmp_path):
    first, _ = valued
    sheet = load_workbook(io.BytesIO(export("xlsx"))).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    row = next(r for r in rows if r["external_id"] == first.external_id)
    assert row["extra_note"] == "=1+1 «x»" and row["extra_agreement_kind"] == "Informal"
    cell = next(
        c for c in sheet[[r["external_id"] for r in rows].index(first.external_id) + 2] if c.value == "=1+1 «x»"
    )
    assert cell.data_type == "s"  # text, never a formula

    features = json.loads(export("geojson"))["features"]
    properties = next(f["properties"] for f in features if f["properties"]["external_id"] == first.external_id)
    assert {k: properties[f"extra_{k}"] for k in VALUES} == VALUES

    import geopandas as gpd

    (tmp_path / "x.gpkg").write_bytes(export("gpkg"))
    frame = gpd.read_file(tmp_path / "x.gpkg")
    record = frame[frame["external_id"] == first.external_id].iloc[0]
    assert record["extra_agreement_date"] == "2024-12-31" and record["extra_phone_referrals"] == "yes"


def test_hsds_attributes_validate_and_read_back(valued, hsds_validators):
    validator = hsds_validators("compiled/organization.json")
    first, _ = valued
    documents = json.loads(export("hsds"))
    for document in documents:
        validator.validate(document)
    document = next(d for d in documents if d["id"] == first.uuid)
    attributes = {
        a["taxonomy_term"]["code"]: a for a in document["attributes"] if a["link_type"] == "additional_information"
    }
    assert {code: a["value"] for code, a in attributes.items()} == VALUES
    term = attributes["agreement_kind"]["taxonomy_term"]
    assert term["name"] == "Kind" and "es: Tipo" in term["description"]
    assert term["taxonomy"] == "CAMMINA additional information" and attributes["note"]["link_entity"] == "organization"
    assert organisation_data_from_hsds(document)["extra"] == VALUES  # the complete record carries them
    # Another publisher's document without our record: the attributes are read.
    foreign = {k: v for k, v in document.items() if k != "attributes"} | {"attributes": list(attributes.values())}
    assert organisation_data_from_hsds(foreign)["extra"] == VALUES


def test_csv_round_trip_gives_the_same_values(valued, tmp_path):
    first, second = valued
    (tmp_path / "export.csv").write_bytes(export("csv"))
    table = table_of(tmp_path / "export.csv")
    mapping = check_mapping(suggest_mapping(table.columns), table.columns)
    assert mapping["extra_note"] == "extra_note"
    records = {data["external_id"]: data for _, data in table_records(table, mapping)}
    assert records[first.external_id]["extra"] == VALUES
    assert records[second.external_id]["extra"] == {
        "phone_referrals": "no",
        "agreement_date": "",
        "agreement_kind": "",
        "note": "",
    }
    assert not values_differ(first, records[first.external_id]["extra"])
    # Written back (as review snapshots and the importer write them) into emptied values: the same.
    set_values(first, dict.fromkeys(VALUES, ""))
    assert values_of(first) == {} and values_differ(first, records[first.external_id]["extra"])
    apply_snapshot_values(first, records[first.external_id]["extra"])
    assert values_of(first) == VALUES
    assert "extra_agreement_kind" in importable_fields()


@pytest.mark.parametrize(
    "column,value,message",
    [
        ("extra_unknown", "x", "not an additional field"),
        ("extra_agreement_date", "31/12/2024", "not a date"),
        ("extra_agreement_kind", "Secret", "choose one of the options"),
    ],
)
def test_bad_extra_columns_are_row_errors(valued, tmp_path, column, value, message):
    (tmp_path / "bad.csv").write_text(
        f"external_id,name,kind,country_code,lat,lon,{column}\nx-1,Casa,ngo,GT,14.6,-90.5,{value}\n", encoding="utf-8"
    )
    report = preview_file(tmp_path / "bad.csv")
    (row,) = report.rows
    assert row.action == "reject" and row.field == column and message in row.reason


def test_contact_import_with_extra_columns_becomes_a_proposal(valued, tmp_path):
    """A country contact's import goes through review.submit_change: the values wait for the TS."""
    from directory_app.review.models import ChangeProposal
    from directory_app.review.services import approve
    from tests.transfer.helpers import import_file

    mx = db.session.scalars(
        select(Organisation).where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
    ).first()
    with reading_as("ts_admin"):
        content = export_organisations(DirectoryQuery(q=mx.name), "csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(content.splitlines()))
    # The name changes too: the importer's preview compares exchange_snapshot data, which does not
    # hold the additional information (an extras-only change needs importer support: values_differ).
    changed = {"extra_agreement_kind": "Formal", "name": mx.name + " (renovada)"}
    rows = [r | changed for r in rows if r["external_id"] == mx.external_id]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    (tmp_path / "mx.csv").write_text(out.getvalue(), encoding="utf-8")
    contact = db.session.scalar(select(User).where(User.email == TEST_USERS["country_contact:MX"].email))
    import_file(tmp_path / "mx.csv", contact)
    proposal = db.session.scalars(select(ChangeProposal).order_by(ChangeProposal.id.desc())).first()
    assert proposal.snapshot["extra"]["agreement_kind"] == "Formal" and values_of(mx) == {}
    approve(admin(), proposal)
    assert values_of(mx) == {"agreement_kind": "Formal"}


def test_ts_import_of_an_extras_only_change_writes_the_values_and_their_history(valued, tmp_path):
    """A TS import applies at once: a row whose only change is additional information is an update
    in the preview, writes the values, and the revision lists the change."""
    from directory_app.review.models import Revision
    from tests.transfer.helpers import import_file

    first, _second = valued
    content = export("csv").decode("utf-8-sig")
    rows = [r for r in csv.DictReader(content.splitlines()) if r["external_id"] == first.external_id]
    rows[0] |= {"extra_agreement_kind": "Formal", "extra_note": ""}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    (tmp_path / "extras.csv").write_text(out.getvalue(), encoding="utf-8")
    (row,) = preview_file(tmp_path / "extras.csv").rows
    assert row.action == "update" and row.changes == ["extra"]
    import_file(tmp_path / "extras.csv", admin())
    assert values_of(first) == {k: v for k, v in VALUES.items() if k != "note"} | {"agreement_kind": "Formal"}
    revision = db.session.scalars(
        select(Revision).where(Revision.organisation_id == first.id).order_by(Revision.number.desc())
    ).first()
    changed = {change["field_name"]: change["replacement_value"] for change in revision.changes}
    assert changed == {"Additional information: Kind": "Formal", "Additional information: Note": ""}
