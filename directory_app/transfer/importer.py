"""Importing organisations: a dry-run preview, then an all-or-nothing commit.

Each row is matched to a stored organisation by its directory id (`organisation_id`, as exports
write it), then by external_id (or, for rows without one, by exact name within the country); what
the row says is laid over the stored organisation (transfer.partial: what it does not say stays as
it is, an approximate position never replaces an exact one) and turned into an organisation in
memory (the same validation as the edit forms: organisations.services) without touching the
session; the two snapshots are compared: `create`, `update` (with the fields that differ),
`unchanged`, or `reject` with the row, field and reason. An update that would show the exact
location of an organisation that hides it is counted apart (`reveals`): the preview says so.

Ids: a new organisation takes the row's organisation id, and every item (site, service, contact,
phone, coverage part) the id its data gives, when that id is a UUID no other entry uses; stored
items keep theirs (organisations.services keeps the rows the data names).

The commit writes only when no row is rejected; the caller commits once, or rolls back everything
on any error (a failure at row 900 leaves rows 1-899 unwritten).

Every organisation the commit creates or changes gets a review Revision like any other change (who,
when, which fields, "Imported from <file name>", and when the source said when it last changed the
entry, "(source modified <that date>)"), after a baseline revision for an organisation that
had no history yet, so that its history page shows the import and the state before it can be restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.accounts.permissions import may_create_in, may_edit
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.services import values_differ
from directory_app.organisations import services as org_services
from directory_app.organisations.coverage import recompute_coverage
from directory_app.organisations.entry_of import exchange_snapshot, snapshot_of
from directory_app.organisations.models import Organisation, Status
from directory_app.transfer.mapping import (
    CREATE_DEFAULTS,
    ORGANISATION_ID,
    SOURCE_MODIFIED,
    mapped_values,
    organisation_data,
)
from directory_app.transfer.partial import clean, for_create, for_update, reveals_location
from directory_app.transfer.readers import Table
from directory_app.transfer.row_errors import RowError, more_errors, named_errors, read_row
from geo.validate import GeometryError

ACTIONS = ("create", "update", "unchanged", "reject")


@dataclass
class RowResult:
    row: int
    action: str
    name: str = ""
    external_id: str = ""
    field: str = ""
    reason: str = ""
    changes: list[str] = dataclass_field(default_factory=list)
    data: dict | None = None
    target_id: int | None = None
    reveals_location: bool = False  # an update that would show a hidden organisation's exact location
    errors: list[RowError] = dataclass_field(default_factory=list)  # a rejected row: all its errors
    status: str = ""  # create / update: the entry's status after the import
    was_published: bool = False  # update: the entry was published before
    defaulted: list[str] = dataclass_field(default_factory=list)  # create: fields the import's defaults give
    merged: list[str] = dataclass_field(default_factory=list)  # update of part of the lists: what each merge does


@dataclass
class ImportReport:
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTIONS}

    @property
    def reveals(self) -> int:
        """How many organisations would show their exact location to the public after the import."""
        return sum(1 for r in self.rows if r.action == "update" and r.reveals_location)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == "reject"]


class ImportRejected(ValidationError):
    """The commit was refused: some rows are rejected (see `report`). Nothing was written."""

    def __init__(self, report: ImportReport):
        first = report.rejected[0]
        super().__init__(
            _("%(n)d row(s) rejected; first: %(reason)s", n=len(report.rejected), reason=first.reason),
            row=first.row,
            field=first.field or None,
        )
        self.report = report


def table_records(table: Table, mapping: dict[str, str]) -> list[tuple[int, dict | ValidationError]]:
    """(row number, data dict) per row, or (row number, the error) when the row cannot be read."""
    if table.records is not None:
        return list(table.records)
    records: list[tuple[int, dict | ValidationError]] = []
    for number, row in table.rows:
        try:
            records.append((number, organisation_data(mapped_values(row, mapping))))
        except ValidationError as exc:
            records.append((number, exc))
    return records


def read_records(
    table: Table, mapping: dict[str, str], defaults: dict | None = None
) -> list[tuple[int, dict | None, list[Exception]]]:
    """(row number, what the row says, the errors found reading it) per row; `defaults` {field: value}
    complete the rows that create an organisation and do not say that field (CREATE_DEFAULTS)."""
    if table.records is not None:
        records = [(number, record, []) for number, record in table.records]
    else:
        records = [(number, *read_row(row, mapping)) for number, row in table.rows]
    if defaults:
        records = [(number, _with_defaults(data, defaults), errors) for number, data, errors in records]
    return records


def _with_defaults(data: dict | None, defaults: dict) -> dict | None:
    return None if data is None else {**data, CREATE_DEFAULTS: {**data.get(CREATE_DEFAULTS, {}), **defaults}}


def build_organisation(data: dict) -> Organisation:
    """A new Organisation built from `data` with every check of the one write path, not added to the
    session; it takes the data's organisation id when no other organisation has it."""
    return org_services.build_organisation(data)


def _discard(org: Organisation) -> None:
    """Detach a built organisation from the shared objects it points at (networks keep back-references)."""
    org_services.discard(org)


def _match(data: dict) -> Organisation | None:
    """The stored organisation a row names: by its directory id, then by external_id, then (rows
    without an external_id) by name within the country. ValidationError when the id and the
    external_id name two different organisations."""
    by_id = None
    if data.get(ORGANISATION_ID):
        by_id = db.session.scalar(select(Organisation).where(Organisation.uuid == data[ORGANISATION_ID]))
    if data.get("external_id"):
        by_external_id = db.session.scalar(
            select(Organisation).where(Organisation.external_id == str(data["external_id"]).strip())
        )
        if by_id is not None and by_external_id is not None and by_id is not by_external_id:
            raise ValidationError(
                _("organisation_id and external_id name two different organisations"), field="organisation_id"
            )
        return by_id or by_external_id
    if by_id is not None:
        return by_id
    matches = db.session.scalars(
        select(Organisation).where(
            Organisation.name == str(data.get("name") or "").strip(),
            Organisation.country_code == str(data.get("country_code") or "").strip().upper(),
            Organisation.external_id.is_(None),
        )
    ).all()
    return matches[0] if len(matches) == 1 else None


def preview_import(table: Table, mapping: dict[str, str], user=None, defaults: dict | None = None) -> ImportReport:
    """What importing the table would do, row by row; writes nothing. A rejected row lists all its
    errors, named by the columns of `mapping` (transfer.row_errors)."""
    results: list[RowResult] = []
    seen: dict[str, int] = {}
    with db.session.no_autoflush:
        for number, record, errors in read_records(table, mapping, defaults):
            results.append(_preview_row(number, record, list(errors), seen, user, mapping))
    return ImportReport(results)


def _preview_row(number: int, record, errors: list, seen: dict, user, mapping: dict[str, str]) -> RowResult:
    record = record or {}
    result = RowResult(number, "reject", str(record.get("name") or ""), str(record.get("external_id") or ""))
    for field, key in (("external_id", result.external_id.strip()), ("organisation_id", record.get(ORGANISATION_ID))):
        if key and (field, key) in seen:
            message = _("the same %(field)s is already on row %(row)d", field=field, row=seen[(field, key)])
            errors.append(ValidationError(message, field=field))
        elif key:
            seen[(field, key)] = number
    built = existing = data = None
    merges: list = []
    if record:
        try:
            existing = _match(record)
            data = for_create(record) if existing is None else for_update(record, existing, merges)
            result.name = result.name or str(data.get("name") or "")
            built = build_organisation(data)
        except (ValidationError, GeometryError) as exc:
            errors.append(exc)
            if data is not None:
                errors += more_errors(data, exc, _try_build)
    try:
        if not errors and built is not None and (problem := _permission_problem(user, built, existing)):
            errors.append(ValidationError(problem, field="country_code"))
        if errors or built is None:
            return _rejected(result, errors, mapping)
        result.data, result.status = data, str(built.status)
        if existing is None:
            result.action = "create"
            result.defaulted = [key for key in record.get(CREATE_DEFAULTS, {}) if key not in record]
            return result
        old, new = exchange_snapshot(existing), exchange_snapshot(built)
        result.target_id = existing.id
        result.was_published = existing.status == Status.PUBLISHED
        result.changes = [k for k in new if new[k] != old[k]]
        result.merged = [merge.words() for merge in merges if merge.name in result.changes]
        if values_differ(existing, data.get("extra")):
            result.changes.append("extra")
        result.action = "update" if result.changes else "unchanged"
        result.reveals_location = reveals_location(data, existing)
        return result
    finally:
        if built is not None:
            _discard(built)


def _try_build(data: dict) -> None:
    _discard(build_organisation(data))


def _rejected(result: RowResult, errors: list, mapping: dict[str, str]) -> RowResult:
    if not errors:  # a row that says nothing at all
        errors = [ValidationError(_("This row says nothing that can be imported."))]
    result.errors = named_errors(errors, mapping)
    result.field, result.reason = result.errors[0].field, result.errors[0].message
    return result


def _permission_problem(user, built: Organisation, existing: Organisation | None) -> str:
    if user is None:  # the command line: whoever runs it administers the server
        return ""
    if existing is not None and not may_edit(user, existing):
        return _("you may not change organisations of %(country)s", country=existing.country_code)
    if not may_create_in(user, built.country_code):
        return _("you may not import organisations of %(country)s", country=built.country_code)
    return ""


def commit_import(
    table: Table, mapping: dict[str, str], user=None, *, source_name: str = "", defaults: dict | None = None
) -> ImportReport:
    """Preview, then write every created and updated row; ImportRejected (nothing written) when a
    row is rejected. `source_name` (the file's name) goes into the comment of each revision. The
    caller commits the session, or rolls it back on any exception."""
    report = preview_import(table, mapping, user, defaults)
    if report.rejected:
        raise ImportRejected(report)
    rows = [(r.row, r.data, r.target_id) for r in report.rows if r.action in ("create", "update")]
    if proposes(user):
        propose_rows(user, rows)
    else:
        apply_rows(rows, user=user, source_name=source_name)
    return report


def import_comment(source_name: str = "", source_modified: str = "") -> str:
    """The comment of the revisions an import records: "Imported from <file name>", with the date
    the source says it last changed the entry when it says one."""
    name = str(source_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if source_modified:
        if name:
            return _("Imported from %(name)s (source modified %(date)s)", name=name, date=source_modified)
        return _("Imported from a file (source modified %(date)s)", date=source_modified)
    return _("Imported from %(name)s", name=name) if name else _("Imported from a file")


def proposes(user) -> bool:
    """True when the user's imported rows become change proposals for the TS to review."""
    from directory_app.accounts.models import Role

    return user is not None and user.role == Role.COUNTRY_CONTACT


def propose_rows(user, rows: list[tuple[int, dict, int | None]]) -> None:
    """Each row becomes a change proposal (review.services.submit_change) on the version read now."""
    from directory_app.accounts.permissions import PermissionDenied
    from directory_app.review.services import VersionConflict, submit_change

    for number, data, target_id in rows:
        organisation = db.session.get(Organisation, target_id) if target_id is not None else None
        base_version = organisation.version if organisation is not None else None
        comment = _("Bulk import, row %(row)d", row=number)
        if data.get(SOURCE_MODIFIED):
            comment = _("Bulk import, row %(row)d (source modified %(date)s)", row=number, date=data[SOURCE_MODIFIED])
        try:
            submit_change(user, organisation, clean(data), base_version=base_version, comment=comment)
        except (ValidationError, GeometryError) as exc:
            raise ValidationError(
                getattr(exc, "message", str(exc)), row=number, field=getattr(exc, "field", None)
            ) from None
        except (PermissionDenied, VersionConflict) as exc:
            raise ValidationError(str(exc), row=number) from None


def apply_rows(rows: list[tuple[int, dict, int | None]], *, user=None, source_name: str = "") -> list[int]:
    """Create (target None) or update each organisation, record its revision (author and approver:
    `user`, None from the command line; comment: import_comment), then recompute coverage once for
    all. A ValidationError names the row; nothing is committed here."""
    from directory_app.review.models import ChangeKind
    from directory_app.review.services import ensure_baseline, record_revision

    touched: list[int] = []
    for number, data, target_id in rows:
        try:
            org = None if target_id is None else db.session.get(Organisation, target_id)
            before = None
            if org is not None:
                ensure_baseline(org)  # the state before the import stays restorable
                before = snapshot_of(org)
            org = org_services.save_entry(org, data, recompute=False)  # coverage: once for all, below
        except (ValidationError, GeometryError) as exc:
            raise ValidationError(
                getattr(exc, "message", str(exc)), row=number, field=getattr(exc, "field", None)
            ) from None
        kind = ChangeKind.CREATE if before is None else ChangeKind.UPDATE
        comment = import_comment(source_name, data.get(SOURCE_MODIFIED) or "")
        record_revision(org, kind, before, user=user, comment=comment)
        touched.append(org.id)
    if touched:
        recompute_coverage(touched)
    return touched
