"""Reading an HSDS CSV package: a zip with datapackage.json and one CSV table per object type
(transfer.hsds_tables), nested back into organization documents for transfer.hsds_read.

The zip is checked like every upload (uploads.check_zip: entry count, sizes, compression ratio, paths,
links) and read in memory, entry by entry, never unpacked to disk; files other than CSV tables and
datapackage.json are not read, and the preview says so. Tables are found by the paths datapackage.json
gives its resources, else by their official names (organizations.csv) or their resource's names
(organization.csv). Rows are placed under the organization they belong to: by organization_id, else
through their service, location, contact or service at a location; attributes by link_id, metadata by
resource_id. A row that belongs to no organization of the package is listed as not read.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _
from flask_babel import ngettext

from directory_app.errors import ValidationError
from directory_app.transfer.hsds_shapes import Documents
from directory_app.transfer.hsds_tables import BY_NAME, DATAPACKAGE, Resource, resource_of, unneutralise
from directory_app.transfer.uploads import MAX_UNCOMPRESSED_BYTES, check_zip

# (table, key of the parent list, then the parents tried in order: (id column, parent table))
_PLACES = (
    ("program", "programs", (("organization_id", "organization"),)),
    ("organization_identifier", "organization_identifiers", (("organization_id", "organization"),)),
    ("funding", "funding", (("organization_id", "organization"), ("service_id", "service"))),
    ("cost_option", "cost_options", (("service_id", "service"),)),
    ("required_document", "required_documents", (("service_id", "service"),)),
    ("service_area", "service_areas", (("service_id", "service"),)),
    ("address", "addresses", (("location_id", "location"),)),
    ("accessibility", "accessibility", (("location_id", "location"),)),
    (
        "contact",
        "contacts",
        (
            ("organization_id", "organization"),
            ("service_id", "service"),
            ("service_at_location_id", "service_at_location"),
            ("location_id", "location"),
        ),
    ),
    (
        "phone",
        "phones",
        (
            ("contact_id", "contact"),
            ("organization_id", "organization"),
            ("service_id", "service"),
            ("location_id", "location"),
            ("service_at_location_id", "service_at_location"),
        ),
    ),
    (
        "schedule",
        "schedules",
        (("service_id", "service"), ("service_at_location_id", "service_at_location"), ("location_id", "location")),
    ),
    ("language", "languages", (("service_id", "service"), ("location_id", "location"), ("phone_id", "phone"))),
)


def read_package(path: Path, source: str = "") -> Documents:
    """The organization documents of a checked HSDS CSV package (see the module docstring)."""
    tables, notes = _tables(path, source)
    return _nest(tables, notes)


def _tables(path: Path, source: str) -> tuple[dict[str, list[tuple[int, dict]]], list[str]]:
    entries = [e for e in check_zip(path) if not e.is_dir()]
    by_name: dict[str, zipfile.ZipInfo] = {}
    notes: list[str] = []
    for entry in entries:
        name = PurePosixPath(entry.filename.replace("\\", "/")).name
        if name.lower() in by_name:
            raise ValidationError(_("The package holds two files named %(name)s.", name=name), source=source)
        by_name[name.lower()] = entry
    budget = [MAX_UNCOMPRESSED_BYTES]
    with zipfile.ZipFile(path) as archive:
        paths = _datapackage_paths(archive, by_name, budget, source)
        tables: dict[str, list[tuple[int, dict]]] = {}
        for lower, entry in by_name.items():
            if lower == DATAPACKAGE:
                continue
            resource = paths.get(lower) or (resource_of(lower) if lower.endswith(".csv") else None)
            if resource is None:
                notes.append(_("%(name)s is not an HSDS table: not read.", name=PurePosixPath(entry.filename).name))
                continue
            if resource.name in tables:
                raise ValidationError(_("The package holds the table %(name)s twice.", name=resource.name))
            tables[resource.name] = _rows(archive, entry, budget, source)
    if "organization" not in tables:
        raise ValidationError(_("The package has no organizations table (organizations.csv)."), source=source)
    return tables, notes


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """The bytes of an entry, counting what is really unpacked against the archive's budget."""
    chunks = []
    with archive.open(entry) as handle:
        while chunk := handle.read(64 * 1024):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise ValidationError(_("The archive unpacks to more than it announced (a zip bomb?)."))
            chunks.append(chunk)
    return b"".join(chunks)


def _datapackage_paths(archive, by_name: dict, budget: list[int], source: str) -> dict[str, Resource]:
    """{file name: resource} from datapackage.json's resources (names we know, paths in the package)."""
    entry = by_name.get(DATAPACKAGE)
    if entry is None:
        raise ValidationError(_("An HSDS package holds a datapackage.json."), source=source)
    try:
        described = json.loads(_read(archive, entry, budget).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return {}  # a datapackage.json we cannot read: the tables are found by their names
    paths = {}
    resources = described.get("resources") if isinstance(described, dict) else None
    for item in resources if isinstance(resources, list) else []:
        if isinstance(item, dict) and item.get("name") in BY_NAME and isinstance(item.get("path"), str):
            paths[PurePosixPath(item["path"].replace("\\", "/")).name.lower()] = BY_NAME[item["name"]]
    return paths


def _rows(archive, entry: zipfile.ZipInfo, budget: list[int], source: str) -> list[tuple[int, dict]]:
    name = PurePosixPath(entry.filename).name
    try:
        text = _read(archive, entry, budget).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("%(name)s is not UTF-8 text.", name=name), source=source) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = []
        for number, row in enumerate(reader, start=2):
            cells = {str(k).strip(): unneutralise(v.strip()) for k, v in row.items() if k and isinstance(v, str)}
            cells = {k: v for k, v in cells.items() if v}
            if cells:
                rows.append((number, cells))
    except csv.Error as exc:
        raise ValidationError(
            _("%(name)s: malformed CSV: %(error)s", name=name, error=str(exc)), source=source
        ) from None
    return rows


def _nest(tables: dict[str, list[tuple[int, dict]]], notes: list[str]) -> Documents:
    """Organization documents with every row under the object it belongs to."""
    index: dict[str, dict[str, dict]] = {name: {} for name in BY_NAME}
    for name, rows in tables.items():
        for _number, row in rows:
            if row.get("id"):
                index[name].setdefault(row["id"], row)
    placed: set[int] = set()
    organizations = [row for _n, row in tables.get("organization", [])]
    placed |= {id(row) for row in organizations}
    _attach(tables, "service", "services", (("organization_id", "organization"),), index, placed)
    _attach(tables, "service_at_location", "service_at_locations", (("service_id", "service"),), index, placed)
    for _n, at in tables.get("service_at_location", []):
        if at.get("location_id") in index["location"]:
            at["location"] = index["location"][at["location_id"]]
            placed.add(id(at["location"]))
    _attach(tables, "location", "locations", (("organization_id", "organization"),), index, placed)
    for name, key, parents in _PLACES:
        _attach(tables, name, key, parents, index, placed)
    for _n, service in tables.get("service", []):
        if service.get("program_id") in index["program"]:
            service["program"] = dict(index["program"][service["program_id"]])
    _attributes(tables, index, placed)
    for name in ("taxonomy_term", "taxonomy"):
        placed |= {id(row) for _n, row in tables.get(name, [])}
    for name, rows in tables.items():
        lost = [number for number, row in rows if id(row) not in placed]
        if lost:
            notes.append(
                ngettext(
                    "%(table)s: %(num)d row belongs to no organization of the package (row %(rows)s): not read.",
                    "%(table)s: %(num)d rows belong to no organization of the package (rows %(rows)s): not read.",
                    len(lost),
                    table=BY_NAME[name].path,
                    rows=", ".join(map(str, lost[:10])) + ("…" if len(lost) > 10 else ""),
                )
            )
    return Documents(organizations, notes)


def _attach(tables, name: str, key: str, parents, index, placed: set[int]) -> None:
    for _number, row in tables.get(name, []):
        for column, parent_table in parents:
            parent = index[parent_table].get(row.get(column) or "")
            if parent is not None and id(parent) in placed:
                parent.setdefault(key, []).append(row)
                placed.add(id(row))
                break


def _attributes(tables, index, placed: set[int]) -> None:
    """Attributes (by link_id, with their taxonomy term and its taxonomy) and metadata (by resource_id)
    under the object they name."""
    for table, key, column in (("attribute", "attributes", "link_id"), ("metadata", "metadata", "resource_id")):
        for _number, row in tables.get(table, []):
            for name in ("organization", "service", "location", "service_at_location", "contact", "phone"):
                target = index[name].get(row.get(column) or "")
                if target is not None and id(target) in placed:
                    target.setdefault(key, []).append(row)
                    placed.add(id(row))
                    break
    for _number, row in tables.get("attribute", []):
        term = index["taxonomy_term"].get(row.get("taxonomy_term_id") or "")
        if term is not None:
            row["taxonomy_term"] = dict(term)
            taxonomy = index["taxonomy"].get(term.get("taxonomy_id") or "")
            if taxonomy is not None:
                row["taxonomy_term"]["taxonomy_detail"] = dict(taxonomy)
