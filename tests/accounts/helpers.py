"""Helpers of the accounts tests: posting forms with their CSRF token, reading the links that the
application "emails" (without SMTP they are written to the log)."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask_login import login_user

from tests.conftest import csrf_token_of

LINK = re.compile(r"http://localhost(/(?:password/reset|invite)/[A-Za-z0-9_.\-]+)")


def post_form(client, url: str, data: dict, form_url: str | None = None):
    """GET `form_url` (default `url`) for a CSRF token, then POST `data` with it to `url`."""
    token = csrf_token_of(client.get(form_url or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def emailed_links(caplog) -> list[str]:
    """Paths of the reset and invitation links written to the log so far."""
    return [match.group(1) for record in caplog.records for match in LINK.finditer(record.getMessage())]


def is_signed_in(client) -> bool:
    return ">Sign out</button>" in client.get("/").get_data(as_text=True)


@contextmanager
def acting_as(app, user):
    """A request of `app` as `user` (an in-memory User, or None for the public), without a database:
    for the rules of accounts.permissions and accounts.access."""
    with app.test_request_context("/somewhere"):
        if user is not None:
            assert login_user(user)
        yield
