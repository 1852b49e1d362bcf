"""Consulates and default districts on the real data, on SQLite and PostgreSQL."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit
from directory_app.geography.units import districts_at, leaf_unit_at, units_at
from geo.projection import area_km2

pytestmark = pytest.mark.usefixtures("ctx")


def _district(code: str) -> ConsularDistrict:
    district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
    assert district is not None, code
    return district


def test_point_lookups_on_real_geography():
    assert leaf_unit_at(-92.2633, 14.9056).code == "MX-CHP"
    assert [u.code for u in units_at(-118.2437, 34.0522)] == ["US-06037", "US-CA"]
    assert leaf_unit_at(-40.0, 30.0) is None  # the middle of the Atlantic


def test_consulates_know_their_admin_unit():
    los_angeles = db.session.scalar(select(Consulate).where(Consulate.code == "MX-US-LOS-ANGELES"))
    assert los_angeles.admin_unit.code == "US-06037"
    assert [c.code for c in los_angeles.sending_countries] == ["MX"]
    # A consulate on the border river still gets a unit of its host country.
    for consulate in db.session.scalars(select(Consulate)):
        assert consulate.admin_unit is not None, consulate.code
        assert consulate.admin_unit.country_code == consulate.host_country_code, consulate.code


def test_a_consulate_has_a_district_per_sending_country_when_it_is_open_and_permanent():
    for consulate in db.session.scalars(select(Consulate)):
        codes = {d.sending_country_code for d in consulate.districts if d.is_approximate}
        expected = {c.code for c in consulate.sending_countries} if consulate.has_district else set()
        assert codes <= expected, consulate.code
    announced = db.session.scalar(select(Consulate).where(Consulate.code == "HN-US-PHOENIX"))
    assert announced.status == "announced" and not announced.districts


def test_every_leaf_unit_of_a_host_country_goes_to_exactly_one_consulate_per_sending_country():
    rows = db.session.execute(
        select(ConsularDistrict.sending_country_code, Consulate.host_country_code, district_unit.c.admin_unit_id)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
    ).all()
    counts = Counter(rows)
    assert max(counts.values()) == 1
    us_leaves = db.session.scalar(
        select(func.count()).select_from(AdminUnit).where(AdminUnit.country_code == "US", AdminUnit.is_leaf.is_(True))
    )
    for sending in ("MX", "GT", "SV", "HN"):
        covered = {u for s, h, u in rows if s == sending and h == "US"}
        assert len(covered) == us_leaves, sending
        leaf_flags = db.session.scalars(select(AdminUnit.is_leaf).where(AdminUnit.id.in_(covered))).all()
        assert all(leaf_flags)


def test_default_district_is_approximate_and_built_from_nearest_consulate():
    los_angeles = _district("MX-US-LOS-ANGELES")
    assert los_angeles.is_approximate
    assert "approximate" in los_angeles.source
    codes = {u.code for u in los_angeles.units}
    assert "US-06037" in codes  # Los Angeles County
    assert "US-06073" not in codes  # San Diego County goes to the San Diego consulate
    assert "US-06073" in {u.code for u in _district("MX-US-SAN-DIEGO").units}
    # Mexico's consulates in Canada share the Canadian provinces.
    quebec = leaf_unit_at(-73.5673, 45.5017)
    assert quebec.code in {u.code for u in _district("MX-CA-MONTREAL").units}


def test_district_geometry_is_the_union_of_its_units():
    district = _district("MX-US-HOUSTON")
    assert district.geometry.is_valid
    unit_area = sum(u.area_km2 for u in district.units)
    assert district.area_km2 == pytest.approx(unit_area)
    assert float(area_km2(district.geometry)) == pytest.approx(unit_area, rel=1e-6)


def test_districts_at_a_point_one_per_sending_country():
    districts = districts_at(-92.2633, 14.9056)  # Tapachula
    by_country = Counter(d.sending_country_code for d in districts)
    assert set(by_country) >= {"GT", "SV", "HN"}
    assert max(by_country.values()) == 1
    assert "GT-MX-TAPACHULA" in {d.code for d in districts}
