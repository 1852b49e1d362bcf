"""Public pages under gunicorn: latency and throughput, page and layer sizes, time to markers.

    .venv/bin/python benchmarks/pages.py --snapshot HEAD --count 10000

builds (or reuses, --reuse) a directory of N demo organisations (benchmarks/build.py), serves it
with gunicorn on 127.0.0.1, and measures:
1. directory searches, organisation pages and district pages:
   - first visits: one reader, cache emptied, every URL once (the cost of rendering a page);
   - under load with wrk (keep-alive, C connections, D seconds per kind, URLs drawn at random from the
     same ones): steady (right after the first visits: every page has been read before) with C and with
     C/2 connections, then from an empty page cache; p50/p95/p99 latency, requests/s, errors.
   The page cache is set up as in production (docs/deploy.md): PAGE_CACHE_URL, here Redis database 2 at
   127.0.0.1, which the benchmark empties as it goes;
2. the size of the public map page and of the compressed district layer;
3. the time until the public map shows its markers in headless Chromium (browser cache cold, every
   worker having built the map layers once; from navigation start to the script's `cammina-markers`
   performance mark), several loads, before the load runs.
Results go to build/bench/pages-<backend>-<count>.json and into docs/benchmarks.md between the
markers `<!-- pages:start -->` and `<!-- pages:end -->`. Needs Debian's wrk and chromium.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import build  # noqa: E402

PAGE_CACHE_URL = "redis://127.0.0.1:6379/2"  # the benchmark's own Redis database, emptied as it goes
DOCS = build.PROJECT_ROOT / "docs" / "benchmarks.md"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_urls.lua"
SEARCH_WORDS = ["casa", "migrante", "refugio", "legal", "salud", "centro", "albergue", "juridica", "mujeres", "red"]
SERVICES = ["shelter", "legal_assistance", "health_care", "food", "asylum"]
COUNTRIES = ["MX", "GT", "US", "HN", "SV", "CA", "PA", "CR"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4 on 2 cores)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per page kind (default 20)")
    parser.add_argument("--map-loads", type=int, default=5, help="cold loads of the map in Chromium (default 5)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database that holds --count organisations")
    parser.add_argument("--snapshot", metavar="REV", help="measure this commit (git archive) instead of the tree")
    parser.add_argument("--pg-url", default=build.DEFAULT_PG_URL.replace("cammina_bench", "cammina_pages"))
    parser.add_argument("--seed", type=int, default=20261129)
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    source: Path, env: dict, port: int, workers: int, log: Path, app: str = "directory_app:create_app()"
) -> subprocess.Popen:
    """gunicorn serving `app` from `source`, once it answers (at most two minutes)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=source, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer; see {log}")


def sample_urls(url: str, rng: random.Random) -> dict[str, list[str]]:
    """Real URLs of each kind of page, drawn from the benchmark database."""
    engine = create_engine(url)
    with engine.connect() as connection:
        uuids = connection.execute(text("SELECT uuid FROM organisation WHERE status = 'published'")).scalars().all()
        districts = connection.execute(text("SELECT code FROM consular_district")).scalars().all()
    engine.dispose()
    searches = []
    for _ in range(300):
        args = {"q": rng.choice(SEARCH_WORDS)} if rng.random() < 0.7 else {}
        if rng.random() < 0.5:
            args["service"] = rng.choice(SERVICES)
        if rng.random() < 0.4:
            args["country"] = rng.choice(COUNTRIES)
        searches.append("/organisations?" + "&".join(f"{k}={v}" for k, v in args.items()))
    return {
        "directory search": searches,
        "organisation page": [f"/organisations/{u}" for u in rng.sample(uuids, min(500, len(uuids)))],
        "district page": [f"/districts/{c}" for c in districts],
    }


def empty_page_cache() -> None:
    import redis

    redis.Redis.from_url(PAGE_CACHE_URL).flushdb()


def visit_each_once(base: str, urls: list[str], header: str | None = None) -> tuple[list[float], list[float]]:
    """One reader, cache emptied first: each URL once, in order; its wall time in ms and, with `header`,
    that response header's number (e.g. the server's CPU ms). Leaves the cache warm."""
    empty_page_cache()
    wall, values = [], []
    for path in urls:
        started = time.perf_counter()
        with urllib.request.urlopen(base + path) as response:
            response.read()
            if response.headers.get("X-Page-Cache") == "hit":
                raise RuntimeError(f"{path} came from the cache on its first visit")
            if header:
                values.append(float(response.headers[header]))
        wall.append((time.perf_counter() - started) * 1000)
    return wall, values


def first_visits(base: str, urls: list[str]) -> dict:
    """One reader, cache emptied first: each URL once, in order (milliseconds); leaves the cache warm."""
    times = sorted(visit_each_once(base, urls)[0])
    return {"p50_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1], "count": len(times)}


def run_wrk(base: str, urls: list[str], connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(urls))
    env = dict(os.environ, WRK_URLS=handle.name)
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(WRK_SCRIPT), base],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    os.unlink(handle.name)
    match = re.search(r"^JSON (.*)$", result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(result.stdout + result.stderr)
    return json.loads(match.group(1))


def sizes(base: str) -> dict:
    page = urllib.request.urlopen(f"{base}/map").read()
    request = urllib.request.Request(f"{base}/maps/districts.geojson", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        compressed = response.read()
        encoding = response.headers.get("Content-Encoding")
    raw = gzip.decompress(compressed) if encoding == "gzip" else compressed
    markers = urllib.request.Request(f"{base}/maps/organisations.geojson", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(markers) as response:
        markers_compressed = len(response.read())
    return {
        "map_page_bytes": len(page),
        "district_layer_gzip_bytes": len(compressed) if encoding == "gzip" else None,
        "district_layer_bytes": len(raw),
        "marker_layer_gzip_bytes": markers_compressed,
    }


def warm_map_layers(base: str, workers: int) -> None:
    """Every worker builds the map's layers once (as after its first reader), so that the timed loads
    measure the browser, not a worker's first build: concurrent requests reach different workers."""
    from concurrent.futures import ThreadPoolExecutor

    page = urllib.request.urlopen(f"{base}/map").read().decode()
    config = json.loads(re.search(r'<script type="application/json" id="[^"]+-config">(.*?)</script>', page, re.S)[1])
    layers = config.get("layers", [])
    urls = {layer["url"] for layer in layers if layer.get("url")} | {config["baseUrl"]}
    urls |= {layer["choropleth"]["countsUrl"] for layer in layers if layer.get("choropleth")}

    def fetch(path: str) -> None:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        urllib.request.urlopen(request, timeout=60).read()

    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        list(pool.map(fetch, sorted(urls) * 3 * workers))


def time_to_markers(base: str, loads: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for _ in range(loads):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{base}/map")
            page.wait_for_function("() => performance.getEntriesByName('cammina-markers').length > 0", timeout=30_000)
            times.append(page.evaluate("() => performance.getEntriesByName('cammina-markers')[0].startTime") / 1000)
            context.close()
        browser.close()
    return times


def write_docs(results: dict) -> None:
    lines = [
        "<!-- pages:start -->",
        f"### Public pages under gunicorn ({results['backend']}, {results['count']:,} organisations)",
        "",
        f"`benchmarks/pages.py` at {results['source']}, {results['measured_at']}: gunicorn with "
        f"{results['workers']} workers ({results.get('threads', 4)} threads each, as in gunicorn.conf.py) on 2 cores, "
        "page cache in "
        "Redis shared by the workers (PAGE_CACHE_URL, as in docs/deploy.md), one JSON log line per request; "
        f"wrk with {results['connections']} keep-alive connections for {results['duration']} s per run, on the "
        f"same 2 cores, URLs drawn at random from real ones ("
        + ", ".join(f"{n} {kind}" for kind, n in results["url_counts"].items())
        + f"). Load average before: {results['load_before']:.1f}.",
        "",
        "First visit: one reader, cache emptied, every page of the sample read once (what rendering costs). "
        "Steady: then under load, every page has been read before, as on a server that has been up for a "
        "while; wrk keeps every connection busy (a closed loop), so the latency is mostly waiting in line: "
        "with half the connections the same throughput comes with about half the latency. From an empty "
        "cache: under load right after emptying the cache, each page rendered on its first request during "
        "the run.",
        "",
        "| page | first visit p50 / p95 ms | under load | p50 ms | p95 ms | p99 ms | requests/s | errors "
        "| target p95 <= 50 ms, >= 300/s |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for kind, r in results["pages"].items():
        visits = r["first_visits"]
        runs = (
            (f"steady, {results['connections']} connections", r["steady"]),
            (f"steady, {results['connections'] // 2} connections", r["steady_half"]),
            (f"from an empty cache, {results['connections']} connections", r["from_empty_cache"]),
        )
        for i, (label, run) in enumerate(runs):
            met = "met" if run["p95_ms"] <= 50 and run["rps"] >= 300 and not run["errors"] else "**missed**"
            first = f"{visits['p50_ms']:.0f} / {visits['p95_ms']:.0f}" if i == 0 else ""
            lines.append(
                f"| {kind} | {first} | {label} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | {run['p99_ms']:.1f} | "
                f"{run['rps']:.0f} | {run['errors']} | {met} |"
            )
    s = results["sizes"]
    loads = results["time_to_markers_s"]
    lines += [
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| public map page HTML | {s['map_page_bytes'] / 1024:.0f} KB | <= 300 KB: "
        f"{'met' if s['map_page_bytes'] <= 300 * 1024 else '**missed**'} |",
        f"| district layer, all districts, gzip | {s['district_layer_gzip_bytes'] / 1024:.0f} KB "
        f"({s['district_layer_bytes'] / 1024:.0f} KB raw) | <= 300 KB: "
        f"{'met' if s['district_layer_gzip_bytes'] <= 300 * 1024 else '**missed**'} |",
        f"| marker layer, all organisations, gzip | {s['marker_layer_gzip_bytes'] / 1024:.0f} KB | |",
        f"| time until the map shows its markers (Chromium cold, layers built, {len(loads)} loads) | median "
        f"{statistics.median(loads):.2f} s, max {max(loads):.2f} s | <= 2 s: "
        f"{'met' if max(loads) <= 2 else '**missed**'} |",
        "<!-- pages:end -->",
    ]
    text_now = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    block = "\n".join(lines)
    if "<!-- pages:start -->" in text_now:
        text_now = re.sub(r"<!-- pages:start -->.*<!-- pages:end -->", lambda _: block, text_now, flags=re.DOTALL)
    else:
        text_now = text_now.rstrip() + "\n\n" + block + "\n"
    DOCS.write_text(text_now)


def main(argv=None) -> None:
    args = parse_args(argv)
    source, sha = build.prepare_source(args.snapshot)
    subprocess.run([sys.executable, "scripts/vendor_assets.py"], cwd=source, check=True)  # not in git archive
    url = build.database_url(args.backend, args.pg_url, args.count).replace(
        f"{args.backend}-{args.count}", f"pages-{args.backend}-{args.count}"
    )
    directory = build.BENCH_DIR / f"pages-{args.backend}-{args.count}"
    directory.mkdir(parents=True, exist_ok=True)
    if not (args.reuse and build.organisation_count(url) == args.count):
        build.build(args.backend, url, args.count, source=source, rev=sha)
    env = dict(os.environ, DATABASE_URL=url, INSTANCE_DIR=str(directory), MAP_TILE_URL="", PYTHONPATH=str(source))
    env["REQUEST_LOG"] = "1"  # one JSON line per request, as in production (gunicorn.conf.py: no access log)
    env["PAGE_CACHE_URL"] = PAGE_CACHE_URL
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(source, env, port, args.workers, directory / "gunicorn.log")
    try:
        rng = random.Random(args.seed)
        urls = sample_urls(url, rng)
        results = {
            "backend": args.backend,
            "count": args.count,
            "workers": args.workers,
            "connections": args.connections,
            "duration": args.duration,
            "threads": int(os.environ.get("GUNICORN_THREADS") or 4),
            "url_counts": {kind: len(kind_urls) for kind, kind_urls in urls.items()},
            "source": sha or "the working tree",
            "load_before": os.getloadavg()[0],
            "measured_at": time.strftime("%Y-%m-%d %H:%M %Z"),
            "pages": {},
        }
        warm_map_layers(base, args.workers)
        results["time_to_markers_s"] = time_to_markers(base, args.map_loads)  # before the load runs
        for kind, kind_urls in urls.items():
            # Every page once (one reader, cache emptied first): the cost of rendering, and a warm cache.
            visits = first_visits(base, list(dict.fromkeys(kind_urls)))
            steady = run_wrk(base, kind_urls, args.connections, args.duration)
            half = run_wrk(base, kind_urls, args.connections // 2, args.duration)
            empty_page_cache()
            cold = run_wrk(base, kind_urls, args.connections, args.duration)
            results["pages"][kind] = {
                "first_visits": visits,
                "from_empty_cache": cold,
                "steady": steady,
                "steady_half": half,
            }
            print(kind, results["pages"][kind], flush=True)
        results["sizes"] = sizes(base)
        print(results["sizes"], results["time_to_markers_s"], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    (build.BENCH_DIR / f"pages-{args.backend}-{args.count}.json").write_text(json.dumps(results, indent=2))
    write_docs(results)


if __name__ == "__main__":
    main()
