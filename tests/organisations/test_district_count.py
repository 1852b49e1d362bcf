"""district_count (migration 0006) holds, per district and status, how many organisations serve the
district; organisations_serving reports it as its total. Every way of writing district coverage must
keep it equal to counting district_coverage, on both backends."""

import threading

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.coverage import recompute_coverage, refresh_district_coverage
from directory_app.organisations.models import DistrictCount, DistrictCoverage, Organisation, Status
from directory_app.organisations.queries import organisations_serving
from directory_app.organisations.services import create_organisation
from tests.conftest import make_app


def counted() -> dict[tuple[int, str], int]:
    rows = db.session.execute(
        select(DistrictCoverage.district_id, DistrictCoverage.status, func.count()).group_by(
            DistrictCoverage.district_id, DistrictCoverage.status
        )
    )
    return {(d, Status(s).value): n for d, s, n in rows}


def stored() -> dict[tuple[int, str], int]:
    rows = db.session.execute(select(DistrictCount.district_id, DistrictCount.status, DistrictCount.n))
    found = {(d, Status(s).value): n for d, s, n in rows}
    assert all(n >= 0 for n in found.values()), "a count went below zero"
    return {key: n for key, n in found.items() if n}  # a count that fell to 0 may stay as a row


def assert_exact() -> None:
    db.session.flush()
    expected = counted()
    assert expected, "the world has district coverage"
    assert stored() == expected


def biggest_district() -> int:
    return db.session.scalar(
        select(DistrictCoverage.district_id)
        .group_by(DistrictCoverage.district_id)
        .order_by(func.count().desc())
        .limit(1)
    )


@pytest.mark.usefixtures("ctx")
def test_the_world_starts_exact():
    assert_exact()


def test_every_writer_keeps_the_counts_exact(fresh_ctx):
    district = biggest_district()
    before = organisations_serving(district, limit=1)[1]
    org = create_organisation(
        {
            "name": "Count test shelter",
            "kind": "shelter",
            "country_code": "MX",
            "status": "published",
            "locations": [{"name": "Site", "lon": -99.13, "lat": 19.43}],
            "coverage": [{"kind": "country", "country": "MX"}, {"kind": "country", "country": "US"}],
        }
    )
    assert_exact()
    served = set(
        db.session.scalars(select(DistrictCoverage.district_id).where(DistrictCoverage.organisation_id == org.id))
    )
    assert len(served) > 10
    if district in served:
        assert organisations_serving(district, limit=1)[1] == before + 1

    org.status = Status.ARCHIVED  # the status-copy hook (an UPDATE of district_coverage)
    assert_exact()

    some = db.session.scalars(select(Organisation.id).order_by(Organisation.id).limit(30)).all()
    recompute_coverage(some)  # a batch: old rows deleted, new ones inserted
    assert_exact()

    refresh_district_coverage([district, *sorted(served)[:3]])
    assert_exact()

    db.session.execute(delete(Organisation).where(Organisation.id.in_(some[:5])))  # ON DELETE CASCADE
    assert_exact()

    db.session.execute(delete(ConsularDistrict).where(ConsularDistrict.id == district))  # cascade from the district
    assert_exact()
    assert db.session.scalar(select(func.count()).where(DistrictCount.district_id == district)) == 0

    recompute_coverage()  # the full rebuild (TRUNCATE on PostgreSQL)
    assert_exact()


def test_totals_match_the_listing_for_every_district(fresh_ctx):
    db.session.execute(  # a mix of statuses, so that the totals of several statuses are sums
        sa.update(Organisation).where(Organisation.id % 7 == 0).values(status=Status.DRAFT)
    )
    # (a bulk UPDATE bypasses the status-copy hook, so district_coverage is brought in step by hand)
    db.session.execute(
        sa.update(DistrictCoverage).where(DistrictCoverage.organisation_id % 7 == 0).values(status=Status.DRAFT)
    )
    assert_exact()
    for district_id in db.session.scalars(select(ConsularDistrict.id)):
        for statuses in ((Status.PUBLISHED,), (Status.PUBLISHED, Status.DRAFT)):
            rows, total = organisations_serving(district_id, limit=100_000, statuses=statuses)
            assert total == len(rows)


def test_the_migration_counts_existing_coverage(fresh_app):
    """Downgraded to 0005 and upgraded again, the counts are rebuilt from the coverage already there,
    and the triggers keep them from then on."""
    with fresh_app.app_context():
        downgrade(revision="0005_nearest_knn")
        assert "district_count" not in sa.inspect(db.engine).get_table_names()
        upgrade(revision="heads")
        assert_exact()
        recompute_coverage(db.session.scalars(select(Organisation.id).limit(10)).all())
        assert_exact()


def test_postgresql_coverage_writers_take_turns(worlds, postgres):
    """A transaction that writes district coverage holds the advisory lock of migration 0006 until it
    ends: a second writer waits for it at its first statement, before it has locked any count row, so
    writers never wait for each other's count rows in opposite orders (no deadlock), and both land."""
    url = postgres.create(template=sa.make_url(worlds("postgresql")).database)
    try:
        app = make_app(url)
        with app.app_context():
            district = biggest_district()
            first, second, third = db.session.scalars(
                select(DistrictCoverage.organisation_id)
                .where(DistrictCoverage.district_id == district)
                .order_by(DistrictCoverage.organisation_id)
                .limit(3)
            ).all()
            db.session.rollback()
        engine = sa.create_engine(url)
        errors = []

        def rewrite(connection, org_id):
            rows = (
                connection.execute(
                    delete(DistrictCoverage)
                    .where(DistrictCoverage.organisation_id == org_id)
                    .returning(*DistrictCoverage.__table__.c)
                )
                .mappings()
                .all()
            )
            assert rows, f"organisation {org_id} had its coverage"
            connection.execute(DistrictCoverage.__table__.insert(), [dict(r) for r in rows])

        def second_writer(connection):
            try:
                rewrite(connection, second)
                connection.commit()
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        with engine.connect() as one, engine.connect() as two:
            rewrite(one, first)  # holds the lock until it commits
            waiting = threading.Thread(target=second_writer, args=(two,))
            waiting.start()
            pid = two.connection.driver_connection.info.backend_pid
            with engine.connect() as watcher:
                for _ in range(200):
                    wait = watcher.execute(
                        sa.text("SELECT wait_event FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                    ).scalar()
                    watcher.rollback()
                    if wait == "advisory":
                        break
                    threading.Event().wait(0.05)
            assert wait == "advisory", "the second writer did not wait for the first"
            rewrite(one, third)  # the first writes on, untroubled by the waiting one
            one.commit()
            waiting.join(timeout=30)
        engine.dispose()
        assert not waiting.is_alive() and not errors
        with app.app_context():
            assert_exact()
    finally:
        postgres.drop(url)
