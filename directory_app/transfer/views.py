"""Web import (upload -> column mapping -> preview -> commit) and exports.

Organisations are imported by the Technical Secretariat (written at once) and by country contacts
for their own country (every created or changed row becomes a change proposal for the TS, through
review.services.submit_change). Official consular districts: TS only. Exports are for every reader:
they contain what the directory shows them, with the directory's filters.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import require_role
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.sample_data import sample_download_name
from directory_app.organisations.search import parse_directory_query
from directory_app.transfer import storage
from directory_app.transfer.districts import import_districts, preview_districts
from directory_app.transfer.exports import FORMATS, export_organisations
from directory_app.transfer.hsds_extra import define_missing
from directory_app.transfer.hsds_preview import hsds_options, preview_context
from directory_app.transfer.importer import ImportRejected, commit_import, preview_import, proposes
from directory_app.transfer.mapping import check_mapping, importable_fields, suggest_mapping
from directory_app.transfer.preview_notes import (
    audience_notes,
    default_choices,
    default_notes,
    defaults_from_form,
    initial_defaults,
    reading_note,
)
from directory_app.transfer.readers import Table, read_table
from directory_app.transfer.template import skip_examples
from directory_app.transfer.uploads import FORMAT_NAMES, STORED_NAMES, Upload, save_upload

bp = Blueprint("transfer", __name__, url_prefix="/transfer")
_IMPORTERS = (Role.TS_ADMIN, Role.COUNTRY_CONTACT)  # a contact's rows become change proposals


@bp.get("/export")
def export():
    """The directory's current selection as a file; ?format= one of FORMATS plus the directory filters."""
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(400, _("Unknown export format."))
    query, problems = parse_directory_query(request.args)
    if problems:
        return render_template("error.html", code=400, message=" ".join(problems)), 400
    try:
        result = export_organisations(query, fmt)
    except ValidationError as exc:
        return render_template("error.html", code=400, message=exc.message), 400
    return send_file(
        BytesIO(result.content),
        mimetype=result.mimetype,
        as_attachment=True,
        download_name=sample_download_name(result.filename),  # "sample-data-..." while demo data exist
    )


@bp.route("/import", methods=["GET", "POST"])
@require_role(*_IMPORTERS)
def upload():
    if request.method == "GET":
        return render_template("transfer/upload.html", formats=FORMAT_NAMES)
    stream = request.files.get("file")
    if stream is None or not stream.filename:
        return render_template("transfer/upload.html", formats=FORMAT_NAMES, error=_("Choose a file.")), 400
    token, folder = storage.new_folder()
    try:
        checked = save_upload(stream.stream, stream.filename, folder)
        table = read_table(checked)
    except ValidationError as exc:
        storage.discard(folder)
        return render_template("transfer/upload.html", formats=FORMAT_NAMES, error=str(exc)), 400  # with its row
    mapping = {} if table.records is not None else suggest_mapping(table.columns)
    note = {
        "user": current_user.id,
        "format": checked.format,
        "name": checked.original_name,
        "mapping": mapping,
        "defaults": initial_defaults(current_user),
    }
    storage.write_note(folder, note | {"file": checked.path.name})
    step = "transfer.preview" if table.records is not None else "transfer.mapping"
    return redirect(url_for(step, token=token))


def _stored_upload(folder: Path, note: dict) -> Upload:
    """The saved file of an upload: the name its note remembers (one of ours, never the user's)."""
    name = note.get("file", "upload.bin")
    if name not in (*STORED_NAMES.values(), "upload.bin"):
        abort(404)
    return Upload(folder / name, note["format"], note["name"])


def _load(token: str) -> tuple[Path, dict, Table]:
    folder = storage.folder_of(token)
    if folder is None:
        abort(404)
    note = storage.read_note(folder)
    if note.get("user") != current_user.id:
        abort(404)
    try:
        table = read_table(_stored_upload(folder, note), hsds_options(note, current_user))
    except ValidationError:
        abort(404)
    table, note["examples"] = skip_examples(table, note.get("mapping") or {})  # the template's example rows
    return folder, note, table


@bp.route("/import/<token>/mapping", methods=["GET", "POST"])
@require_role(*_IMPORTERS)
def mapping(token: str):
    folder, note, table = _load(token)
    error = None
    if request.method == "POST":
        chosen = {column: request.form.get(f"column-{i}", "") for i, column in enumerate(table.columns)}
        try:
            note["mapping"] = check_mapping(chosen, table.columns)
            note["defaults"] = defaults_from_form(request.form, current_user)
        except ValidationError as exc:
            error = exc.message
        else:
            storage.write_note(folder, note)
            return redirect(url_for("transfer.preview", token=token))
    sample = [row for _, row in table.rows[:3]]
    return render_template(
        "transfer/mapping.html",
        token=token,
        note=note,
        columns=table.columns,
        fields=importable_fields(),
        sample=sample,
        error=error,
        defaults=note.get("defaults") or {},
        default_choices=default_choices(current_user),
        reading=reading_note(table),
    ), 400 if error else 200


@bp.get("/import/<token>/preview")
@require_role(*_IMPORTERS)
def preview(token: str):
    _folder, note, table = _load(token)
    report = preview_import(table, note["mapping"], current_user, note.get("defaults"))
    page = _preview_page(token, note, table, report)
    db.session.rollback()
    return page


def _preview_page(token: str, note: dict, table: Table, report, status: int = 200, error: str = ""):
    """The preview: how the file was read, the defaults used, who will see what, and every row."""
    notes = {}
    if report is not None:
        defaults = note.get("defaults") or {}
        notes = {
            "reading": reading_note(table),
            "defaults": default_notes(report, note["mapping"], defaults, table.records is None),
            "audience": audience_notes(report, proposes(current_user)),
        }
    html = render_template(
        "transfer/preview.html",
        token=token,
        note=note,
        report=report,
        notes=notes,
        error=error,
        hsds=preview_context(table.hsds, note, current_user),
    )
    return html, status


@bp.post("/import/<token>/commit")
@require_role(*_IMPORTERS)
def commit(token: str):
    folder, note, table = _load(token)
    if table.hsds is not None:
        define_missing(table.records, current_user)
    try:
        report = commit_import(
            table, note["mapping"], current_user, source_name=note.get("name", ""), defaults=note.get("defaults")
        )
        db.session.commit()
    except ImportRejected as exc:
        db.session.rollback()
        return _preview_page(token, note, table, exc.report, 400)
    except ValidationError as exc:
        db.session.rollback()
        return _preview_page(token, note, table, None, 400, str(exc))
    storage.discard(folder)
    return render_template("transfer/done.html", report=report, note=note, proposed=proposes(current_user))


@bp.route("/districts", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def districts_upload():
    """Official consular districts: CSV (consulate_code, admin_unit_code[, sending_country]) or polygons."""
    if request.method == "GET":
        return render_template("transfer/districts_upload.html")
    stream = request.files.get("file")
    if stream is None or not stream.filename:
        return render_template("transfer/districts_upload.html", error=_("Choose a file.")), 400
    token, folder = storage.new_folder()
    try:
        checked = save_upload(stream.stream, stream.filename, folder)
        if checked.format not in ("csv", "geojson", "gpkg"):
            raise ValidationError(_("Consular districts come as CSV, GeoJSON or GeoPackage."))
    except ValidationError as exc:
        storage.discard(folder)
        return render_template("transfer/districts_upload.html", error=exc.message), 400
    note = {
        "user": current_user.id,
        "format": checked.format,
        "name": checked.original_name,
        "kind": "districts",
        "file": checked.path.name,
    }
    storage.write_note(folder, note)
    return redirect(url_for("transfer.districts_preview", token=token))


def _load_districts(token: str) -> tuple[Path, dict, Upload]:
    folder = storage.folder_of(token)
    if folder is None:
        abort(404)
    note = storage.read_note(folder)
    if note.get("user") != current_user.id or note.get("kind") != "districts":
        abort(404)
    return folder, note, _stored_upload(folder, note)


@bp.get("/districts/<token>/preview")
@require_role(Role.TS_ADMIN)
def districts_preview(token: str):
    _folder, note, checked = _load_districts(token)
    try:
        report = preview_districts(checked)
    except ValidationError as exc:
        db.session.rollback()
        return render_template("transfer/districts_preview.html", token=token, note=note, error=str(exc)), 400
    return render_template("transfer/districts_preview.html", token=token, note=note, report=report)


@bp.post("/districts/<token>/commit")
@require_role(Role.TS_ADMIN)
def districts_commit(token: str):
    folder, note, checked = _load_districts(token)
    try:
        report = import_districts(checked)
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return render_template("transfer/districts_preview.html", token=token, note=note, error=str(exc)), 400
    storage.discard(folder)
    return render_template("transfer/districts_preview.html", token=token, note=note, report=report, done=True)
