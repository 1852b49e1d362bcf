"""Notifications of the workflow and the outbox that sends them (issue 20).

`outbox.enqueue(...)` writes a message to the current database session, in the same transaction as the
change that causes it; `flask send-mail` (sender.py) sends pending messages with retries and backoff;
`flask send-digests` (digests.py) folds each person's digest messages into one email a day. Each person
chooses, per topic, immediate / digest / none (NotificationSetting; defaults in topics.py).
`init_notifications(app)` registers the pages, the commands and the receivers of the domain events.
"""

from __future__ import annotations


def init_notifications(app) -> None:
    """Pages (settings, outbox), `flask send-mail` / `send-digests`, and the workflow receivers."""
    from directory_app.notifications.cli import commands
    from directory_app.notifications.views import bp
    from directory_app.notifications.workflow import connect_receivers

    app.register_blueprint(bp)
    for command in commands:
        app.cli.add_command(command)
    connect_receivers()
