"""`flask --app directory_app ...` commands. Each is thin: it calls a service, commits once
at the end, and on any error rolls back and prints what went wrong (file, row, field)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy.exc import OperationalError

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geo_messages import error_text
from geo.boundaries import BoundaryDataError
from geo.validate import GeometryError

USER_ERRORS = (ValidationError, GeometryError, BoundaryDataError)


def transactional(func=None, *, bulk: bool = False):
    """Run the command in one transaction: commit on success, roll back on any error.
    After a bulk write, refresh the query planner's statistics."""
    if func is None:
        return functools.partial(transactional, bulk=bulk)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            if bulk:
                from directory_app.cli.setup import refresh_planner_statistics

                db.session.close()
                refresh_planner_statistics()
            return result
        except USER_ERRORS as exc:
            db.session.rollback()
            raise click.ClickException(f"{error_text(exc)}\n" + _("Nothing was changed.")) from None
        except OperationalError as exc:  # disk full, database locked or unreachable: say so, no traceback
            db.session.rollback()
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            message = _("The database refused the write: %(reason)s.", reason=reason)
            raise click.ClickException(message + "\n" + _("Nothing was changed.")) from None
        except BaseException:
            db.session.rollback()
            raise

    return wrapper


def _bar_progress(label: str):
    state: dict = {}

    def report(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
            state["last"] = 0
        state["bar"].update(done - state["last"])
        state["last"] = done
        if done >= total:
            state.pop("bar").__exit__(None, None, None)

    return report


@click.command("setup")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with boundaries/ and consulates.csv (default: the project's data/).",
)
@with_appcontext
def setup_command(data_dir: Path | None) -> None:
    """Create or upgrade the database and load boundaries, consulates and default districts.

    Safe to run again: everything is updated in place by its code."""
    from directory_app.cli.setup import migrate_schema

    click.echo(_("Migrating the database schema..."))
    migrate_schema()
    _setup(data_dir or Path(current_app.config["DATA_DIR"]))


@transactional(bulk=True)
def _setup(data_dir: Path) -> None:
    from directory_app.cli.setup import setup_directory

    counts = setup_directory(data_dir, progress=lambda message: click.echo(f"  {message}"))
    click.echo(
        _(
            "Ready: %(countries)d countries, %(admin1)d admin-1 units, %(counties)d counties, "
            "%(consulates)d consulates, %(approximate)d approximate districts.",
            **{k: counts[k] for k in ("countries", "admin1", "counties", "consulates", "approximate")},
        )
    )


@click.command("demo")
@click.option(
    "--count",
    type=click.IntRange(0, 200_000),
    default=300,
    show_default=True,
    help="How many demo organisations the directory should hold.",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Seed of the generator.")
@click.option(
    "--remove",
    is_flag=True,
    help="Remove every demo organisation (and the demo network) instead, before the directory goes live; "
    "real entries are left alone. The sample-data notice then goes away.",
)
@click.option(
    "--accounts/--no-accounts",
    default=True,
    show_default=True,
    help="Also create demo accounts (one per role), printing their generated passwords once; never when "
    "APP_ENV=production.",
)
@with_appcontext
@transactional(bulk=True)
def demo_command(count: int, seed: int, remove: bool, accounts: bool) -> None:
    """Add clearly labelled sample organisations (names start with DEMO) and demo accounts; while they
    exist every page and file says the directory holds sample data."""
    from directory_app.demo.generator import generate_demo

    if remove:
        from directory_app.demo.removal import remove_demo
        from directory_app.review.models import ChangeProposal, Revision

        def forget_history(ids: list[int]) -> None:  # the review history has no ON DELETE CASCADE
            db.session.execute(delete(Revision).where(Revision.organisation_id.in_(ids)))
            db.session.execute(delete(ChangeProposal).where(ChangeProposal.organisation_id.in_(ids)))

        removed = remove_demo(before_delete=forget_history)
        click.echo(ngettext("Removed %(num)d demo organisation.", "Removed %(num)d demo organisations.", removed))
        return

    added = generate_demo(count, seed, progress=_bar_progress("Demo organisations"))
    click.echo(_("Added %(added)d demo organisations (seed %(seed)d).", added=added, seed=seed))
    if accounts:
        _demo_accounts()


def _demo_accounts() -> None:
    from directory_app.accounts.demo_accounts import ProductionRefused, ensure_demo_accounts

    try:
        created = ensure_demo_accounts()
    except ProductionRefused as refusal:
        click.echo(f"{refusal} " + _("Create real accounts with `create-user`."))
        return
    if not created:
        click.echo(_("Demo accounts exist already (their passwords were printed when they were created)."))
        return
    click.echo(_("Demo accounts (passwords shown only this once; sign in at /login):"))
    for account in created:
        role = account.role + (f" {account.country}" if account.country else "")
        click.echo(f"  {account.email:<36} {role:<20} {account.password}")


@click.command("import-districts")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
@transactional
def import_districts_command(path: Path) -> None:
    """Import official consular districts from a CSV (consulate_code, admin_unit_code
    [, sending_country, scope, source, source_title, source_date, secondary_source, note]) or a
    GeoJSON of polygons (property consulate_code). Prints which units change district: the units
    the file takes from a district or leaves out go back to the nearest consulate."""
    from directory_app.geography.district_moves import move_counts
    from directory_app.geography.official import import_official_districts
    from directory_app.organisations.coverage import refresh_district_coverage

    result = import_official_districts(path, refresh_coverage=refresh_district_coverage)
    click.echo(
        _(
            "Imported %(districts)d official districts with %(units)d admin units from %(path)s.",
            districts=result["districts"],
            units=result["units"],
            path=path,
        )
    )
    for warning in result["warnings"]:
        click.echo("  " + _("note: %(warning)s", warning=warning))
    nowhere = _("no district")
    for before, after, n in move_counts(result["moves"]):
        click.echo(
            "  "
            + ngettext(
                "%(from)s -> %(to)s: %(num)d admin unit",
                "%(from)s -> %(to)s: %(num)d admin units",
                n,
                **{"from": before or nowhere, "to": after or nowhere},
            )
        )
    for move in result["moves"]:
        if move.moved:
            how = _("official") if move.official_after else _("approximate: nearest consulate")
            where = f"{move.before or nowhere} -> {move.after or nowhere}"
            click.echo(f"    {move.unit_code} {move.unit_name}: {where} ({how})")


@click.command("rebuild-coverage")
@with_appcontext
@transactional(bulk=True)
def rebuild_coverage_command() -> None:
    """Recompute every organisation's coverage, unit and district coverage."""
    from directory_app.i18n import format_number
    from directory_app.organisations.coverage import recompute_coverage

    done = recompute_coverage(progress=_bar_progress("Organisations"))
    click.echo(
        ngettext(
            "Coverage rebuilt for %(n)s organisation.",
            "Coverage rebuilt for %(n)s organisations.",
            done,
            n=format_number(done),
        )
    )


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["ts_admin", "country_contact", "consular"]), required=True)
@click.option("--country", default=None, help="Member country (ISO alpha-2) of a country contact.")
@click.option("--name", default="", help="The person's name.")
@click.option("--consulate", default="", help="A consular user's own consulate, by code (e.g. GT-US-HOUSTON).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@transactional
def create_user_command(
    email: str, role: str, country: str | None, name: str, consulate: str, password_stdin: bool
) -> None:
    """Create a user who can sign in (password: at least 12 characters, not a common one). A consular
    user given --consulate lands on that consulate's district after signing in."""
    from directory_app.accounts.services import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_user(email, password, role, country, name, consulate)
    click.echo(_("Created %(role)s %(email)s.", role=user.role.value, email=user.email))


@click.command("stats")
@with_appcontext
def stats_command() -> None:
    """Print what the directory holds."""
    from directory_app.main.statistics import statistics

    for label, value in statistics().items():
        click.echo(f"{label:>28}: {value:,}")


commands = [
    setup_command,
    demo_command,
    import_districts_command,
    rebuild_coverage_command,
    create_user_command,
    stats_command,
]
