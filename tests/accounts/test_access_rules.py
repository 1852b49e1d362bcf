"""Who sees which position of a site (accounts/access.py), reader by reader, without a database: the
public never gets the exact point of an organisation that asked to hide it; a country contact gets it
for their own country only; consular users and the TS get every one. The pages, layers, APIs and
exports that apply these rules are tested over HTTP (tests/maps/test_layers.py, tests/api/,
tests/transfer/, tests/organisations/test_views.py); these tests are fast enough for the mutation run
(docs/mutation-testing.md)."""

from __future__ import annotations

import pytest

from directory_app import models  # noqa: F401 (every mapper known: User names Country)
from directory_app.accounts import access
from directory_app.accounts.models import Role, User
from directory_app.organisations.models import Location, Organisation
from tests.accounts.helpers import acting_as
from tests.conftest import make_app

READERS = {
    "public": None,
    "consular": User(id=1, role=Role.CONSULAR, is_active_account=True, session_version=1),
    "ts": User(id=2, role=Role.TS_ADMIN, is_active_account=True, session_version=1),
    "contact MX": User(id=3, role=Role.COUNTRY_CONTACT, country_code="MX", is_active_account=True, session_version=1),
    "contact GT": User(id=4, role=Role.COUNTRY_CONTACT, country_code="GT", is_active_account=True, session_version=1),
}
# Who sees the exact point of a hidden Mexican site: written out, not derived.
SEES_HIDDEN_MX = {"consular", "ts", "contact MX"}
SEES_HIDDEN_GT = {"consular", "ts", "contact GT"}
VIEWER_KEYS = {
    "public": "public",
    "consular": "all",
    "ts": "all",
    "contact MX": "country:MX",
    "contact GT": "country:GT",
}

EXACT, PUBLIC = (-92.2617, 14.9039), (-92.4, 16.5)


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The application on an empty database: the rules read no table."""
    return make_app(f"sqlite:///{tmp_path_factory.mktemp('bare') / 'empty.sqlite3'}")


def entry(country: str, hidden: bool) -> tuple[Organisation, Location]:
    site = Location(lon=EXACT[0], lat=EXACT[1], public_lon=PUBLIC[0], public_lat=PUBLIC[1])
    return Organisation(country_code=country, hide_exact_location=hidden), site


@pytest.mark.parametrize("reader", READERS)
def test_each_reader_sees_a_hidden_site_exactly_only_when_allowed(bare_app, reader):
    with acting_as(bare_app, READERS[reader]):
        for country, allowed in (("MX", SEES_HIDDEN_MX), ("GT", SEES_HIDDEN_GT)):
            hidden, site = entry(country, hidden=True)
            shown = access.site_position(site, hidden)
            if reader in allowed:
                assert access.sees_exact_location(hidden)
                assert shown == (*EXACT, True)
            else:
                assert not access.sees_exact_location(hidden)
                assert shown == (*PUBLIC, False)
            visible, site = entry(country, hidden=False)
            assert access.sees_exact_location(visible)  # not hidden: everyone sees the exact point
            assert access.site_position(site, visible) == (*EXACT, True)


@pytest.mark.parametrize("reader", READERS)
def test_the_rule_for_many_sites_answers_as_the_rule_for_one(bare_app, reader):
    """Map layers, the HSDS API and exports judge thousands of sites with exact_location_rule():
    the same answer as sees_exact_location for every (hidden, country)."""
    with acting_as(bare_app, READERS[reader]):
        rule = access.exact_location_rule()
        for country in ("MX", "GT", "HN"):
            for hidden in (False, True):
                organisation, _ = entry(country, hidden)
                assert rule(hidden, country) is access.sees_exact_location(organisation), (country, hidden)


@pytest.mark.parametrize("reader", READERS)
def test_layers_are_cached_per_kind_of_reader(bare_app, reader):
    """viewer_key keys the cached map layers and OGC pages: two readers share one answer only when they
    see the same positions (a contact's layer with their own exact points never reaches the public)."""
    with acting_as(bare_app, READERS[reader]):
        assert access.viewer_key() == VIEWER_KEYS[reader]
        assert access.signed_in_role() == (None if reader == "public" else READERS[reader].role)
        assert access.sees_all_exact_locations() is (reader in ("consular", "ts"))
