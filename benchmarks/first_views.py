"""The first view of every district page after an edit (nothing cached), under gunicorn:

    .venv/bin/python benchmarks/first_views.py --snapshot HEAD --backend sqlite --count 10000

serves the benchmark database of benchmarks/pages.py (built if missing, or --url) with gunicorn as
pages.py does (gunicorn.conf.py: 4 threads a worker, gc.freeze), with the page cache in Redis only
(PAGE_CACHE_SIZE=0: emptying Redis is then a miss in every worker, as after an edit), warms the workers on
other pages, then one reader visits every district page once after emptying the cache (--passes times),
and Houston's page --houston times, the cache emptied before each. Redis is emptied entirely once at the
start; before each pass only its pages go, as an edit makes them unreachable, and its fragments (the QR
codes of the pages' addresses, main.pagecache) stay, as they do after an edit: the first pass is the first
view ever of each page, the next ones the first views after an edit. Prints wall time and the server's CPU
time per request (benchmarks/cpu_timed_wsgi.py), p50 and p95, and the load average. Results go to
docs/benchmarks.md by hand (issue 17's "first view" in the Lighthouse section).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import build, pages  # noqa: E402

PAGE_CACHE_URL = "redis://127.0.0.1:6379/9"  # its own Redis database, emptied as it goes


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--snapshot", metavar="REV", help="measure this commit (git archive) instead of the tree")
    parser.add_argument("--url", help="database to serve (default: benchmarks/pages.py's)")
    parser.add_argument("--pg-url", default=build.DEFAULT_PG_URL.replace("cammina_bench", "cammina_pages"))
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--houston", type=int, default=20)
    parser.add_argument(
        "--organisations", type=int, default=0, help="then this many other organisation pages, each once"
    )
    return parser.parse_args(argv)


def summary(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values):.1f} p95 {values[max(0, int(len(values) * 0.95) - 1)]:.1f}"


def empty_pages_only() -> None:
    """The page cache's pages gone, as after an edit (their keys hold the old version); its fragments
    (main.pagecache: texts that depend on no entry) kept, as an edit keeps them."""
    import redis

    client = redis.Redis.from_url(PAGE_CACHE_URL)
    pages_only = [key for key in client.scan_iter(count=1000) if b":fragment:" not in key]
    for start in range(0, len(pages_only), 1000):
        client.delete(*pages_only[start : start + 1000])


def main(argv=None) -> None:
    args = parse_args(argv)
    pages.PAGE_CACHE_URL = PAGE_CACHE_URL
    pages.empty_page_cache()  # everything, fragments too: the first pass is a first view ever
    pages.empty_page_cache = empty_pages_only  # the next emptyings are edits (pages.visit_each_once)
    source, sha = build.prepare_source(args.snapshot)
    subprocess.run([sys.executable, "scripts/vendor_assets.py"], cwd=source, check=True, capture_output=True)
    url = args.url or build.database_url(args.backend, args.pg_url, args.count).replace(
        f"{args.backend}-{args.count}", f"pages-{args.backend}-{args.count}"
    )
    directory = build.BENCH_DIR / f"pages-{args.backend}-{args.count}"
    directory.mkdir(parents=True, exist_ok=True)
    if not args.url and build.organisation_count(url) != args.count:
        build.build(args.backend, url, args.count, source=source, rev=sha)
    engine = create_engine(url)
    with engine.connect() as connection:
        codes = connection.execute(text("SELECT code FROM consular_district ORDER BY code")).scalars().all()
        uuids = (
            connection.execute(
                text("SELECT uuid FROM organisation WHERE status = 'published' ORDER BY id LIMIT :n"),
                {"n": 40 + args.organisations},
            )
            .scalars()
            .all()
        )
        others = ["/", "/organisations", "/districts", "/map"] * 4 + [f"/organisations/{u}" for u in uuids[:40]]
    engine.dispose()
    env = dict(os.environ, DATABASE_URL=url, INSTANCE_DIR=str(directory), MAP_TILE_URL="", REQUEST_LOG="1")
    env.update(PAGE_CACHE_URL=PAGE_CACHE_URL, PAGE_CACHE_SIZE="0")
    env["PYTHONPATH"] = f"{source}{os.pathsep}{Path(__file__).resolve().parent}"
    port = pages.free_port()
    base = f"http://127.0.0.1:{port}"
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{sha or 'working tree'}, {backend}, load average before {os.getloadavg()}", flush=True)
    server = pages.start_gunicorn(source, env, port, 4, directory / "first-views-gunicorn.log", "cpu_timed_wsgi:app")
    try:
        for path in others:  # templates compiled and connections opened in every worker, on other pages
            urllib.request.urlopen(base + path).read()
        for i in range(args.passes):
            wall, cpu = pages.visit_each_once(base, [f"/districts/{code}" for code in codes], "X-CPU-ms")
            print(f"pass {i + 1}, {len(wall)} district pages: wall {summary(wall)}; server CPU {summary(cpu)}")
        wall, cpu = [], []
        for _ in range(args.houston):
            w, c = pages.visit_each_once(base, ["/districts/GT-US-HOUSTON"], "X-CPU-ms")
            wall += w
            cpu += c
        print(f"Houston x{args.houston}: wall {summary(wall)}; server CPU {summary(cpu)}")
        if args.organisations:  # organisation pages not visited while warming up, each once
            wall, cpu = pages.visit_each_once(base, [f"/organisations/{u}" for u in uuids[40:]], "X-CPU-ms")
            print(f"{len(wall)} organisation pages: wall {summary(wall)}; server CPU {summary(cpu)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
