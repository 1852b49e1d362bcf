"""`flask send-mail` (the mail worker) and `flask send-digests` (daily digests). No scheduler runs inside
the web processes: systemd or cron runs these (docs/deploy.md)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from directory_app.extensions import db
from directory_app.notifications.digests import build_digests
from directory_app.notifications.sender import MailNotConfigured, send_due


def _one_round(batch: int) -> dict[str, int]:
    try:
        return send_due(batch)
    finally:
        db.session.remove()


@click.command("send-mail")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10000), help="Messages per round.")
@click.option("--loop", is_flag=True, help="Keep running: a round, a pause, another round (for a systemd service).")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600), help="Seconds between rounds.")
@with_appcontext
def send_mail(batch: int, loop: bool, interval: int) -> None:
    """Send the outbox's pending messages that are due (retries with backoff; nothing is dropped)."""
    while True:
        try:
            counts = _one_round(batch)
            if counts["sent"] or counts["retry"] or counts["failed"] or not loop:
                click.echo(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
        except MailNotConfigured as exc:
            raise click.ClickException(str(exc)) from None
        except OperationalError as exc:  # the database is unreachable: try again at the next round
            db.session.remove()
            if not loop:
                raise click.ClickException(f"The database refused: {str(exc.orig).splitlines()[0]}") from None
            current_app.logger.warning("send-mail: database unavailable, retrying: %s", exc.orig)
        if not loop:
            return
        time.sleep(interval)


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Fold each person's digest messages into one email (run daily); `send-mail` then sends them."""
    try:
        written = build_digests()
    finally:
        db.session.remove()
    click.echo(f"digests written: {written}")


commands = [send_mail, send_digests]
