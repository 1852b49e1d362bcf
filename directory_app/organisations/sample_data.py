"""Sample data never passes as real: while the directory holds demo organisations (`flask demo`; their
external ids start with vocabulary.SAMPLE_DATA_PREFIX, their names with "DEMO"), every page shows a
notice, every response carries the header `X-Sample-Data: true`, downloads built from the directory
are named `sample-data-...`, and the JSON API's documents say `"sample_data": true`.

The flag costs one EXISTS query per directory version, not one per request: it is kept beside the
version the page cache reads anyway (at most once per PAGE_CACHE_VERSION_TTL seconds, and at once
after this process commits), so it changes as soon as demo organisations are added or removed."""

from __future__ import annotations

import csv
import io
import threading

from flask import Flask, Response, current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.organisations.models import Organisation

HEADER = "X-Sample-Data"
DOWNLOAD_PREFIX = "sample-data-"

_lock = threading.Lock()


def sample_data_present() -> bool:
    """Does the directory hold demo organisations? (cached per directory version)"""
    state = current_app.extensions.setdefault("sample_data", {"version": None, "present": False})
    try:
        version = current_app.extensions["page_cache"].version()
        if state["version"] == version:
            return state["present"]
        present = bool(
            db.session.scalar(
                select(
                    exists().where(Organisation.external_id.startswith(vocabulary.SAMPLE_DATA_PREFIX, autoescape=True))
                )
            )
        )
    except SQLAlchemyError:  # the database is away: the error page needs no notice
        return False
    with _lock:
        state["version"], state["present"] = version, present
    return present


def sample_download_name(name: str) -> str:
    """A download's file name, marked while the directory holds sample data."""
    return f"{DOWNLOAD_PREFIX}{name}" if sample_data_present() and not name.startswith(DOWNLOAD_PREFIX) else name


def mark_csv(text: str) -> str:
    """A CSV figure (header row, then data rows) with a last column `sample_data` = yes on every row
    while sample data exist; a program reading it by column name reads it as before."""
    if not sample_data_present():
        return text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for index, row in enumerate(csv.reader(io.StringIO(text))):
        writer.writerow([*row, "sample_data" if index == 0 else "yes"])
    return out.getvalue()


def mark_document(document: dict) -> dict:
    """A JSON document of our own API with `"sample_data": true` on top while sample data exist."""
    if sample_data_present():
        document = {"sample_data": True, **document}
    return document


def _mark_response(response: Response) -> Response:
    if sample_data_present():
        response.headers[HEADER] = "true"
    return response


def init_sample_data(app: Flask) -> None:
    """After the page cache: the notice's flag in every template, the header on every response."""
    app.context_processor(lambda: {"sample_data": sample_data_present()})
    app.after_request(_mark_response)
