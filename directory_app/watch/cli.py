"""`flask send-reminders`: the freshness reminders of the period, when the schedule says they are due."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from directory_app.extensions import db


@click.command("send-reminders")
@click.option("--force", is_flag=True, help="Send now even if this period's reminders went out (starts a new period).")
@with_appcontext
def send_reminders_command(force: bool) -> None:
    """Write the freshness reminders of the period to the outbox (`flask send-mail` sends them).
    Run it daily from a systemd timer or cron: it sends once per period of the schedule set at
    /admin/reminders, whatever the number of runs."""
    from directory_app.watch.reminders import send_reminders

    result = send_reminders(force=force)
    db.session.commit()
    if not result.due:
        if result.next_due is None:
            click.echo(_("Not sent: the reminders are switched off (/admin/reminders)."))
        else:
            click.echo(_("Not due: this period's reminders went out; the next period begins on %(day)s.",
                         day=result.next_due.isoformat()))  # fmt: skip
        return
    click.echo(
        _(
            "Reminders written to the outbox: %(contacts)s to country contacts (countries: %(countries)s), "
            "%(summaries)s summaries to the Technical Secretariat.",
            contacts=result.contacts,
            countries=", ".join(result.countries) or "-",
            summaries=result.summaries,
        )
    )
