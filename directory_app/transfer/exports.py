"""Exports of what the reader may see, with the directory's filters: CSV, Excel, GeoJSON,
GeoPackage, HSDS 3.0 JSON and the HSDS 3.0 CSV package (the same documents as tables).

Every format carries the organisation's complete data (the create_organisation shape, with site
positions and addresses as accounts.access lets the reader see them), so that exporting and
importing the file into an empty directory gives the same organisations, with the same ids (the
`organisation_id` column and the "id" of every item of the JSON columns; in HSDS the documents' own
ids). `location_precision` says whether the row's positions are exact or the public approximation of
a hidden site (in HSDS: an attribute of each location with link_type "location_precision"), so that
re-importing a public export leaves the exact positions alone; `last_modified` is when the entry
last changed (HSDS: the metadata's last_action_date), kept in the history of an import. Numbers
(NUMERIC_COLUMNS: the coordinates) are numbers: numeric cells in Excel, JSON numbers in GeoJSON, REAL
fields in GeoPackage. Text cells that a spreadsheet program would run as a formula (starting with = +
- @, a tab or a carriage return) are neutralised: in CSV with a leading apostrophe (which the import
removes again), in Excel by storing them as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from flask_babel import gettext as _
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app.accounts.access import exact_location_rule, site_position
from directory_app.api.hsds_attributes import extra_attribute
from directory_app.api.params import iso_datetime
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.services import definitions, values_for_export
from directory_app.i18n import format_number
from directory_app.organisations.entry_of import exchange_snapshot as organisation_snapshot
from directory_app.organisations.models import CoveragePart, Organisation, Phone, Service
from directory_app.organisations.search import DirectoryQuery, matching_organisation_ids
from directory_app.public_links import public_url
from directory_app.transfer.hsds import HSDS_RECORD

FORMATS = {
    "csv": ("text/csv", "csv"),  # send_file adds "; charset=utf-8" to text types
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "hsds": ("application/json", "json"),
    "hsds_csv": ("application/zip", "hsds.zip"),
}
SCALARS = ("external_id", "name", "alternate_name", "description", "kind", "website", "email", "country_code", "status")
COLUMNS = (
    *SCALARS,
    "organisation_id",
    "hide_exact_location",
    "last_verified",
    "networks",
    "city",
    "lon",
    "lat",
    "location_precision",
    "service_categories",
    "original_language",
    "translations_json",
    "phones_json",
    "contacts_json",
    "locations_json",
    "services_json",
    "coverage_json",
    "last_modified",
)
NUMERIC_COLUMNS = ("lon", "lat")  # numbers in every format (None when the organisation has no site)
EXTRA_PREFIX = "extra_"  # additional information: one column per active field, "extra_<code>"
EXCEL_CELL_LIMIT = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Export:
    content: bytes
    mimetype: str
    filename: str


def exported_organisations(query: DirectoryQuery) -> list[Organisation]:
    """The published organisations matching the directory's filters, in name order, loaded whole."""
    ids = matching_organisation_ids(query)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(ids))
            .order_by(Organisation.sort_name, Organisation.id)
            .options(
                selectinload(Organisation.networks),
                selectinload(Organisation.phones).selectinload(Phone.contact),
                selectinload(Organisation.contacts),
                selectinload(Organisation.locations),
                selectinload(Organisation.services).selectinload(Service.populations),
                selectinload(Organisation.services).selectinload(Service.languages),
                selectinload(Organisation.services).selectinload(Service.locations),
                selectinload(Organisation.coverage_parts).selectinload(CoveragePart.admin_unit),
                selectinload(Organisation.coverage_parts).selectinload(CoveragePart.location),
            )
        )
    )


def export_organisations(query: DirectoryQuery, fmt: str) -> Export:
    """The file of the organisations the query selects, as the current reader may see them."""
    mimetype, suffix = FORMATS[fmt]
    organisations = exported_organisations(query)
    writer = {"csv": _csv, "xlsx": _xlsx, "geojson": _geojson, "gpkg": _gpkg, "hsds": _hsds, "hsds_csv": _hsds_csv}[fmt]
    return Export(writer(organisations), mimetype, f"cammina-organisations.{suffix}")


def flat_record(snapshot: dict) -> dict[str, str | float | None]:
    """One row of the tabular formats (COLUMNS): text, and floats (or None) in NUMERIC_COLUMNS."""
    first = snapshot["locations"][0] if snapshot["locations"] else None
    row: dict[str, str | float | None] = {key: snapshot[key] or "" for key in SCALARS}
    row.update(
        organisation_id=snapshot.get("id", ""),
        hide_exact_location="yes" if snapshot["hide_exact_location"] else "no",
        last_verified=snapshot["last_verified"],
        networks=";".join(snapshot["networks"]),
        city=first["city"] if first else "",
        lon=float(first["lon"]) if first else None,
        lat=float(first["lat"]) if first else None,
        location_precision=first["precision"] if first else "",
        service_categories=";".join(dict.fromkeys(s["category"] for s in snapshot["services"])),
        original_language=snapshot["original_language"],
        translations_json=json.dumps(snapshot["translations"], ensure_ascii=False, separators=(",", ":"))
        if snapshot["translations"]
        else "",
    )
    for part in ("phones", "contacts", "locations", "services", "coverage"):
        row[f"{part}_json"] = json.dumps(snapshot[part], ensure_ascii=False, separators=(",", ":"))
    return row


def _snapshots(organisations: list[Organisation]) -> list[dict]:
    return [organisation_snapshot(org, site_position, ids=True) for org in organisations]


def _records(organisations: list[Organisation]) -> tuple[tuple[str, ...], list[tuple[dict, dict]]]:
    """The columns (COLUMNS, then "extra_<code>" per active additional field) and (row, snapshot)
    per organisation; the additional information is read in one query."""
    codes, extra = values_for_export([org.id for org in organisations])
    columns = (*COLUMNS, *(f"{EXTRA_PREFIX}{code}" for code in codes))
    records = []
    for org, snapshot in zip(organisations, _snapshots(organisations)):
        row = flat_record(snapshot)
        row["last_modified"] = iso_datetime(org.updated_at) or ""
        values = extra.get(org.id, {})
        row.update({f"{EXTRA_PREFIX}{code}": values.get(code, "") for code in codes})
        records.append((row, snapshot))
    return columns, records


def neutralise(value: str) -> str:
    """A CSV cell that no spreadsheet program runs as a formula (numbers stay as they are)."""
    if value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def _csv_cell(value: str | float | None) -> str:
    """The CSV text of a cell: a number as Python writes it (repr: every digit kept), text neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return repr(value)
    return neutralise(value)


def _csv(organisations: list[Organisation]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    columns, records = _records(organisations)
    writer.writerow(columns)
    for row, _snapshot in records:
        writer.writerow([_csv_cell(row[c]) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(organisations: list[Organisation]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organisations")
    columns, records = _records(organisations)
    sheet.append(list(columns))
    for row, _snapshot in records:
        sheet.append([_xlsx_cell(sheet, row[c]) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value: str | float | None):
    """A numeric cell for a number, an empty cell for None, else a text cell."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, int | float):
        return WriteOnlyCell(sheet, value=value)  # data_type "n"
    return _text_cell(sheet, value)


def _text_cell(sheet, value: str):
    """A cell that holds `value` as text, never as a formula."""
    from openpyxl.cell import WriteOnlyCell

    if len(value) > EXCEL_CELL_LIMIT:
        raise ValidationError(
            _(
                "A cell would hold %(n)s characters; Excel allows %(max)s. Export as CSV or GeoPackage.",
                n=format_number(len(value)),
                max=format_number(EXCEL_CELL_LIMIT),
            )
        )
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _features(organisations: list[Organisation]) -> tuple[tuple[str, ...], list[tuple[dict, Point | None]]]:
    """The columns and (properties, point of the first site) per organisation."""
    columns, records = _records(organisations)
    features = []
    for row, snapshot in records:
        first = snapshot["locations"][0] if snapshot["locations"] else None
        features.append((row, Point(first["lon"], first["lat"]) if first else None))
    return columns, features


def _geojson(organisations: list[Organisation]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": None if point is None else {"type": "Point", "coordinates": [point.x, point.y]},
            "properties": row,
        }
        for row, point in _features(organisations)[1]
    ]
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _gpkg(organisations: list[Organisation]) -> bytes:
    columns, features = _features(organisations)
    frame = gpd.GeoDataFrame(
        [row for row, _ in features] or {c: [] for c in columns},
        geometry=[point for _, point in features],
        crs="EPSG:4326",
    )
    numeric = list(NUMERIC_COLUMNS)
    frame[numeric] = frame[numeric].astype("float64")  # REAL fields (NULL without a site), even when all empty
    with tempfile.TemporaryDirectory(prefix="cammina-export-") as folder:
        path = Path(folder) / "organisations.gpkg"
        frame.to_file(path, driver="GPKG", layer="organisations", engine="pyogrio")
        return path.read_bytes()


def _hsds(organisations: list[Organisation]) -> bytes:
    return json.dumps(hsds_documents(organisations), ensure_ascii=False).encode("utf-8")


def _hsds_csv(organisations: list[Organisation]) -> bytes:
    """The HSDS CSV package (transfer.hsds_package_export) of the same documents as the JSON export."""
    from directory_app.transfer.hsds_package_export import package_zip

    return package_zip(hsds_documents(organisations))


def hsds_documents(organisations: list[Organisation]) -> list[dict]:
    """HSDS 3.0 organization documents (colleague's api.hsds_documents), each with an identifier for
    the external id and an attribute carrying the complete record for an exact re-import."""
    from directory_app.api.hsds_documents import Reader, organization_document
    from directory_app.api.hsds_taxonomy import derived_uuid

    reader = Reader(
        exact=exact_location_rule(),
        organisation_url=lambda uuid: public_url("organisations.organisation_page", organisation_uuid=uuid),
    )
    codes, extra = values_for_export([org.id for org in organisations])
    fields = {field.code: field for field in definitions()}
    documents = []
    for org in organisations:
        document = organization_document(org, reader)
        snapshot = organisation_snapshot(org, site_position, ids=True)
        values = extra.get(org.id, {})
        if codes:
            snapshot["extra"] = {code: values.get(code, "") for code in codes}
        if org.external_id:
            document["organization_identifiers"] = [
                {
                    "id": derived_uuid("identifier", org.uuid),
                    "organization_id": org.uuid,
                    "identifier_scheme": "CAMMINA",
                    "identifier_type": "external_id",
                    "identifier": org.external_id,
                }
            ]
        document["attributes"] = [
            {
                "id": derived_uuid("attribute", org.uuid, HSDS_RECORD),
                "link_id": org.uuid,
                "link_type": HSDS_RECORD,
                "link_entity": "organization",
                "value": json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")),
            }
        ] + [extra_attribute(org.uuid, fields[code], values[code]) for code in codes if values.get(code)]
        documents.append(document)
    return documents
