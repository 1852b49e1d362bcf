"""The HSDS CSV package export: the organization documents of the HSDS JSON export, flattened into the
tables of HSDS 3.0 (transfer.hsds_tables) and zipped with a datapackage.json that describes them.

Each nested object becomes a row of its table with the id of the object it sits in (organization_id,
service_id, location_id, contact_id, phone_id; attributes: link_id and link_entity; metadata:
resource_id and resource_type); an object met twice (a site under the organization and under a service
at a location, a taxonomy term used by many services) is written once. The organisation's complete
record travels in its attribute (transfer.hsds.HSDS_RECORD), so that the package re-imports exactly.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from directory_app.api.hsds_attributes import EXTRA_LINK_TYPE, EXTRA_TAXONOMY
from directory_app.api.hsds_taxonomy import derived_uuid, find_taxonomy, taxonomy_document
from directory_app.transfer.hsds_tables import BY_NAME, LIST_RESOURCES, NUMBER_COLUMNS, RESOURCES, neutralise

PACKAGE_NAME = "cammina-directory-hsds"
_EXTRA_TAXONOMY_ID = derived_uuid("taxonomy", EXTRA_LINK_TYPE)


def package_tables(documents: list[dict]) -> dict[str, list[dict]]:
    """{resource name: rows} of the organization documents, in the order met."""
    tables: dict[str, list[dict]] = {resource.name: [] for resource in RESOURCES}
    seen: set[tuple[str, str]] = set()
    for document in documents:
        _flatten(document, "organization", None, tables, seen)
    for taxonomy_id in dict.fromkeys(row.get("taxonomy_id") for row in tables["taxonomy_term"]):
        taxonomy = _taxonomy(taxonomy_id)
        if taxonomy is not None:
            _flatten(taxonomy, "taxonomy", None, tables, seen)
    return tables


def _taxonomy(taxonomy_id) -> dict | None:
    if taxonomy_id == _EXTRA_TAXONOMY_ID:
        return {
            "id": _EXTRA_TAXONOMY_ID,
            "name": EXTRA_TAXONOMY,
            "description": "Additional information about organisations, defined by the Technical Secretariat.",
            "version": "1",
        }
    taxonomy = find_taxonomy(str(taxonomy_id or ""))
    return taxonomy_document(taxonomy) if taxonomy is not None else None


def _flatten(item: dict, name: str, parent: tuple[str, str] | None, tables, seen) -> None:
    resource = BY_NAME[name]
    row = {column: item.get(column) for column in resource.columns if not isinstance(item.get(column), dict | list)}
    if parent is not None:
        parent_name, parent_id = parent
        if f"{parent_name}_id" in resource.columns and not row.get(f"{parent_name}_id"):
            row[f"{parent_name}_id"] = parent_id
        if name == "attribute":
            row["link_id"] = row.get("link_id") or parent_id
            row["link_entity"] = row.get("link_entity") or parent_name
        if name == "metadata":
            row["resource_id"] = row.get("resource_id") or parent_id
            row["resource_type"] = row.get("resource_type") or parent_name
    term = item.get("taxonomy_term")
    if name == "attribute" and isinstance(term, dict):
        row["taxonomy_term_id"] = row.get("taxonomy_term_id") or term.get("id")
        _flatten(term, "taxonomy_term", None, tables, seen)
    location = item.get("location")
    if name == "service_at_location" and isinstance(location, dict):
        _flatten(location, "location", None, tables, seen)
    key = (name, str(row.get("id") or ""))
    if key[1] and key in seen:
        return
    seen.add(key)
    tables[name].append(row)
    for list_key, child in LIST_RESOURCES.items():
        for entry in item.get(list_key) or []:
            if isinstance(entry, dict):
                _flatten(entry, child, (name, str(row.get("id") or "")), tables, seen)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return neutralise(str(value))


def table_csv(name: str, rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    columns = BY_NAME[name].columns
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue().encode("utf-8")


def datapackage(tables: dict[str, list[dict]]) -> dict:
    """The Frictionless data package descriptor of the tables written."""
    return {
        "name": PACKAGE_NAME,
        "title": "CAMMINA Directory: organisations in HSDS 3.0",
        "profile": "tabular-data-package",
        "version": "3.0",
        "resources": [
            {
                "name": resource.name,
                "path": resource.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": column, "type": "number" if column in NUMBER_COLUMNS else "string"}
                        for column in resource.columns
                    ],
                    "primaryKey": "id",
                },
            }
            for resource in RESOURCES
            if _written(resource.name, tables)
        ],
    }


def _written(name: str, tables: dict[str, list[dict]]) -> bool:
    """Tables with rows are written, and the organizations table always."""
    return bool(tables.get(name)) or name == "organization"


def package_zip(documents: list[dict]) -> bytes:
    """The zipped package: datapackage.json and one CSV file per table that has rows."""
    tables = package_tables(documents)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage(tables), ensure_ascii=False, indent=1))
        for resource in RESOURCES:
            if _written(resource.name, tables):
                archive.writestr(resource.path, table_csv(resource.name, tables[resource.name]))
    return out.getvalue()
