"""The read side on the demo world: answers checked against brute force, and identical on
SQLite and PostgreSQL."""

import random

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import DistrictCoverage, Location, Organisation, Service, Status
from directory_app.organisations.queries import nearest_organisations, organisations_covering, organisations_serving
from geo.nearest import geodesic_km
from tests.conftest import make_app

POINTS = [
    (-92.2633, 14.9056),
    (-117.0382, 32.5149),
    (-118.2437, 34.0522),
    (-90.5069, 14.6349),
    (-74.0060, 40.7128),
    (-99.1332, 19.4326),
    (-79.3832, 43.6532),
    (-106.4850, 31.7619),
]


def brute_force_nearest(lon, lat, k, category=None, exact=False):
    query = (
        select(Location.organisation_id, Location.lon, Location.lat, Location.public_lon, Location.public_lat)
        .join(Organisation)
        .where(Organisation.status == Status.PUBLISHED)
    )
    if category:
        query = query.where(Organisation.services.any(Service.category_code == category))
    best = {}
    for org_id, x, y, px, py in db.session.execute(query):
        km = geodesic_km(lon, lat, [x if exact else px], [y if exact else py])[0]
        best[org_id] = min(best.get(org_id, km), km)
    return sorted(best.items(), key=lambda item: (item[1], item[0]))[:k]


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("lon, lat", POINTS)
@pytest.mark.parametrize(
    "k, category, exact",
    [(10, None, False), (10, "legal_assistance", False), (10, None, True), (1, None, False), (3, None, True)],
)
def test_nearest_matches_brute_force(lon, lat, k, category, exact):
    # k=1 and k=3 make the database's row limit (8 k) cut dense clusters: the answer must stay exact.
    found = nearest_organisations(lon, lat, k=k, category=category, exact=exact)
    expected = brute_force_nearest(lon, lat, k, category, exact)
    assert [n.organisation_id for n in found] == [org_id for org_id, _ in expected]
    assert [round(n.distance_km, 6) for n in found] == [round(km, 6) for _, km in expected]


@pytest.mark.usefixtures("ctx")
def test_serving_is_ordered_by_share_and_paged():
    district_id = db.session.scalar(
        select(DistrictCoverage.district_id)
        .group_by(DistrictCoverage.district_id)
        .order_by(db.func.count().desc())
        .limit(1)
    )
    everything, total = organisations_serving(district_id, limit=10_000)
    assert total == len(everything) > 5
    assert all(r.organisation.status == Status.PUBLISHED for r in everything)
    shares = [r.share for r in everything]
    assert shares == sorted(shares, reverse=True)
    assert all(0 < s <= 1 for s in shares)
    beyond, beyond_total = organisations_serving(district_id, limit=3, offset=total + 10)
    assert beyond == [] and beyond_total == total
    page2, _ = organisations_serving(district_id, limit=3, offset=3)
    assert [r.organisation.id for r in page2] == [r.organisation.id for r in everything[3:6]]


@pytest.mark.usefixtures("ctx")
def test_serving_filtered_by_service():
    district_id = db.session.scalar(select(DistrictCoverage.district_id).limit(1))
    legal, total = organisations_serving(district_id, "legal_assistance", limit=10_000)
    assert total == len(legal)
    for row in legal:
        assert "legal_assistance" in {s.category_code for s in row.organisation.services}


def _answers(url: str) -> dict:
    """A set of query answers that must not depend on the database backend."""
    rng = random.Random(11)
    with make_app(url).app_context():
        districts = db.session.scalars(select(ConsularDistrict.id).order_by(ConsularDistrict.code)).all()
        answers = {}
        for district_id in rng.sample(districts, 25):
            rows, total = organisations_serving(district_id, limit=20)
            answers[("serving", district_id)] = (total, [(r.organisation.external_id, round(r.share, 9)) for r in rows])
        for lon, lat in POINTS:
            answers[("nearest", lon, lat)] = [
                (n.organisation_id, round(n.distance_km, 6)) for n in nearest_organisations(lon, lat, 10)
            ]
            answers[("covering", lon, lat)] = [o.external_id for o in organisations_covering(lon, lat)]
        return answers


def test_identical_answers_on_sqlite_and_postgresql(worlds):
    sqlite_answers = _answers(worlds("sqlite"))
    postgres_answers = _answers(worlds("postgresql"))
    assert sqlite_answers == postgres_answers
    assert any(answer for key, answer in sqlite_answers.items() if key[0] == "covering")


FAR_POINTS = [(-155.5, 19.6), (-30.0, 0.0), (-60.0, 75.0), (150.0, -40.0)]  # Hawaii, the Atlantic, Greenland, far away


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("lon, lat", FAR_POINTS)
def test_nearest_far_from_every_organisation_matches_brute_force(lon, lat):
    found = nearest_organisations(lon, lat, k=10, category="shelter")
    expected = brute_force_nearest(lon, lat, 10, "shelter")
    assert [(n.organisation_id, round(n.distance_km, 6)) for n in found] == [
        (org_id, round(km, 6)) for org_id, km in expected
    ]


def test_postgresql_answers_from_its_knn_index_as_the_grid_boxes_do(worlds, monkeypatch):
    """On PostgreSQL the nearest sites come from the GiST index (migration 0005); the grid-box search
    that SQLite uses gives the same answers there."""
    from directory_app.organisations import queries

    with make_app(worlds("postgresql")).app_context():
        assert queries.knn_index_available()
        plan = "\n".join(
            db.session.execute(
                sa.text("EXPLAIN " + str(queries._knn_query(False))), {"x": 0.1, "y": -0.9, "z": 0.3, "limit": 50}
            ).scalars()
        )
        assert "ix_location_public_knn" in plan
        searches = ((10, None), (3, "food"))
        cases = [(lon, lat, k, category) for lon, lat in POINTS + FAR_POINTS for k, category in searches]
        by_index = [nearest_organisations(lon, lat, k=k, category=category) for lon, lat, k, category in cases]
        monkeypatch.setattr(queries, "knn_index_available", lambda: False)
        by_boxes = [nearest_organisations(lon, lat, k=k, category=category) for lon, lat, k, category in cases]
    assert by_index == by_boxes
    assert all(len(answer) == k for answer, (_, _, k, _) in zip(by_index, cases, strict=True))
