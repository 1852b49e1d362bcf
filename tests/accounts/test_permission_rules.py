"""The rules of accounts/permissions.py, role by role, without a database: who may edit, create and
publish which country's entries. The routes that apply them are tested over HTTP in
tests/review/test_authorisation.py and tests/accounts/test_governance_matrix.py; these tests are fast
enough for the mutation run (docs/mutation-testing.md)."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden

from directory_app import models  # noqa: F401 (every mapper known: User names Country)
from directory_app.accounts.models import Role, User
from directory_app.accounts.permissions import (
    PermissionDenied,
    check_may_edit,
    check_may_publish,
    may_create_in,
    may_edit,
    may_publish,
    require_role,
)
from directory_app.organisations.models import Organisation
from tests.accounts.helpers import acting_as
from tests.conftest import make_app


def person(role: Role, country: str | None = None, *, active: bool = True) -> User:
    return User(id=1, email="x@example.org", role=role, country_code=country, is_active_account=active)


PEOPLE = {
    "nobody": None,
    "anonymous": AnonymousUserMixin(),
    "ts": person(Role.TS_ADMIN),
    "ts disabled": person(Role.TS_ADMIN, active=False),
    "consular": person(Role.CONSULAR),
    "consular of MX": person(Role.CONSULAR, "MX"),  # a country on a consular account gives no rights
    "contact MX": person(Role.COUNTRY_CONTACT, "MX"),
    "contact MX disabled": person(Role.COUNTRY_CONTACT, "MX", active=False),
    "contact GT": person(Role.COUNTRY_CONTACT, "GT"),
    "contact without country": person(Role.COUNTRY_CONTACT, None),
}
# Who may edit (and create in) a Mexican entry, and who may publish: written out, not derived.
EDITS_MX = {"ts", "contact MX"}
EDITS_GT = {"ts", "contact GT"}
PUBLISHES = {"ts"}


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_edit_an_entry_of_each_country(who):
    user = PEOPLE[who]
    mexican, guatemalan = Organisation(country_code="MX"), Organisation(country_code="GT")
    assert may_edit(user, mexican) is (who in EDITS_MX)
    assert may_edit(user, guatemalan) is (who in EDITS_GT)
    assert may_create_in(user, "MX") is (who in EDITS_MX)
    assert may_create_in(user, "GT") is (who in EDITS_GT)


@pytest.mark.parametrize("who", PEOPLE)
def test_services_refuse_whoever_may_not_edit(who):
    """The services' own check (every path: form, import, API) raises instead of answering False."""
    user, mexican = PEOPLE[who], Organisation(country_code="MX")
    if who in EDITS_MX:
        check_may_edit(user, mexican)
    else:
        with pytest.raises(PermissionDenied, match="may not change this organisation"):
            check_may_edit(user, mexican)


@pytest.mark.parametrize("who", PEOPLE)
def test_only_an_active_technical_secretariat_publishes(who):
    user = PEOPLE[who]
    assert may_publish(user) is (who in PUBLISHES)
    if who in PUBLISHES:
        check_may_publish(user)
    else:
        with pytest.raises(PermissionDenied, match="Only the Technical Secretariat"):
            check_may_publish(user)


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The application on an empty database: the rules read no table."""
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('bare') / 'empty.sqlite3'}")


@pytest.mark.parametrize("who", ["anonymous", "ts", "consular", "contact MX", "contact GT"])
def test_a_route_for_some_roles_sends_the_public_to_sign_in_and_refuses_the_others(bare_app, who):
    @require_role(Role.TS_ADMIN, Role.COUNTRY_CONTACT)
    def edit_page(code):
        return f"edit {code}"

    assert edit_page.__name__ == "edit_page"  # Flask names the endpoint after it
    with acting_as(bare_app, None if who == "anonymous" else PEOPLE[who]):
        if who == "anonymous":
            response = edit_page("MX")
            assert response.status_code == 302 and response.location.startswith("/login?next=")
        elif who == "consular":
            with pytest.raises(Forbidden):
                edit_page("MX")
        else:
            assert edit_page(code="MX") == "edit MX"
