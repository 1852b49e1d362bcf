"""Writing organisations and what is derived from them: unit and district coverage, sites."""

import numpy as np
import pytest
from shapely.geometry import Point, box, mapping
from sqlalchemy import func, select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict
from directory_app.organisations.coverage import recompute_coverage
from directory_app.organisations.models import DistrictCoverage, Organisation, UnitCoverage
from directory_app.organisations.queries import nearest_organisations, organisations_covering, organisations_serving
from directory_app.organisations.services import create_organisation, replace_coverage
from geo.coverage import circle
from geo.nearest import geodesic_km
from geo.projection import area_km2

pytestmark = pytest.mark.usefixtures("fresh_ctx")

TAPACHULA = (-92.2633, 14.9056)
LOS_ANGELES = (-118.2437, 34.0522)


def organisation(**overrides) -> dict:
    data = {
        "name": "Casa de prueba",
        "kind": "shelter",
        "country_code": "MX",
        "status": "published",
        "locations": [{"name": "Sede", "lon": TAPACHULA[0], "lat": TAPACHULA[1]}],
        "services": [{"category": "shelter", "populations": ["women"], "languages": ["es", "mam"]}],
        "coverage": [],
    }
    data.update(overrides)
    return data


def district(code: str) -> ConsularDistrict:
    return db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))


def unit(code: str) -> AdminUnit:
    return db.session.scalar(select(AdminUnit).where(AdminUnit.code == code))


def shares(org: Organisation) -> dict[str, float]:
    rows = db.session.execute(
        select(ConsularDistrict.code, DistrictCoverage.share)
        .join(ConsularDistrict, ConsularDistrict.id == DistrictCoverage.district_id)
        .where(DistrictCoverage.organisation_id == org.id)
    ).all()
    return dict(rows)


def test_admin_unit_coverage_serves_every_district_holding_it():
    org = create_organisation(
        organisation(
            country_code="US",
            locations=[{"lon": LOS_ANGELES[0], "lat": LOS_ANGELES[1]}],
            coverage=[{"kind": "admin_unit", "unit": "US-06037"}],
        )
    )
    la = district("MX-US-LOS-ANGELES")
    found = shares(org)
    assert found["MX-US-LOS-ANGELES"] == pytest.approx(unit("US-06037").area_km2 / la.area_km2)
    # Los Angeles County also lies in a district of each Central American sending country.
    assert {code.split("-")[0] for code in found} >= {"MX", "GT", "SV", "HN"}
    rows, total = organisations_serving(la.id, limit=1000)
    assert org.id in {r.organisation.id for r in rows}
    assert total == len(rows)


def test_a_state_stands_for_its_counties():
    org = create_organisation(
        organisation(
            country_code="US",
            locations=[{"lon": LOS_ANGELES[0], "lat": LOS_ANGELES[1]}],
            coverage=[{"kind": "admin_unit", "unit": "US-CA"}],
        )
    )
    counties = db.session.scalar(
        select(func.count()).select_from(AdminUnit).where(AdminUnit.parent_id == unit("US-CA").id)
    )
    covered = db.session.scalars(select(UnitCoverage).where(UnitCoverage.organisation_id == org.id)).all()
    assert len(covered) == counties == 58
    assert all(c.is_full for c in covered)
    assert shares(org)["MX-US-LOS-ANGELES"] == pytest.approx(1.0)
    assert org.coverage_area_km2 == pytest.approx(unit("US-CA").area_km2, rel=1e-6)


def test_radius_coverage_share_is_measured_in_equal_area():
    org = create_organisation(organisation(coverage=[{"kind": "radius", "location": 0, "radius_km": 30}]))
    disc = circle(*TAPACHULA, 30)
    chiapas = unit("MX-CHP")
    expected_overlap = float(area_km2(disc.intersection(chiapas.geometry)))
    row = db.session.get(UnitCoverage, (org.id, chiapas.id))
    assert not row.is_full
    # Intersecting in the projected plane or in degrees differs only by the curvature of edges.
    assert row.overlap_km2 == pytest.approx(expected_overlap, rel=1e-5)
    gt_tapachula = district("GT-MX-TAPACHULA")
    assert shares(org)["GT-MX-TAPACHULA"] == pytest.approx(expected_overlap / gt_tapachula.area_km2, rel=1e-5)
    # The disc crosses the Suchiate into Guatemala; the part over the sea counts nowhere.
    assert org.coverage_area_km2 < float(area_km2(disc))


def test_polygon_across_two_districts_gets_a_share_of_each():
    # A box across the boundary between the San Diego and Imperial counties of California.
    polygon = box(-116.2, 32.7, -115.9, 33.0)
    org = create_organisation(
        organisation(
            country_code="US",
            locations=[{"lon": -116.0, "lat": 32.85}],
            coverage=[{"kind": "polygon", "geometry": mapping(polygon)}],
        )
    )
    found = shares(org)
    for code in ("MX-US-SAN-DIEGO", "MX-US-CALEXICO"):
        d = district(code)
        expected = float(area_km2(polygon.intersection(d.geometry))) / d.area_km2
        assert expected > 0
        assert found[code] == pytest.approx(expected, rel=1e-5)


def test_whole_country_coverage():
    org = create_organisation(organisation(country_code="GT", coverage=[{"kind": "country", "country": "GT"}]))
    leaves = db.session.scalar(select(func.count()).select_from(AdminUnit).where(AdminUnit.country_code == "GT"))
    assert (
        db.session.scalar(select(func.count()).select_from(UnitCoverage).where(UnitCoverage.organisation_id == org.id))
        == leaves
    )


def test_who_covers_a_point():
    org = create_organisation(
        organisation(name="Radio 10 km", coverage=[{"kind": "radius", "location": 0, "radius_km": 10}])
    )
    inside = organisations_covering(TAPACHULA[0] + 0.05, TAPACHULA[1])
    outside = organisations_covering(TAPACHULA[0] + 0.3, TAPACHULA[1] + 0.3)  # still Chiapas, 45 km away
    assert org in inside
    assert org not in outside


def test_hidden_site_is_public_only_at_its_unit_label_point():
    org = create_organisation(organisation(hide_exact_location=True))
    site = org.locations[0]
    chiapas = unit("MX-CHP")
    assert (site.lon, site.lat) == TAPACHULA
    assert (site.public_lon, site.public_lat) == (chiapas.label_lon, chiapas.label_lat)
    assert Point(site.public_lon, site.public_lat).distance(Point(*TAPACHULA)) > 0.5


def test_hidden_site_outside_every_unit_is_public_only_rounded_to_a_tenth_of_a_degree(fresh_ctx):
    """A site at sea (a boat, a site typed a little off the coast) lies in no admin unit: the public sees
    its position rounded to 0.1° (about 10 km), never the exact one, on the page's map and in the API."""
    at_sea = (-93.0712, 13.8123)  # the Pacific, 120 km off Chiapas
    data = organisation(hide_exact_location=True, locations=[{"name": "Barco", "lon": at_sea[0], "lat": at_sea[1]}])
    org = create_organisation(data)
    db.session.commit()
    site = org.locations[0]
    assert site.admin_unit_id is None and (site.lon, site.lat) == at_sea
    assert (site.public_lon, site.public_lat) == (-93.1, 13.8)
    served = fresh_ctx.test_client().get(f"/api/v1/organisations/{org.uuid}").get_data(as_text=True)
    assert "-93.1" in served and "-93.07" not in served and "13.81" not in served


def test_visible_site_is_public_as_it_is():
    org = create_organisation(organisation())
    site = org.locations[0]
    assert (site.public_lon, site.public_lat) == TAPACHULA
    assert site.admin_unit.code == "MX-CHP"


def test_nearest_is_exact_where_the_ellipsoid_reorders_the_sphere():
    """The nearest search reads sites in great-circle order, a limited number at a time (10 x k), and
    stops only when no unread site can be nearer on the ellipsoid: geodesic distances run up to 0.56 %
    shorter than great-circle ones (north-south near the equator) and a little longer east-west. Here ten
    organisations due east of the point fill the first read, and the truly nearest one, due north,
    comes eleventh in great-circle order: without the margin the search would stop at the first read."""
    degrees_per_km = 180 / (np.pi * 6371.0088)  # on the mean sphere
    east = [
        create_organisation(
            organisation(
                name=f"East {i}", locations=[{"name": "Sede", "lon": (99.0 + 0.05 * i) * degrees_per_km, "lat": 0.0}]
            )
        )
        for i in range(10)
    ]
    north = create_organisation(
        organisation(name="North", locations=[{"name": "Sede", "lon": 0.0, "lat": 99.6 * degrees_per_km}])
    )
    db.session.flush()
    distance = {
        org: float(geodesic_km(0.0, 0.0, [org.locations[0].lon], [org.locations[0].lat])[0]) for org in [*east, north]
    }
    assert distance[north] < min(distance[org] for org in east)  # the set-up: north is the nearest on the ellipsoid
    [nearest] = nearest_organisations(0.0, 0.0, k=1)
    assert nearest.organisation_id == north.id


def test_replacing_coverage_recomputes_districts():
    org = create_organisation(organisation(coverage=[{"kind": "admin_unit", "unit": "MX-CHP"}]))
    assert "GT-MX-TAPACHULA" in shares(org)
    replace_coverage(org, [{"kind": "admin_unit", "unit": "MX-BCN"}])
    found = shares(org)
    assert "GT-MX-TAPACHULA" not in found
    assert any(code.endswith("TIJUANA") for code in found)


def test_incremental_and_full_rebuild_agree():
    create_organisation(organisation(coverage=[{"kind": "radius", "location": 0, "radius_km": 80}]))
    query = select(DistrictCoverage.district_id, DistrictCoverage.organisation_id, DistrictCoverage.share).order_by(
        DistrictCoverage.district_id, DistrictCoverage.organisation_id
    )
    before = db.session.execute(query).all()
    recompute_coverage()
    after = db.session.execute(query).all()
    assert [(d, o) for d, o, _ in before] == [(d, o) for d, o, _ in after]
    assert np.allclose([s for *_, s in before], [s for *_, s in after], rtol=1e-9)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": ""}, "name", "required"),
        ({"kind": "bank"}, "kind", "unknown kind"),
        ({"country_code": "FR"}, "country_code", "not a member country"),
        ({"website": "javascript:alert(1)"}, "website", "http"),
        ({"email": "nobody"}, "email", "not an email"),
        ({"locations": [{"lon": 200, "lat": 10}]}, "locations[0].lon/lat", "longitude 200"),
        ({"locations": [{"lon": -92, "lat": 15, "country_code": "ES"}]}, "locations[0].country_code", "not a member"),
        ({"services": [{"category": "banking"}]}, "services[0].category", "unknown service category"),
        ({"services": [{"category": "food", "languages": ["xx"]}]}, "services[0].languages", "ISO 639"),
        (
            {"services": [{"category": "food", "populations": ["aliens"]}]},
            "services[0].populations",
            "unknown population",
        ),
        ({"coverage": [{"kind": "admin_unit", "unit": "MX-XXX"}]}, "coverage[0].unit", "unknown admin unit"),
        ({"coverage": [{"kind": "radius", "location": 3, "radius_km": 5}]}, "coverage[0].location", "sites"),
        ({"coverage": [{"kind": "radius", "location": 0, "radius_km": "far"}]}, "coverage[0].radius_km", "number"),
        (
            {"coverage": [{"kind": "polygon", "geometry": {"type": "Point", "coordinates": [0, 0]}}]},
            "coverage[0].geometry",
            "polygon",
        ),
        ({"coverage": [{"kind": "planet"}]}, "coverage[0].kind", "unknown coverage kind"),
        ({"last_verified": "yesterday"}, "last_verified", "not a date"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(change, field, message):
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    with pytest.raises(ValidationError, match=message) as raised:
        create_organisation(organisation(**change))
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_self_crossing_polygon_is_repaired_and_says_so():
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[-92.4, 14.8], [-92.2, 15.0], [-92.2, 14.8], [-92.4, 15.0], [-92.4, 14.8]]],
    }
    org = create_organisation(organisation(coverage=[{"kind": "polygon", "geometry": bow_tie}]))
    part = org.coverage_parts[0]
    assert part.geometry.is_valid
    assert "repaired" in part.label
    assert org.coverage_area_km2 > 0


def test_version_counter_starts_at_one_and_counts_edits():
    org = create_organisation(organisation())
    assert org.version == 1
    org.name = "Casa de prueba renombrada"
    db.session.flush()
    assert org.version == 2
    recompute_coverage([org.id])  # derived data does not count as an edit
    db.session.refresh(org)
    assert org.version == 2


def test_status_change_reaches_district_lookups():
    org = create_organisation(organisation(coverage=[{"kind": "admin_unit", "unit": "MX-CHP"}]))
    tapachula = district("GT-MX-TAPACHULA")
    serving = lambda: {r.organisation.id for r in organisations_serving(tapachula.id, limit=10_000)[0]}  # noqa: E731
    assert org.id in serving()
    org.status = "archived"
    db.session.flush()
    assert org.id not in serving()
    assert org.id in {r.organisation.id for r in organisations_serving(tapachula.id, statuses=("archived",))[0]}


def test_nearest_counts_an_organisation_once_however_many_sites_it_has():
    many = create_organisation(
        organisation(
            name="Muchas sedes",
            locations=[{"lon": -40.0 + i * 0.001, "lat": 10.0} for i in range(30)],
        )
    )
    single = create_organisation(organisation(name="Una sede", locations=[{"lon": -40.5, "lat": 10.0}]))
    found = nearest_organisations(-40.0, 10.0, k=2)
    assert [n.organisation_id for n in found] == [many.id, single.id]
    assert found[0].distance_km == pytest.approx(0.0, abs=1e-6)
    assert found[1].distance_km == pytest.approx(54.8, abs=0.5)
