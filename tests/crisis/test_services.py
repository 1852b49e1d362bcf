"""Saving, changing, archiving and listing crises: who may, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from directory_app.accounts.models import User
from directory_app.accounts.permissions import PermissionDenied
from directory_app.crisis.areas import area_from_circle, area_from_units
from directory_app.crisis.models import AreaSource, Crisis, CrisisKind
from directory_app.crisis.services import (
    archive_crisis,
    get_crisis,
    list_crises,
    restore_crisis,
    save_crisis,
    update_crisis,
)
from directory_app.errors import ValidationError
from directory_app.extensions import db
from tests.conftest import TEST_USERS
from tests.crisis.helpers import TAPACHULA


def _user(key: str) -> User:
    return db.session.query(User).filter_by(email=TEST_USERS[key].email).one()


def _save(user, **overrides) -> Crisis:
    fields = {
        "name": "Huracán Prueba",
        "kind": "hurricane",
        "starts_on": date(2026, 10, 1),
        "area": area_from_circle(*TAPACHULA, 40),
    }
    return save_crisis(user, **{**fields, **overrides})


def test_consular_users_save_and_the_ts_archives(fresh_ctx):
    consular, ts = _user("consular"), _user("ts_admin")
    crisis = _save(consular, notes="  Albergues llenos  ", area_source="circle", area_description="40 km, Tapachula")
    assert crisis.id and len(crisis.id) == 36 and crisis.created_by_id == consular.id
    assert crisis.kind == CrisisKind.HURRICANE and crisis.notes == "Albergues llenos"
    assert crisis.area_source == AreaSource.CIRCLE and 4_900 < crisis.area_km2 < 5_100
    assert crisis.geometry.equals(area_from_circle(*TAPACHULA, 40)) and crisis.min_lon < TAPACHULA[0] < crisis.max_lon
    db.session.commit()
    assert [c.id for c in list_crises(ts)] == [crisis.id]

    update_crisis(consular, crisis, name="Huracán Erick", ends_on=date(2026, 10, 9), area=area_from_units(["MX-CHP"]),
                  area_source="units", area_description="MX-CHP")  # fmt: skip
    assert crisis.name == "Huracán Erick" and crisis.area_source == AreaSource.UNITS and crisis.area_km2 > 70_000

    with pytest.raises(PermissionDenied):
        archive_crisis(consular, crisis)
    archive_crisis(ts, crisis)
    assert crisis.is_archived and list_crises(consular) == [] and list_crises(ts, archived=True) == [crisis]
    assert get_crisis(consular, crisis.id) is crisis  # its URL still answers
    with pytest.raises(PermissionDenied):
        update_crisis(consular, crisis, name="Otra")
    restore_crisis(ts, crisis)
    assert not crisis.is_archived


def test_others_may_not_see_or_save_crises(fresh_ctx):
    crisis = _save(_user("ts_admin"))
    for user in (None, _user("country_contact:MX")):
        for call, args in ((_save, ()), (list_crises, ()), (get_crisis, (crisis.id,))):
            with pytest.raises(PermissionDenied):
                call(user, *args)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "tsunami"}, "kind"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": date(2026, 9, 1)}, "ends_on"),
        ({"notes": "x" * 5001}, "notes"),
        ({"area": None}, "area"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_saved(fresh_ctx, overrides, field):
    before = db.session.query(Crisis).count()
    with pytest.raises(ValidationError) as refused:
        _save(_user("consular"), **overrides)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(Crisis).count() == before
