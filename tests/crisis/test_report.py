"""The crisis report on the real boundaries, on SQLite and PostgreSQL, with organisations created
through the write path: districts and their consulates, organisations and the share of the area they
cover, services and gaps, hidden sites."""

from __future__ import annotations

import shapely
from sqlalchemy import select

from directory_app.crisis.areas import area_from_circle, area_from_units
from directory_app.crisis.report import build_report
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, district_unit
from directory_app.organisations.models import Location, Organisation, UnitCoverage
from directory_app.vocabulary import SERVICE_CATEGORIES
from geo.projection import area_km2
from tests.crisis.helpers import HIDDEN, TAPACHULA, add_tapachula_organisations

SAME_ON_BOTH: dict[str, object] = {}


def _expected_districts(area) -> set[str]:
    """Independently: every district with a leaf unit whose stored geometry overlaps the area (by area)."""
    rows = db.session.execute(
        select(ConsularDistrict.code, AdminUnit.geom_wkb)
        .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
        .join(AdminUnit, AdminUnit.id == district_unit.c.admin_unit_id)
    ).all()
    return {code for code, wkb in rows if area_km2(shapely.intersection(area, shapely.from_wkb(wkb))) > 0}


def test_a_circle_around_tapachula(fresh_ctx, backend):
    ids = add_tapachula_organisations()
    area = area_from_circle(*TAPACHULA, 50)
    report = build_report(area, exact=False)

    codes = [d.code for d in report.districts]
    assert {"GT-MX-TAPACHULA", "SV-MX-TAPACHULA", "HN-MX-TAPACHULA"} <= set(codes)
    assert set(codes) == _expected_districts(area)
    assert [d.sending_country for d in report.districts] == sorted(d.sending_country for d in report.districts)
    tapachula = next(d for d in report.districts if d.code == "GT-MX-TAPACHULA")
    assert tapachula.consulate_city == "Tapachula" and tapachula.sending_country == "GT"
    assert 0 < tapachula.district_share < 1 and 0 < tapachula.area_share <= 1

    by_id = {o.id: o for o in report.organisations}
    assert {ids["radius"], ids["state"]} <= set(by_id)
    assert not {ids["draft"], ids["archived"], ids["houston"]} & set(by_id)
    published = set(db.session.scalars(select(Organisation.uuid).where(Organisation.status == "published")))
    assert set(by_id) <= published
    # the Chiapas-wide one covers exactly the circle's part in Chiapas
    chiapas = shapely.from_wkb(db.session.scalar(select(AdminUnit.geom_wkb).where(AdminUnit.code == "MX-CHP")))
    in_chiapas = area_km2(shapely.intersection(area, chiapas)) / area_km2(area)
    assert abs(by_id[ids["state"]].area_share - in_chiapas) < 1e-6
    # the 30 km radius lies inside the 50 km circle: it covers its own land area there
    radius = by_id[ids["radius"]]
    stored_km2 = db.session.scalar(select(Organisation.coverage_area_km2).where(Organisation.uuid == ids["radius"]))
    assert abs(radius.overlap_km2 - stored_km2) < 1e-6 * stored_km2
    assert radius.services == ("food", "shelter")
    # its site is hidden: the public report judges "inside" from the public point (the unit's label point)
    assert (
        radius.site_inside == bool(shapely.intersects_xy(area, *radius.positions[0])) and HIDDEN not in radius.positions
    )
    assert {o.id: o for o in build_report(area, exact=True).organisations}[ids["radius"]].site_inside
    assert radius.emails == ("crisis-test@example.org",) and str(radius.last_verified) == "2026-11-01"
    names = [o.name.casefold() for o in report.organisations]
    shares = [round(o.area_share, 6) for o in report.organisations]
    assert shares == sorted(shares, reverse=True)
    assert len(names) == len(set(report.organisations))

    # every category once, in services (with its organisations) or in gaps (empty)
    assert [g.code for g in report.services + report.gaps] != []
    assert sorted(g.code for g in report.services + report.gaps) == sorted(t.code for t in SERVICE_CATEGORIES)
    shelter = next(g for g in report.services if g.code == "shelter")
    assert radius in shelter.organisations
    assert all(not g.organisations for g in report.gaps)
    for group in report.services:
        assert all(group.code in o.services for o in group.organisations)

    SAME_ON_BOTH.setdefault("tapachula", {})[backend] = (
        [(d.code, round(d.district_share, 6), round(d.area_share, 6)) for d in report.districts],
        sorted((o.name, round(o.area_share, 6), o.site_inside) for o in report.organisations),
        [g.code for g in report.gaps],
    )
    answers = list(SAME_ON_BOTH["tapachula"].values())
    assert all(a == answers[0] for a in answers)  # SQLite and PostgreSQL, once both have run


def test_hidden_sites_are_never_exact_for_the_public(fresh_ctx):
    ids = add_tapachula_organisations()
    area = area_from_circle(HIDDEN[0], HIDDEN[1], 2)  # a small circle around the hidden site
    public = {o.id: o for o in build_report(area, exact=False).organisations}[ids["radius"]]
    exact = {o.id: o for o in build_report(area, exact=True).organisations}[ids["radius"]]
    assert exact.positions == (HIDDEN,) and exact.site_inside
    site = db.session.execute(select(Location.public_lon, Location.public_lat).join(Organisation).where(
        Organisation.uuid == ids["radius"])).one()  # fmt: skip
    assert public.positions == ((site[0], site[1]),) and HIDDEN not in public.positions
    # "a site inside" is judged from the public point: a small area cannot find the hidden site
    assert public.site_inside == bool(shapely.intersects_xy(area, *site))


def test_a_chosen_state(ctx):
    area = area_from_units(["MX-OAX"])
    report = build_report(area, exact=False)
    oaxaca_districts = set(
        db.session.scalars(
            select(ConsularDistrict.code)
            .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
            .join(AdminUnit, AdminUnit.id == district_unit.c.admin_unit_id)
            .where(AdminUnit.code == "MX-OAX")
        )
    )
    assert oaxaca_districts and oaxaca_districts <= {d.code for d in report.districts}
    for district in report.districts:
        if district.code in oaxaca_districts:
            assert district.area_share > 0.999  # all of Oaxaca lies in it
        else:
            assert district.area_share < 0.001  # a neighbour touched along the border only
    coverage = db.session.execute(
        select(Organisation.uuid, UnitCoverage.is_full)
        .join(UnitCoverage, UnitCoverage.organisation_id == Organisation.id)
        .join(AdminUnit, AdminUnit.id == UnitCoverage.admin_unit_id)
        .where(AdminUnit.code == "MX-OAX", Organisation.status == "published")
    ).all()
    assert coverage  # the demo world has organisations in Oaxaca
    by_id = {o.id: o for o in report.organisations}
    assert {uuid for uuid, _ in coverage} <= set(by_id)
    for uuid, is_full in coverage:
        assert (by_id[uuid].area_share > 0.999) == is_full


def test_an_area_at_sea_meets_nothing(ctx):
    report = build_report(area_from_circle(-40, 30, 100), exact=False)  # the middle of the Atlantic
    assert report.districts == () and report.organisations == () and report.services == ()
    assert len(report.gaps) == len(SERVICE_CATEGORIES) and report.area_km2 > 30_000
