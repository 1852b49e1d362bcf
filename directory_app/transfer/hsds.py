"""Reading HSDS 3.0 files back into organisation data: JSON (transfer.hsds_shapes) and CSV packages
(transfer.hsds_package).

Our own exports carry the complete record in an attribute (HSDS_RECORD) and re-import exactly, ids
included; a visible field edited outside the directory wins over the record, and the preview says so
(transfer.hsds_record_edits). Other publishers' documents are mapped field by field (transfer.hsds_read); the reading
keeps, per record, what the preview must say (what is kept elsewhere, what is not kept), the terms of
other taxonomies the file uses, and notes about the file as a whole (a page of a longer list, rows of
a package that belong to no organization).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.transfer.hsds_notes import Note
from directory_app.transfer.hsds_package import read_package
from directory_app.transfer.hsds_people import uuid_of
from directory_app.transfer.hsds_read import Context, read_organization
from directory_app.transfer.hsds_record_edits import apply_visible_edits
from directory_app.transfer.hsds_shapes import Documents, looks_like_hsds, organizations_of
from directory_app.transfer.hsds_taxonomy_map import ForeignTerm
from directory_app.transfer.mapping import ORGANISATION_ID, SOURCE_MODIFIED, source_date
from directory_app.transfer.merge_by_id import MERGE_BY_ID

HSDS_RECORD = "cammina_record"
FORMATS = ("hsds", "hsds_package")


@dataclass
class HsdsReading:
    """An HSDS file read: (record number, data or error) per organization, and what the preview says."""

    records: list[tuple[int, dict | ValidationError]] = field(default_factory=list)
    notes: dict[int, list[Note]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    file_notes: list[str] = field(default_factory=list)
    terms: list[ForeignTerm] = field(default_factory=list)
    without_country: int = 0  # records whose addresses name no member country
    without_category: int = 0  # services left out for want of a category

    @property
    def lost(self) -> int:
        """How many records lose something (the preview's summary)."""
        return sum(1 for notes in self.notes.values() if any(not n.kept for n in notes))


def read_documents(documents: Documents, options: dict | None = None) -> HsdsReading:
    """Every organization document of a file, with the choices of the preview (`options`: "category"
    for services that have none of ours)."""
    context = Context.for_file(options)
    reading = HsdsReading(file_notes=list(documents.notes))
    for number, document in enumerate(documents.organizations, start=1):
        record = _record(document)
        if record is not None:
            if isinstance(record, dict):  # fields edited outside the directory win over the record
                record, edits = apply_visible_edits(document, record)
                if edits:
                    reading.notes[number] = edits
            reading.records.append((number, _with_source(document, record)))
            reading.names[number] = str(document.get("name") or "")
            continue
        result = read_organization(document, context)
        if number - 1 in documents.gathered and isinstance(result.data, dict):
            result.data[MERGE_BY_ID] = True
        reading.records.append((number, result.data))
        reading.names[number] = result.name
        if result.notes:
            reading.notes[number] = result.notes
        reading.without_country += int(result.without_country and not isinstance(result.data, ValidationError))
        reading.without_category += result.without_category
    reading.terms = sorted(context.terms.values(), key=lambda t: (t.term.taxonomy.lower(), t.term.code.lower()))
    return reading


def read_upload(upload, options: dict | None = None) -> HsdsReading:
    """A checked upload of format "hsds" (JSON) or "hsds_package" (zipped CSV tables)."""
    if upload.format == "hsds_package":
        return read_documents(read_package(upload.path, upload.original_name), options)
    return read_json(upload.path, options, upload.original_name)


def read_json(path, options: dict | None = None, source: str = "") -> HsdsReading:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(_("The file is not valid JSON: %(error)s", error=str(exc)[:200]), source=source) from None
    if not looks_like_hsds(document):
        raise ValidationError(_("An HSDS file holds organizations or services."), source=source)
    return read_documents(organizations_of(document), options)


def organisation_data_from_hsds(document: dict, options: dict | None = None) -> dict | ValidationError:
    """The create_organisation data of one HSDS organization, or the error that prevents it."""
    record = _record(document)
    if isinstance(record, dict):
        record = apply_visible_edits(document, record)[0]
    if record is not None:
        return _with_source(document, record)
    return read_organization(document, Context.for_file(options)).data


def _record(document: dict) -> dict | ValidationError | None:
    for attribute in document.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("link_type") == HSDS_RECORD:
            try:
                record = json.loads(attribute.get("value") or "")
            except ValueError:
                return ValidationError(_("the CAMMINA record attribute is not valid JSON"), field="attributes")
            if isinstance(record, dict):
                return record
    return None


def _with_source(document: dict, data: dict | ValidationError) -> dict | ValidationError:
    """The record with the organization's id (when it has none) and the source's date."""
    if isinstance(data, ValidationError):
        return data
    data = dict(data)
    if not data.get(ORGANISATION_ID) and uuid_of(document.get("id")):
        data[ORGANISATION_ID] = uuid_of(document.get("id"))
    dates = []
    for item in document.get("metadata") or []:
        if isinstance(item, dict) and item.get("last_action_date"):
            try:
                dates.append(source_date(item["last_action_date"], "metadata"))
            except ValidationError:
                continue
    if dates:
        data[SOURCE_MODIFIED] = max(dates)
    return data
