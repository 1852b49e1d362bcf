"""Which index serves a bbox page of sites best, on SQLite and PostgreSQL (issue 21).

    .venv/bin/python benchmarks/bbox_index.py --sites 10000 100000 --boxes 50

Builds a synthetic `location` (exact and public positions, 0.1° grid keys as geo.nearest writes
them, 10 % hidden organisations whose public point is 0.5° away) and `organisation` (90 %
published) per backend, then times one page (ORDER BY id LIMIT 100, count(*) OVER () as
numberMatched) for random boxes in Mexico and the US, with each way of finding the sites:

- `case`: the position as a CASE over exact and public coordinates (no index can serve it: what
  /ogc did before), plus a second count query as before;
- `btree`: a B-tree on (public_lon, public_lat);
- `grid`: the existing covering index (public_grid_key, public_lat, public_lon, ...), one
  UNION ALL branch per grid row (geo.nearest.grid_ranges);
- `rtree` (SQLite: an R*Tree virtual table) / `gist` (PostgreSQL: a GiST index on
  point(public_lon, public_lat)).

Prints median and p95 in ms per method; nothing is written to docs (the numbers are copied into
docs/benchmarks.md by hand). The PostgreSQL database `cammina_bbox_bench` is dropped and made anew.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.nearest import grid_key, grid_ranges  # noqa: E402

PG_ADMIN = "host=127.0.0.1 user=postgres dbname=postgres"
PG_BENCH = "host=127.0.0.1 user=postgres dbname=cammina_bbox_bench"
PG_INDEXES = (
    "CREATE INDEX ix_btree ON location (public_lon, public_lat)",
    "CREATE INDEX ix_gist ON location USING gist (point(public_lon, public_lat))",
)
REGIONS = ((-117.0, 14.5, -86.7, 32.7), (-124.5, 25.0, -67.0, 49.0))  # Mexico, United States

SCHEMA = [
    "CREATE TABLE organisation (id INTEGER PRIMARY KEY, status VARCHAR(10), hide BOOLEAN)",
    "CREATE TABLE location (id INTEGER PRIMARY KEY, organisation_id INTEGER, lon FLOAT, lat FLOAT, "
    "public_lon FLOAT, public_lat FLOAT, public_grid_key INTEGER, name VARCHAR(100))",
    "CREATE INDEX ix_grid ON location (public_grid_key, public_lat, public_lon, organisation_id)",
    "CREATE INDEX ix_org ON location (organisation_id)",
]


def make_sites(count: int, seed: int = 1) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    centres = []
    for west, south, east, north in REGIONS:
        centres += [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(60)]
    organisations = [(i, "published" if rng.random() < 0.9 else "draft", bool(rng.random() < 0.1))
                     for i in range(1, count + 1)]  # fmt: skip
    sites = []
    for site_id in range(1, int(count * 1.08) + 1):
        org = organisations[int(rng.integers(0, count))]
        cx, cy = centres[int(rng.integers(0, len(centres)))]
        lon, lat = float(cx + rng.normal(0, 0.6)), float(cy + rng.normal(0, 0.4))
        public = (round(lon * 2) / 2, round(lat * 2) / 2) if org[2] else (lon, lat)
        sites.append((site_id, org[0], lon, lat, *public, int(grid_key(*public)), f"site {site_id}"))
    return organisations, sites


def random_boxes(n: int, sites, seed: int = 2) -> dict[str, list[tuple[float, float, float, float]]]:
    """`random`: anywhere in Mexico and the US; `centred`: around a random site (full pages)."""
    rng = random.Random(seed)
    boxes: dict[str, list] = {"random": [], "centred": []}
    for _ in range(n):
        west, south, east, north = REGIONS[rng.randrange(2)]
        width = rng.choice((0.2, 0.5, 1.0, 2.0, 5.0))
        x, y = rng.uniform(west, east - width), rng.uniform(south, north - width * 0.6)
        boxes["random"].append((x, y, x + width, y + width * 0.6))
        site = sites[rng.randrange(len(sites))]
        width = rng.choice((0.5, 1.0, 2.0))
        lon, lat = site[4], site[5]
        boxes["centred"].append((lon - width / 2, lat - width * 0.3, lon + width / 2, lat + width * 0.3))
    return boxes


def select_page(where: str, source: str = "location") -> str:
    return (
        f"SELECT l.id, l.name, l.public_lon, l.public_lat, o.status, count(*) OVER () AS matched FROM {source} l "  # nosec B608
        f"JOIN organisation o ON o.id = l.organisation_id WHERE o.status = 'published' AND {where} "
        "ORDER BY l.id LIMIT 100"
    )


CASE_LON = "CASE WHEN o.hide THEN l.public_lon ELSE l.lon END"
CASE_LAT = "CASE WHEN o.hide THEN l.public_lat ELSE l.lat END"


def queries(backend: str, box) -> dict[str, list[tuple[str, tuple]]]:
    west, south, east, north = box
    p = "?" if backend == "sqlite" else "%s"
    plain = f"l.public_lon BETWEEN {p} AND {p} AND l.public_lat BETWEEN {p} AND {p}"
    plain_args = (west, east, south, north)
    case_where = f"{CASE_LON} BETWEEN {p} AND {p} AND {CASE_LAT} BETWEEN {p} AND {p}"
    case_page = select_page(case_where).replace(", count(*) OVER () AS matched", "")
    case_count = (
        "SELECT count(*) FROM location l JOIN organisation o ON o.id = l.organisation_id "  # nosec B608
        f"WHERE o.status = 'published' AND {case_where}"
    )
    ranges = grid_ranges(west, south, east, north)
    branch = (
        f"SELECT id FROM location WHERE public_grid_key BETWEEN {p} AND {p} "  # nosec B608
        f"AND public_lat BETWEEN {p} AND {p} AND public_lon BETWEEN {p} AND {p}"
    )
    union = " UNION ALL ".join([branch] * len(ranges))
    grid_args = tuple(v for low, high in ranges for v in (low, high, south, north, west, east))
    out = {
        "case": [(case_page, plain_args), (case_count, plain_args)],
        "btree": [(select_page(plain), plain_args)],
        "grid": [(select_page(f"l.id IN ({union})"), grid_args)],
    }
    if backend == "sqlite":
        rtree = (
            f"l.id IN (SELECT id FROM location_rtree WHERE min_x <= {p} AND max_x >= {p} "
            f"AND min_y <= {p} AND max_y >= {p})"
        )
        out["rtree"] = [(select_page(rtree), (east, west, north, south))]
    else:
        gist = f"point(l.public_lon, l.public_lat) <@ box(point({p}, {p}), point({p}, {p}))"
        out["gist"] = [(select_page(gist), (west, south, east, north))]
    return out


def load_sqlite(path: Path, organisations, sites) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    for statement in SCHEMA:
        con.execute(statement)
    con.executemany("INSERT INTO organisation VALUES (?, ?, ?)", organisations)
    con.executemany("INSERT INTO location VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sites)
    con.execute("CREATE INDEX ix_btree ON location (public_lon, public_lat)")
    con.execute("CREATE VIRTUAL TABLE location_rtree USING rtree(id, min_x, max_x, min_y, max_y)")
    con.execute("INSERT INTO location_rtree SELECT id, public_lon, public_lon, public_lat, public_lat FROM location")
    con.commit()
    con.execute("ANALYZE")
    return con


def load_postgres(organisations, sites, database="cammina_bbox_bench", indexes=None):
    """A new PostgreSQL database `database` holding the synthetic rows, with `indexes` (CREATE INDEX
    statements; by default the B-tree and GiST ones compared here), analysed; an autocommit connection."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    con = psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}", autocommit=True)
    for statement in SCHEMA:
        con.execute(statement)
    with con.cursor() as cur:
        with cur.copy("COPY organisation FROM STDIN") as copy:
            for row in organisations:
                copy.write_row(row)
        with cur.copy("COPY location FROM STDIN") as copy:
            for row in sites:
                copy.write_row(row)
    for statement in indexes if indexes is not None else PG_INDEXES:
        con.execute(statement)
    con.execute("VACUUM ANALYZE")
    return con


def run(con, backend: str, boxes, repeat: int) -> tuple[dict[str, list[float]], list[int]]:
    times: dict[str, list[float]] = {}
    answers: dict[str, list] = {}
    matched = []
    for box in boxes:
        for name, steps in queries(backend, box).items():
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                results = [con.execute(sql, args).fetchall() for sql, args in steps]
                best = min(best, time.perf_counter() - start)
            times.setdefault(name, []).append(best * 1000)
            answers.setdefault(name, []).append([row[0] for row in results[0]])
            if name == "case":
                matched.append(results[1][0][0])
    reference = answers["case"]
    for name, found in answers.items():
        assert found == reference, f"{backend} {name} disagrees with the CASE query"
    return times, matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[10_000])
    parser.add_argument("--boxes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the fastest counts")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for count in args.sites:
        organisations, sites = make_sites(count)
        boxes = random_boxes(args.boxes, sites)
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            with tempfile.TemporaryDirectory() as folder:
                if backend == "sqlite":
                    con = load_sqlite(Path(folder) / "bench.sqlite3", organisations, sites)
                else:
                    con = load_postgres(organisations, sites)
                results = {kind: run(con, backend, kind_boxes, args.repeat) for kind, kind_boxes in boxes.items()}
                con.close()
            for kind, (times, matched) in results.items():
                median = statistics.median(matched)
                print(f"{backend} {count} organisations, {kind} boxes (median {median:.0f} sites matched)")
                for name, values in times.items():
                    values.sort()
                    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
                    print(f"    {name:6} median {statistics.median(values):7.2f} ms  p95 {p95:7.2f} ms")
    if args.backend != "sqlite":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS cammina_bbox_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
