"""`flask import-organisations` and `flask export-organisations`: thin commands over the services."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from directory_app import vocabulary
from directory_app.cli import transactional
from directory_app.errors import ValidationError
from directory_app.extensions import db


def _load_mapping(text: str | None, columns: list[str]) -> dict[str, str]:
    from directory_app.transfer.mapping import check_mapping, suggest_mapping

    if not text:
        return suggest_mapping(columns)
    source = Path(text)
    try:
        mapping = json.loads(source.read_text(encoding="utf-8") if source.is_file() else text)
    except ValueError as exc:
        raise ValidationError(f"--mapping is not JSON: {exc}") from None
    if not isinstance(mapping, dict):
        raise ValidationError('--mapping must be a JSON object {"column": "field"}')
    return check_mapping({str(k): str(v) for k, v in mapping.items()}, columns)


@click.command("import-organisations")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--mapping", default=None, help='JSON {"column": "field"} or a file holding it (default: guessed).')
@click.option("--dry-run", is_flag=True, help="Only show what would be created, updated or rejected.")
@click.option(
    "--default-kind",
    default="ngo",
    show_default=True,
    help=f"Kind of new entries whose row gives none ({', '.join(t.code for t in vocabulary.ORGANISATION_KINDS)}; "
    "empty: none, such rows are rejected).",
)
@click.option(
    "--default-status",
    type=click.Choice(["", "draft", "published"]),
    default="",
    help="Status of new entries whose row gives none: draft (invisible to the public) or published "
    "(default: draft, or what HSDS says).",
)
@click.option(
    "--default-country",
    "--country",
    "country",
    default="",
    help="Member country of new entries whose row gives none, and of HSDS entries whose addresses name none (e.g. GT).",
)
@click.option("--category", default="", help="HSDS: service category of services that have none of ours.")
@with_appcontext
@transactional(bulk=True)
def import_organisations_command(
    path: Path, mapping: str | None, dry_run: bool, default_kind: str, default_status: str, country: str, category: str
) -> None:
    """Import organisations from CSV, Excel, GeoJSON, GeoPackage, zipped Shapefile, HSDS JSON or an
    HSDS CSV package (zip with datapackage.json).

    All or nothing: when a row is rejected, nothing is written. A row changes only what its columns
    say (a missing column leaves the field as it is); ids written by our exports are kept. New
    entries take what their row does not give from the --default-* options, as the web preview's
    defaults; the output says how many did."""
    from directory_app.transfer.preview_notes import checked_defaults

    with current_app.test_request_context("/"):  # messages are translated per request
        defaults = checked_defaults(default_kind.strip(), default_status, country)
        _import(path, mapping, dry_run, defaults.get("country_code", ""), category, defaults)


def _import(
    path: Path,
    mapping: str | None,
    dry_run: bool,
    country: str = "",
    category: str = "",
    defaults: dict | None = None,
) -> None:
    from directory_app.transfer.importer import commit_import, preview_import
    from directory_app.transfer.preview_notes import audience_notes, default_notes
    from directory_app.transfer.readers import read_table
    from directory_app.transfer.template import skip_examples
    from directory_app.transfer.uploads import check_file

    table = read_table(check_file(path), {"category": category, "country": country})
    columns = _load_mapping(mapping, table.columns) if table.records is None else {}
    table, examples = skip_examples(table, columns)
    if examples:
        click.echo("Skipped the template's example rows: " + ", ".join(map(str, examples)) + ".")
    if table.records is None:
        click.echo("Columns: " + ", ".join(f"{c} -> {f}" for c, f in columns.items()))
    report = preview_import(table, columns, defaults=defaults) if dry_run else None
    if report is None:
        if table.hsds is not None:  # the additional fields that HSDS text needs (transfer.hsds_extra)
            from directory_app.transfer.hsds_extra import define_missing

            define_missing(table.records)
        try:
            report = commit_import(table, columns, source_name=path.name, defaults=defaults)
        except Exception as exc:
            if hasattr(exc, "report"):
                _print_rejections(exc.report)
            raise
    _print_rejections(report)
    for row in report.rows:  # a file that gives part of the lists (HSDS services): what each merge does
        for line in row.merged:
            click.echo(f"  row {row.row}: {line}")
    for line in default_notes(report, columns, defaults or {}, table.records is None):
        click.echo(line)
    for line in audience_notes(report, proposes=False):
        click.echo(line)
    counts = report.counts
    verb = "Would create" if dry_run else "Created"
    click.echo(
        f"{verb} {counts['create']}, update {counts['update']}; {counts['unchanged']} unchanged, "
        f"{counts['reject']} rejected."
    )
    if dry_run:
        db.session.rollback()


def _print_rejections(report) -> None:
    """Every error of every rejected row, named by the file's column (transfer.row_errors)."""
    for row in report.rejected:
        for error in row.errors or [None]:
            column = error.column if error is not None else row.field
            where = f"row {row.row}" + (f", column '{column}'" if column else "")
            click.echo(f"  rejected {where}: {error.message if error is not None else row.reason}", err=True)


@click.command("export-organisations")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "geojson", "gpkg", "hsds", "hsds_csv"]), default="csv"
)
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="File to write (default: stdout).")
@click.option("--filter", "filters", multiple=True, help="A directory filter, e.g. --filter country=MX (repeatable).")
@with_appcontext
def export_organisations_command(fmt: str, output: Path | None, filters: tuple[str, ...]) -> None:
    """Export the published organisations (with the directory's filters) as the public sees them."""
    from directory_app.organisations.search import parse_directory_query
    from directory_app.transfer.exports import export_organisations

    args = dict(f.split("=", 1) for f in filters if "=" in f)
    query, problems = parse_directory_query(args)
    if problems:
        raise click.ClickException("; ".join(problems))
    with current_app.test_request_context("/"):  # a reader who is not signed in: the public view
        export = export_organisations(query, fmt)
    if output is None:
        sys.stdout.buffer.write(export.content)
    else:
        output.write_bytes(export.content)
        click.echo(f"Wrote {output} ({len(export.content):,} bytes).")


commands = [import_organisations_command, export_organisations_command]
