"""What the OGC `organisations` extent costs, on SQLite and PostgreSQL (issue 21).

    .venv/bin/python benchmarks/ogc_extent.py --sites 10000 100000

On the synthetic sites of benchmarks/bbox_index.py (exact and public positions, 10 % hidden
organisations, 90 % published), times the public's extent query as it was (min/max of a CASE over exact
and public coordinates) and as ogc_extents now asks it (min/max of the stored public columns), and prints
the median of 7 runs in ms with each query plan. Both read every published site once: neither index
on the positions (the grid, GiST) is led by the longitude. The PostgreSQL database
`cammina_extent_bench` is dropped and made anew, and dropped at the end.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bbox_index  # noqa: E402

PG_BENCH = "host=127.0.0.1 user=postgres dbname=cammina_extent_bench"
FROM = "FROM location l JOIN organisation o ON o.id = l.organisation_id WHERE o.status = 'published'"
LON = "CASE WHEN o.hide THEN l.public_lon ELSE l.lon END"
LAT = "CASE WHEN o.hide THEN l.public_lat ELSE l.lat END"
QUERIES = {
    "case": f"SELECT min({LON}), min({LAT}), max({LON}), max({LAT}) {FROM}",
    "stored": f"SELECT min(l.public_lon), min(l.public_lat), max(l.public_lon), max(l.public_lat) {FROM}",
}


def timed(con, sql: str, runs: int = 7) -> tuple[float, tuple]:
    times, row = [], None
    for _ in range(runs):
        start = time.perf_counter()
        row = con.execute(sql).fetchone()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), row


def sqlite_connection(path: Path, organisations, sites) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    for statement in bbox_index.SCHEMA:
        con.execute(statement)
    con.execute("CREATE INDEX ix_status ON organisation (status)")
    con.executemany("INSERT INTO organisation VALUES (?, ?, ?)", organisations)
    con.executemany("INSERT INTO location VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sites)
    con.commit()
    con.execute("ANALYZE")
    return con


def postgres_connection(organisations, sites):
    return bbox_index.load_postgres(
        organisations,
        sites,
        "cammina_extent_bench",
        (
            "CREATE INDEX ix_status ON organisation (status)",
            "CREATE INDEX ix_gist ON location USING gist (point(public_lon, public_lat))",
        ),
    )


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(bbox_index.PG_ADMIN, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS cammina_extent_bench WITH (FORCE)")


def report(backend: str, count: int, con, explain: str) -> None:
    answers = {}
    for name, sql in QUERIES.items():
        ms, row = timed(con, sql)
        answers[name] = tuple(round(v, 9) for v in row)
        plan = " | ".join(str(r[-1] if backend == "sqlite" else r[0]).strip() for r in con.execute(explain + sql))
        print(f"{backend:10} {count:>7} {name:6} {ms:8.1f} ms   {plan}")
    assert answers["case"] == answers["stored"], f"{backend}: the two extents differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for count in args.sites:
        organisations, sites = bbox_index.make_sites(count)
        if args.backend in ("sqlite", "both"):
            with tempfile.TemporaryDirectory() as directory:
                con = sqlite_connection(Path(directory) / "extent.db", organisations, sites)
                report("sqlite", count, con, "EXPLAIN QUERY PLAN ")
                con.close()
        if args.backend in ("postgresql", "both"):
            con = postgres_connection(organisations, sites)
            try:
                report("postgresql", count, con, "EXPLAIN ")
            finally:
                con.close()
                drop_postgres()


if __name__ == "__main__":
    main()
