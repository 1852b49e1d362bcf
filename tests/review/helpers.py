"""Helpers of the review tests: pick organisations, read forms, post them as a browser would."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.conftest import csrf_token_of, login_as

_INPUT = re.compile(r"<input([^>]*)>")
_TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_ATTR = re.compile(r'([a-z_-]+)="([^"]*)"')


def org_uuid(app, country: str = "MX", index: int = 0) -> str:
    """The uuid of a published organisation of `country` (the index-th by id)."""
    with app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .where(Organisation.country_code == country, Organisation.status == Status.PUBLISHED)
            .order_by(Organisation.id)
            .offset(index)
            .limit(1)
        ).one()


def form_fields(html: str, marker: str = 'class="edit-form"') -> dict[str, object]:
    """The fields of the page's first post form whose tag holds `marker`, with values, as a browser
    would send them (checked checkboxes only; selected options)."""
    start = html.rindex("<form", 0, html.index(marker))
    html = html[start : html.index("</form>", start)]
    data: dict[str, object] = {}
    for attrs in _INPUT.findall(html):
        a = dict(_ATTR.findall(attrs))
        name = a.get("name")
        if not name:
            continue
        kind = a.get("type", "text")
        if kind in ("checkbox", "radio"):
            if "checked" in attrs:
                data.setdefault(name, []).append(unescape(a.get("value", "y")))  # type: ignore[union-attr]
            continue
        if kind in ("submit", "button"):
            continue
        data[name] = unescape(a.get("value", ""))
    for name, text in _TEXTAREA.findall(html):
        data[name] = re.sub(r"^\r?\n", "", unescape(text))
    for name, options in _SELECT.findall(html):
        chosen = re.search(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', options
        )
        first = re.search(r'<option[^>]*value="([^"]*)"', options)
        value = (chosen.group(1) or chosen.group(2)) if chosen else (first.group(1) if first else "")
        data[name] = unescape(value or "")
    return data


def open_form(client, url: str, marker: str = 'class="edit-form"') -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return form_fields(response.get_data(as_text=True), marker)


def stale_edit(app, uuid: str, theirs: dict, yours: dict, query: str = ""):
    """Two TS sessions open the same entry's edit form; the first saves `theirs`, then the second sends
    `yours` on its now stale form (to the edit URL + `query`). Returns (first, second, its response)."""
    first = login_as(app.test_client(), "ts_admin")
    second = login_as(app.test_client(), "ts_admin")
    form_1 = open_form(first, f"/organisations/{uuid}/edit")
    form_2 = open_form(second, f"/organisations/{uuid}/edit")
    assert first.post(f"/organisations/{uuid}/edit", data=form_1 | theirs).status_code == 302
    return first, second, second.post(f"/organisations/{uuid}/edit{query}", data=form_2 | yours)


def token(client, url: str = "/my-entries") -> str:
    return csrf_token_of(client.get(url).get_data(as_text=True))


_ANY_TOKEN = re.compile(
    r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'
)


def any_token(client) -> str:
    """The session's CSRF token from any page that has a form (the header's sign-out form, or the
    sign-in page for the public)."""
    for url in ("/organisations", "/login"):
        match = _ANY_TOKEN.search(client.get(url).get_data(as_text=True))
        if match:
            return match.group(1) or match.group(2)
    raise AssertionError("no CSRF token found")


def text(response) -> str:
    return response.get_data(as_text=True)
