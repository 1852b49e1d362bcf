"""Shared helpers of the transfer tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from flask_login import login_user
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.organisations.entry_of import exchange_snapshot as organisation_snapshot
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.search import DirectoryQuery
from directory_app.transfer.importer import commit_import, preview_import
from directory_app.transfer.mapping import suggest_mapping
from directory_app.transfer.readers import read_table
from directory_app.transfer.uploads import check_file
from tests.conftest import TEST_USERS


@contextmanager
def reading_as(role: str | None):
    """A request context signed in as a test user (None: the public)."""
    with current_app.test_request_context("/"):
        if role:
            user = db.session.scalar(select(User).where(User.email == TEST_USERS[role].email))
            login_user(user)
        yield


def snapshots(query: DirectoryQuery | None = None) -> dict[str, dict]:
    """Exact snapshots of the published organisations, by external id."""
    statement = select(Organisation).where(Organisation.status == Status.PUBLISHED)
    if query is not None and query.country:
        statement = statement.where(Organisation.country_code == query.country)
    return {org.external_id: organisation_snapshot(org) for org in db.session.scalars(statement)}


def table_of(path: Path):
    return read_table(check_file(path))


def preview_file(path: Path, user=None):
    table = table_of(path)
    return preview_import(table, suggest_mapping(table.columns), user)


def import_file(path: Path, user=None):
    table = table_of(path)
    return commit_import(table, suggest_mapping(table.columns), user)


def remove_all_organisations() -> None:
    for org in db.session.scalars(select(Organisation)):
        db.session.delete(org)
    db.session.flush()
