"""The four measurements, each fast (the app's code) beside naive (benchmarks/naive.py).

Every function runs inside an app context and returns a plain dict for results JSON. Timings
are wall times (time.perf_counter) in milliseconds unless a key says otherwise. Between two
timed queries the session is removed, as at the end of a request, so each query starts from
an empty identity map and checks a connection out of the pool (with the app's pre-ping).
"""

from __future__ import annotations

import cProfile
import random
from collections import Counter
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
from sqlalchemy import delete, func, select

from benchmarks import compare, naive, workloads
from directory_app.extensions import db
from directory_app.organisations import coverage, queries, services
from directory_app.organisations.models import DistrictCoverage, Location, Organisation, UnitCoverage

WARMUP = 5


def summary(samples_ms: list[float]) -> dict | None:
    if not samples_ms:
        return None
    a = np.asarray(samples_ms, dtype=float)
    return {"n": int(a.size), "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "max": float(a.max()), "mean": float(a.mean())}


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - start) * 1000.0


@contextmanager
def maybe_profile(directory: Path | None, name: str):
    if directory is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        directory.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(directory / f"{name}.prof")


def data_size() -> dict:
    from directory_app.geography.models import ConsularDistrict

    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))

    return {
        "organisation": count(Organisation), "location": count(Location), "unit_coverage": count(UnitCoverage),
        "district_coverage": count(DistrictCoverage), "consular_district": count(ConsularDistrict),
        "published_organisations": db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.status == "published")),
        "boundary_overlaps": compare.boundary_overlaps(db.session),
    }


# --- 1 -----------------------------------------------------------------------------------

def _compare_serving(district_id: int, answer: naive.NaiveServing, explainer: compare.Explainer) -> dict:
    rows, total = queries.organisations_serving(district_id, limit=10**9)
    fast = {s.organisation.id: s.share for s in rows}
    slow = dict(zip(answer.ranked["id"].astype(int), answer.ranked["share"].astype(float)))
    result = compare.compare_shares(fast, slow, lambda org_id: (org_id, district_id), explainer)
    fast_page = [(s.organisation.id, s.share) for s in rows[:50]]
    slow_page = list(zip(answer.ranked["id"].head(50).astype(int), answer.ranked["share"].head(50)))
    # The naive way also lists organisations that reach the district only through the overlap
    # of the boundary layers (cross-border, see compare.py); the page without them:
    naive_only = set(slow) - {i for i, share in fast.items() if share >= naive.TINY_SHARE}
    slow_trimmed = [(i, share) for i, share in zip(answer.ranked["id"].astype(int), answer.ranked["share"])
                    if i not in naive_only][:50]
    fast_trimmed = [(i, share) for i, share in fast_page if share >= naive.TINY_SHARE]
    if [x[0] for x in fast_page] == [x[0] for x in slow_page]:
        page = "identical"
    elif [x[0] for x in fast_trimmed] == [x[0] for x in slow_trimmed]:
        page = "identical without naive-only cross-border organisations"
    elif len(fast_trimmed) == len(slow_trimmed) and np.allclose(
            [x[1] for x in fast_trimmed], [x[1] for x in slow_trimmed], rtol=0, atol=compare.SHARE_TOLERANCE):
        page = "same shares, ties ordered differently"
    else:
        page = "different"
    return result | {"district_id": district_id, "fast_total": total, "naive_total": answer.total, "first_page": page}


def serving(rng: random.Random, n_queries: int, naive_queries: int, check: int, profile: Path | None, log) -> dict:
    chosen = workloads.district_ids(rng, n_queries)
    for district_id in chosen[:WARMUP]:
        queries.organisations_serving(district_id, limit=50)
    samples, sizes = [], []
    with maybe_profile(profile, "serving"):
        for district_id in chosen:
            db.session.remove()
            (_rows, total), ms = timed(queries.organisations_serving, district_id, limit=50)
            samples.append(ms)
            sizes.append(total)
    slowest = sorted(zip(samples, chosen, sizes), reverse=True)[:5]
    log(f"  serving fast: {summary(samples)}")
    naive_samples = []
    for district_id in chosen[:naive_queries]:
        db.session.remove()
        naive_samples.append(timed(naive.serving_per_query, db.session, district_id)[1])
    log(f"  serving naive per query: {summary(naive_samples)}")
    coverages, load_ms = timed(naive.published_coverages_frame, db.session)
    memory_samples, checks = [], []
    explainer = compare.Explainer(db.session)
    for district_id in list(dict.fromkeys(chosen))[:check]:
        district = naive.district_frame(db.session, district_id)
        answer, ms = timed(naive.serving_from_frames, coverages, district)
        memory_samples.append(ms)
        checks.append(_compare_serving(district_id, answer, explainer))
        db.session.remove()
    db.session.remove()
    return {
        "fast": summary(samples), "naive": summary(naive_samples), "naive_memory": summary(memory_samples),
        "naive_memory_load_ms": load_ms, "slowest": [{"ms": m, "district_id": d, "total": t} for m, d, t in slowest],
        "total_serving": summary(sizes), "checks": checks, "check": compare.merge(checks),
        "first_page": dict(Counter(c["first_page"] for c in checks)),
        "first_page_different": [c["district_id"] for c in checks if c["first_page"] == "different"],
    }


# --- 2 -----------------------------------------------------------------------------------

def nearest(rng: random.Random, n_queries: int, naive_queries: int, check: int, profile: Path | None, log) -> dict:
    points = workloads.query_points(rng, n_queries)
    for _label, lon, lat in points[:WARMUP]:
        queries.nearest_organisations(lon, lat, k=10)
    samples, answers = [], []
    with maybe_profile(profile, "nearest"):
        for _label, lon, lat in points:
            db.session.remove()
            found, ms = timed(queries.nearest_organisations, lon, lat, k=10)
            samples.append(ms)
            answers.append(found)
    by_kind = {}
    for (label, *_), ms in zip(points, samples):
        by_kind.setdefault(label.split(":")[0], []).append(ms)
    slowest = sorted(zip(samples, points), reverse=True)[:5]
    log(f"  nearest fast: {summary(samples)}")
    naive_samples = []
    for _label, lon, lat in points[:naive_queries]:
        db.session.remove()
        naive_samples.append(timed(naive.nearest_per_query, db.session, lon, lat, 10)[1])
    log(f"  nearest naive per query: {summary(naive_samples)}")
    sites, load_ms = timed(naive.published_sites_frame, db.session)
    memory_samples, mismatches = [], []
    for i, ((label, lon, lat), found) in enumerate(zip(points[:check], answers)):
        answer, ms = timed(naive.nearest_from_frame, sites, lon, lat, 10)
        memory_samples.append(ms)
        fast_ids = [n.organisation_id for n in found]
        slow_ids = [int(x) for x in answer["organisation_id"]]
        km_diff = float(np.max(np.abs(np.array([n.distance_km for n in found]) - answer["km"].values))) if fast_ids else 0.0
        if fast_ids != slow_ids or km_diff > 1e-6:
            mismatches.append({"i": i, "point": [label, lon, lat], "fast": fast_ids, "naive": slow_ids, "km_diff": km_diff})
    db.session.remove()
    return {
        "fast": summary(samples), "fast_by_kind": {k: summary(v) for k, v in by_kind.items()},
        "naive": summary(naive_samples), "naive_memory": summary(memory_samples), "naive_memory_load_ms": load_ms,
        "slowest": [{"ms": m, "point": p} for m, p in slowest],
        "checked": min(check, len(points)), "mismatches": mismatches,
    }


# --- 3 -----------------------------------------------------------------------------------

def _district_shares(org_id: int) -> dict[int, float]:
    return dict(db.session.execute(
        select(DistrictCoverage.district_id, DistrictCoverage.share).where(DistrictCoverage.organisation_id == org_id)
    ).all())


def save(rng: random.Random, saves: int, commits: int, naive_saves: int, profile: Path | None, log) -> dict:
    payloads = workloads.save_payloads(rng, max(saves, commits, naive_saves))
    db.session.remove()
    for data in payloads[:WARMUP]:
        services.create_organisation(data)
        db.session.rollback()
    rolled_back, fast_shares = [], []
    with maybe_profile(profile, "save"):
        for i, data in enumerate(payloads[:saves]):
            db.session.remove()
            org, create_ms = timed(services.create_organisation, data)
            if i < naive_saves:
                fast_shares.append(_district_shares(org.id))
            rollback_ms = timed(db.session.rollback)[1]
            rolled_back.append(create_ms + rollback_ms)
    log(f"  save fast (rolled back): {summary(rolled_back)}")
    committed, created = [], []
    for data in payloads[:commits]:
        db.session.remove()
        start = time.perf_counter()
        org = services.create_organisation(dict(data, name=data["name"] + " (committed)"))
        db.session.commit()
        committed.append((time.perf_counter() - start) * 1000.0)
        created.append(org.id)
    db.session.execute(delete(Organisation).where(Organisation.id.in_(created)))
    db.session.commit()
    log(f"  save fast (committed): {summary(committed) if committed else '-'}")
    naive_samples, checks = [], []
    explainer = compare.Explainer(db.session)
    with mock.patch.object(services, "recompute_coverage",
                           lambda ids: naive.naive_recompute_coverage(db.session, ids)):
        for data, fast in zip(payloads[:naive_saves], fast_shares):
            db.session.remove()
            org, create_ms = timed(services.create_organisation, data)
            slow = _district_shares(org.id)
            org_id = org.id
            explainer.forget(org_id)
            explainer.unit_countries([org_id])
            checks.append(compare.compare_shares(fast, slow, lambda d: (org_id, d), explainer))
            naive_samples.append(create_ms + timed(db.session.rollback)[1])
    log(f"  save naive: {summary(naive_samples) if naive_samples else '-'}")
    db.session.remove()
    return {"fast": summary(rolled_back), "fast_committed": summary(committed) if committed else None,
            "naive": summary(naive_samples) if naive_samples else None, "checks": checks,
            "check": compare.merge(checks) if checks else None}


# --- 4 -----------------------------------------------------------------------------------

def rebuild(rng: random.Random, naive_sample: int, profile: Path | None, log) -> dict:
    db.session.remove()
    start = time.perf_counter()
    with maybe_profile(profile, "rebuild"):
        done = coverage.recompute_coverage()
    compute_s = time.perf_counter() - start
    db.session.commit()
    total_s = time.perf_counter() - start
    log(f"  rebuild fast: {done} organisations, {compute_s:.1f} s + commit = {total_s:.1f} s")
    ids = sorted(db.session.scalars(select(Organisation.id)))
    sample = sorted(rng.sample(ids, naive_sample)) if 0 < naive_sample < len(ids) else ids
    db.session.remove()
    districts, districts_s = timed(naive.district_frame, db.session)
    start = time.perf_counter()
    parts = naive.part_geometries_frame(db.session, sample)
    shares = naive.district_shares(parts, districts)
    per_sample_s = time.perf_counter() - start
    naive_s = districts_s / 1000.0 + per_sample_s * len(ids) / len(sample)
    log(f"  rebuild naive: {len(sample)} organisations in {per_sample_s:.1f} s -> {naive_s:.1f} s for {len(ids)}")
    fast = dict(((o, d), s) for o, d, s in db.session.execute(
        select(DistrictCoverage.organisation_id, DistrictCoverage.district_id, DistrictCoverage.share)
        .where(DistrictCoverage.organisation_id.in_(sample))
    ).all())
    slow = {(int(o), int(d)): float(s) for o, d, s in zip(shares.organisation_id, shares.district_id, shares.share)}
    check = compare.compare_shares(fast, slow, lambda key: key, compare.Explainer(db.session))
    db.session.remove()
    return {
        "organisations": done, "fast_s": total_s, "fast_compute_s": compute_s, "naive_sample": len(sample),
        "naive_sample_s": per_sample_s, "naive_districts_s": districts_s / 1000.0, "naive_s": naive_s,
        "naive_extrapolated": len(sample) < len(ids), "check": check,
    }
