"""Freshness reminders and watches (issue 20, items 2 and 3).

- reminders.py, reminder_views.py: `flask send-reminders` tells each country contact, on the schedule
  the Technical Secretariat sets (/admin/reminders), of their country's entries not verified for N
  months, each with a "still correct" link (a page that asks to confirm, behind sign-in); the TS gets
  the summary per country.
- watch.py, views.py: a signed-in person follows districts or organisations; when a published change
  touches one (review's `entry_published` signal, directory_app.events), they are told in words.
- feeds.py: the same changes as an Atom feed per district, /districts/<code>/feed.atom.

This package sits on the floor above review, referrals and notifications (pyproject's layers): it
reads review's history and freshness report and writes through notifications.outbox; nothing below
imports it (templates reach it through the globals init_watch registers).
"""

from __future__ import annotations

from flask import Flask


def init_watch(app: Flask) -> None:
    """Routes, the `send-reminders` command, template globals and the receiver of published changes."""
    from directory_app.events import entry_published, entry_writing
    from directory_app.watch import feeds, reminder_views  # noqa: F401 (routes on the blueprint)
    from directory_app.watch.cli import send_reminders_command
    from directory_app.watch.views import bp, template_globals
    from directory_app.watch.watch import note_districts_before, tell_watchers

    app.register_blueprint(bp)
    app.cli.add_command(send_reminders_command)
    app.jinja_env.globals.update(template_globals())
    entry_writing.connect(note_districts_before)  # module-level functions: connected once
    entry_published.connect(tell_watchers)
