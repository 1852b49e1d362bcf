"""Crisis report benchmark (issue 19 item 4): build_report for a Mexican state and for the whole Gulf
coast, on a demo directory, beside the naive geopandas overlay of every published coverage.

    .venv/bin/python benchmarks/crisis_report.py --backend sqlite --count 10000 [--build] [--snapshot HEAD]

The directory is build/bench/crisis-<backend>-<count>/ (SQLite) or the PostgreSQL database
cammina_crisis_bench, built with `flask setup` and `flask demo --count N` (--build). Timed: one
build_report(area, exact=False) per call inside a request context, the session removed between calls
(as at the end of a request), five untimed warm-up calls first. Areas: each of the 32 Mexican states
(its stored geometry, crisis.areas.area_from_units), drawn at random with a fixed seed; and a band of
about 150 km on both sides of the Gulf of Mexico's coast, from Yucatán to the Florida Keys.
Naive (per query): read every published organisation's coverage (drawn parts, admin units, countries)
and every district into GeoDataFrames, sjoin with the area, intersection areas in EPSG:6933. The
answers are compared: the same organisations and districts, and the largest difference of a share.
Results: build/bench/crisis-<backend>-<count>/results.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import build  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cammina_crisis_bench"
GULF = [(-97.2, 21.5), (-97.4, 25.9), (-97.0, 27.8), (-94.5, 29.4), (-90.5, 29.0), (-89.0, 30.2), (-86.0, 30.3),
        (-84.0, 29.8), (-82.8, 27.8), (-81.8, 26.0), (-81.0, 25.0), (-86.8, 21.5), (-90.3, 21.2), (-91.8, 18.7),
        (-94.5, 18.2), (-96.2, 19.3), (-97.2, 21.5)]  # fmt: skip
"""The Gulf of Mexico's shore, roughly: the band is this outline buffered by 1.4° outwards and 1.4° inwards."""
TINY = 1e-6


def gulf_coast() -> shapely.Geometry:
    gulf = shapely.Polygon(GULF)
    return shapely.make_valid(gulf.buffer(1.4).difference(gulf.buffer(-1.4)))


def setup(backend: str, count: int, rebuild: bool, snapshot: str | None):
    directory = build.BENCH_DIR / f"crisis-{backend}-{count}"
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / 'directory.sqlite3'}" if backend == "sqlite" else PG_URL
    source, _rev = build.prepare_source(snapshot)
    if rebuild:
        if backend == "postgresql":
            build._recreate_postgres_database(url)
        env = dict(os.environ, FLASK_APP="directory_app", INSTANCE_DIR=str(directory), DATABASE_URL=url,
                   PYTHONPATH=str(source))  # fmt: skip
        log = directory / "build.log"
        build._flask(["setup"], env, log, source)
        build._flask(["demo", "--count", str(count)], env, log, source)
    sys.path.insert(0, str(source))
    os.environ["INSTANCE_DIR"] = str(directory)
    from directory_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url}), directory


def timed(app, areas: list, runs: int, rng: random.Random) -> tuple[list[float], list[float], object]:
    """Wall times and CPU times of this process (the app's own work; PostgreSQL's is not in it)."""
    from directory_app.crisis.report import build_report
    from directory_app.extensions import db

    times, cpu, last = [], [], None
    for i in range(runs + 5):
        area = areas[rng.randrange(len(areas))]
        with app.test_request_context("/"):
            start, start_cpu = time.perf_counter(), time.process_time()
            last = build_report(area, exact=False)
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            db.session.remove()
        if i >= 5:
            times.append(elapsed)
            cpu.append(elapsed_cpu)
    return times, cpu, last


def naive(session, area) -> tuple[dict[int, float], set[int], float]:
    """Organisations (id -> share of the area) and districts (ids) met by the area, the naive way."""
    from benchmarks.naive import EQUAL_AREA, district_frame, published_coverages_frame

    start = time.perf_counter()
    coverages = published_coverages_frame(session)
    districts = district_frame(session)
    frame = gpd.GeoDataFrame(geometry=[area], crs=4326)
    area_ea = frame.to_crs(EQUAL_AREA).geometry.iloc[0]
    total = area_ea.area
    hits = gpd.sjoin(coverages, frame, predicate="intersects", how="inner")
    overlap = shapely.area(shapely.intersection(hits.to_crs(EQUAL_AREA).geometry.values, area_ea))
    shares = {int(i): float(o / total) for i, o in zip(hits["id"], overlap) if o / total >= TINY}
    met = gpd.sjoin(districts, frame, predicate="intersects", how="inner")
    inside = shapely.area(shapely.intersection(met.to_crs(EQUAL_AREA).geometry.values, area_ea))
    district_ids = {int(d) for d, a in zip(met["district_id"], inside) if a / total >= TINY}
    return shares, district_ids, time.perf_counter() - start


def compare(app, area) -> dict:
    """The fast and the naive answers for one area; times of the naive run."""
    from sqlalchemy import select

    from directory_app.crisis.report import build_report
    from directory_app.extensions import db
    from directory_app.geography.models import ConsularDistrict
    from directory_app.organisations.models import Organisation

    with app.test_request_context("/"):
        report = build_report(area, exact=False)
        shares, district_ids, seconds = naive(db.session, area)
        uuid_of = dict(db.session.execute(select(Organisation.id, Organisation.uuid)).all())
        code_of = dict(db.session.execute(select(ConsularDistrict.id, ConsularDistrict.code)).all())
        db.session.remove()
    fast = {o.id: o.area_share for o in report.organisations if o.area_share >= TINY}
    slow = {uuid_of[i]: s for i, s in shares.items()}
    both = set(fast) & set(slow)
    return {
        "naive_s": seconds,
        "organisations_fast": len(fast),
        "organisations_naive": len(slow),
        "only_fast": len(set(fast) - set(slow)),
        "only_naive": len(set(slow) - set(fast)),
        "max_share_difference": max((abs(fast[i] - slow[i]) for i in both), default=0.0),
        "districts_fast": len({d.code for d in report.districts if d.area_share >= TINY}),
        "districts_naive": len({code_of[d] for d in district_ids}),
        "districts_same": {d.code for d in report.districts if d.area_share >= TINY}
        == {code_of[d] for d in district_ids},
    }


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "runs": len(times),
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[max(0, int(np.ceil(0.95 * len(ordered))) - 1)] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--build", action="store_true", help="build the directory first (flask setup, flask demo)")
    parser.add_argument("--snapshot", metavar="REV", default=None, help="commit to measure (default: working tree)")
    parser.add_argument("--queries", type=int, default=60, help="timed state reports")
    parser.add_argument("--gulf-queries", type=int, default=20, help="timed Gulf coast reports")
    parser.add_argument("--naive-queries", type=int, default=3, help="naive runs (states; the Gulf coast once)")
    args = parser.parse_args(argv)
    app, directory = setup(args.backend, args.count, args.build, args.snapshot)
    from sqlalchemy import func, select

    from directory_app.crisis.areas import area_from_units
    from directory_app.extensions import db
    from directory_app.geography.models import AdminUnit
    from directory_app.organisations.models import Organisation

    with app.app_context():
        codes = db.session.scalars(
            select(AdminUnit.code).where(AdminUnit.country_code == "MX", AdminUnit.level == 1).order_by(AdminUnit.code)
        ).all()
        states = [area_from_units([code]) for code in codes]
        published = db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.status == "published")
        )
    coast = gulf_coast()
    rng = random.Random(19)
    load_before = os.getloadavg()[0]
    state_times, state_cpu, _ = timed(app, states, args.queries, rng)
    gulf_times, gulf_cpu, gulf_report = timed(app, [coast], args.gulf_queries, rng)
    picks = random.Random(7).sample(range(len(states)), args.naive_queries)
    checks = {"states": [dict(compare(app, states[i]), state=codes[i]) for i in picks], "gulf": compare(app, coast)}
    result = {
        "backend": args.backend,
        "count": args.count,
        "published": published,
        "state": summary(state_times),
        "gulf": summary(gulf_times),
        "state_cpu": summary(state_cpu),
        "gulf_cpu": summary(gulf_cpu),
        "gulf_area_km2": gulf_report.area_km2,
        "gulf_organisations": len(gulf_report.organisations),
        "gulf_districts": len(gulf_report.districts),
        "checks": checks,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    (directory / "results.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
