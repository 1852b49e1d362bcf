"""Our OGC API - Features beside pygeoapi, the reference server in Python (issue 21 item 4).

    .venv/bin/python benchmarks/ogc_peer.py --count 10000 --rounds 5 --duration 10

1. builds (or reuses, --reuse) a directory of N demo organisations (benchmarks/build.py) and serves it
   with gunicorn (2 workers x 4 threads, as below for pygeoapi) on 127.0.0.1;
2. copies its three collections into a GeoPackage with Debian's `ogr2ogr` from our /ogc endpoint
   (the OAPIF driver: what a GIS user would do), so both servers hold the same features;
3. serves that GeoPackage with pygeoapi (pinned, PYGEOAPI_VERSION, in its own virtualenv under
   build/pygeoapi-venv, made from Debian's Python for its `python3-gdal` bindings) and its OGR
   provider, under gunicorn with the same settings;
4. checks that the answers agree (feature ids of the same requests, a feature's position and name);
5. measures both in paired rounds with wrk (the same request lists, the order of the two servers
   alternating per round): items pages, random boxes in Mexico and the US, boxes centred on sites
   (full pages), single features, all districts. The ratio of requests/s (ours / pygeoapi) of each
   round, and its median over the rounds, is what counts: both share the machine with whatever else
   runs, a pair of runs close in time shares the same load.

It waits (up to --wait-minutes) for the load average to fall below --max-load (default 3) before
measuring, and stops without measuring otherwise; --check-only does steps 1-4 alone. Needs Debian's
gdal-bin, python3-gdal, python3-venv and wrk. Results: build/bench/ogc-peer-<backend>-<count>.json and
docs/benchmarks.md between `<!-- ogc-peer:start -->` and `<!-- ogc-peer:end -->`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import build, pages  # noqa: E402

PYGEOAPI_VERSION = "0.21.0"
GUNICORN_VERSION = "27.0.1"  # as requirements.txt
VENV = build.PROJECT_ROOT / "build" / "pygeoapi-venv"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, which python3-gdal serves
WORKERS, THREADS = 2, 4
COLLECTIONS = ("organisations", "consulates", "districts")
REGIONS = ((-117.0, 14.5, -86.7, 32.7), (-124.5, 25.0, -67.0, 49.0))  # Mexico, United States
DOCS = build.PROJECT_ROOT / "docs" / "benchmarks.md"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=10_000, help="demo organisations (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (default 5)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per kind and server (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--boxes", type=int, default=50, help="boxes per box kind (default 50)")
    parser.add_argument("--max-load", type=float, default=3.0, help="measure only below this load average")
    parser.add_argument("--wait-minutes", type=float, default=10, help="how long to wait for that load")
    parser.add_argument("--check-only", action="store_true", help="build, copy, serve and compare; no wrk")
    parser.add_argument("--reuse", action="store_true", help="reuse a database that holds --count organisations")
    parser.add_argument("--snapshot", metavar="REV", help="measure this commit (git archive) instead of the tree")
    parser.add_argument("--pg-url", default=build.DEFAULT_PG_URL.replace("cammina_bench", "cammina_ogc_peer"))
    parser.add_argument("--seed", type=int, default=20261206)
    return parser.parse_args(argv)


def ensure_pygeoapi() -> Path:
    """The virtualenv with pygeoapi (pinned) and gunicorn; Debian's GDAL bindings from the system."""
    pygeoapi = VENV / "bin" / "pygeoapi"
    if not pygeoapi.exists():
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "pip"), "install", "-q"]
        subprocess.run([*pip, f"pygeoapi=={PYGEOAPI_VERSION}", f"gunicorn=={GUNICORN_VERSION}"], check=True)
    probe = subprocess.run([str(VENV / "bin" / "python"), "-c", "from osgeo import ogr"], capture_output=True)
    if probe.returncode != 0:
        raise SystemExit("pygeoapi's OGR provider needs Debian's GDAL bindings: apt-get install python3-gdal")
    return pygeoapi


def copy_to_geopackage(base: str, target: Path) -> None:
    """Our three collections into one GeoPackage through GDAL's OAPIF driver (pages of 1000)."""
    target.unlink(missing_ok=True)
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{base}/ogc", *COLLECTIONS, "-oo", "PAGE_SIZE=1000"],
        check=True,
        capture_output=True,
    )


def pygeoapi_config(geopackage: Path, url: str, port: int) -> dict:
    def resource(name: str) -> dict:
        return {
            "type": "collection",
            "title": name,
            "description": f"CAMMINA Directory {name} (a GeoPackage copy of /ogc)",
            "keywords": ["benchmark"],
            "extents": {"spatial": {"bbox": [-180, -90, 180, 90]}},
            "providers": [
                {
                    "type": "feature",
                    "name": "OGR",
                    # paging: without it the OGR provider ignores `offset` (every page is the first)
                    "data": {
                        "source_type": "GPKG",
                        "source": str(geopackage),
                        "source_capabilities": {"paging": True},
                    },
                    "id_field": "id",
                    "layer": name,
                }
            ],
        }

    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 100, "max_items": 1000},
            "map": {"url": "", "attribution": ""},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "peer",
                "description": "peer",
                "keywords": ["peer"],
                "keywords_type": "theme",
                "terms_of_service": url,
                "url": url,
            },
            "license": {"name": "CC-BY 4.0", "url": url},
            "provider": {"name": "benchmark", "url": url},
            "contact": {
                key: "benchmark"
                for key in (
                    "name",
                    "position",
                    "address",
                    "city",
                    "stateorprovince",
                    "postalcode",
                    "country",
                    "phone",
                    "fax",
                    "email",
                    "url",
                    "hours",
                    "instructions",
                    "role",
                )
            },  # fmt: skip
        },
        "resources": {name: resource(name) for name in COLLECTIONS},
    }


def start_pygeoapi(pygeoapi: Path, geopackage: Path, port: int, directory: Path) -> subprocess.Popen:
    url = f"http://127.0.0.1:{port}"
    config, openapi = directory / "pygeoapi-config.yml", directory / "pygeoapi-openapi.yml"
    config.write_text(json.dumps(pygeoapi_config(geopackage, url, port), indent=2))  # JSON is YAML
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    generate = [str(pygeoapi), "openapi", "generate", str(config), "--output-file", str(openapi)]
    subprocess.run(generate, env=env, check=True, capture_output=True)
    command = [str(VENV / "bin" / "gunicorn"), "--workers", str(WORKERS), "--threads", str(THREADS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "pygeoapi.flask_app:APP"]
    log = (directory / "pygeoapi.log").open("w")
    command += ["--keep-alive", "5"]  # as ours (gunicorn.conf.py, which its cwd keeps away from this one)
    process = subprocess.Popen(command, cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/collections?f=json", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"pygeoapi did not answer; see {directory / 'pygeoapi.log'}")


def request_lists(url: str, boxes: int, rng: random.Random) -> dict[str, list[str]]:
    """Paths under a collection root (`/collections/...`), the same for both servers."""
    engine = create_engine(url)
    with engine.connect() as connection:
        sites = connection.execute(
            text(
                "SELECT l.uuid, l.public_lon, l.public_lat FROM location l JOIN organisation o "
                "ON o.id = l.organisation_id WHERE o.status = 'published'"
            )
        ).all()
        districts = connection.execute(text("SELECT count(*) FROM consular_district")).scalar()
    engine.dispose()
    items = "/collections/organisations/items?f=json"
    pages_of_100 = max(1, len(sites) // 100)
    random_boxes, centred = [], []
    for _ in range(boxes):
        west, south, east, north = REGIONS[rng.randrange(2)]
        width = rng.choice((0.5, 1.0, 2.0, 5.0))
        x, y = rng.uniform(west, east - width), rng.uniform(south, north - width * 0.6)
        random_boxes.append(f"{items}&limit=100&bbox={x:.4f},{y:.4f},{x + width:.4f},{y + width * 0.6:.4f}")
        _uuid, lon, lat = rng.choice(sites)
        centred.append(f"{items}&limit=100&bbox={lon - 1:.4f},{lat - 0.6:.4f},{lon + 1:.4f},{lat + 0.6:.4f}")
    return {
        "items page (limit 100)": [f"{items}&limit=100&offset={100 * rng.randrange(pages_of_100)}" for _ in range(50)],
        "single feature": [f"/collections/organisations/items/{rng.choice(sites)[0]}?f=json" for _ in range(200)],
        f"districts (limit {districts})": [f"/collections/districts/items?f=json&limit={districts}"],
        "random boxes": random_boxes,
        "boxes centred on sites": centred,
    }


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def _ids(document: dict) -> list[str]:
    return [str(f.get("id", f["properties"].get("id"))) for f in document.get("features", [])]


def compare(ours: str, peer: str, lists: dict[str, list[str]]) -> dict:
    """How many requests of each kind give the same answer. Boxes are compared whole (limit 1000):
    pygeoapi's OGR provider pages boxes wrongly with an offset (docs/benchmarks.md), and computes no
    numberMatched, so the sets of ids are compared, not pages. A box holding more than 1000 sites (at
    100,000 organisations) fits in no single page of either server and is left out of the comparison
    (`over_one_page`); our paging of such boxes is checked against a brute force by the tests
    (tests/api/test_ogc_bbox_index.py)."""
    agreement = {}
    for kind, paths in lists.items():
        same, checked, over = 0, 0, 0
        for path in paths[:20]:
            whole = path.replace("limit=100", "limit=1000") if "bbox=" in path else path
            a = _get(ours + "/ogc" + whole)
            if "bbox=" in path and a.get("numberMatched", 0) > 1000:
                over += 1
                continue
            b = _get(peer + whole)
            checked += 1
            if "items/" in path.split("?")[0]:
                same += a["geometry"]["coordinates"] == b["geometry"]["coordinates"] and (
                    a["properties"]["name"] == b["properties"]["name"]
                )
            elif "bbox=" in path:
                same += set(_ids(a)) == set(_ids(b))
            else:
                same += _ids(a) == _ids(b)
        agreement[kind] = {"checked": checked, "same": int(same)} | ({"over_one_page": over} if over else {})
    return agreement


def wait_for_quiet(max_load: float, minutes: float) -> float:
    deadline = time.time() + minutes * 60
    while os.getloadavg()[0] >= max_load:
        if time.time() > deadline:
            raise SystemExit(f"load average {os.getloadavg()[0]:.1f} >= {max_load}: not measuring on a busy machine")
        time.sleep(15)
    return os.getloadavg()[0]


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children (a gunicorn master and its workers), from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # from the state (field 3) on
        except OSError:
            continue  # ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # itself, or its child (ppid)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def settle(pids: list[int], step: float = 0.5, busy: float = 0.1, timeout: float = 60) -> float:
    """Wait until these servers stop working (under `busy` of a core over `step` seconds) and say how
    long it took: requests in flight when wrk stops go on, a slow kind's for seconds (pygeoapi's districts,
    3 s each), and would take the cores from the next run, whichever server it measures."""
    started = time.monotonic()
    before = sum(_cpu_seconds(pid) for pid in pids)
    while time.monotonic() - started < timeout:
        time.sleep(step)
        now = sum(_cpu_seconds(pid) for pid in pids)
        if now - before < busy * step:
            break
        before = now
    return time.monotonic() - started


def paired_rounds(ours: str, peer: str, lists: dict[str, list[str]], args, pids: list[int]) -> dict:
    results: dict[str, dict] = {kind: {"ours": [], "pygeoapi": [], "ratio": []} for kind in lists}
    for number in range(args.rounds):
        for kind, paths in lists.items():
            runs = {}
            order = ("ours", "pygeoapi") if number % 2 == 0 else ("pygeoapi", "ours")
            for server in order:
                base, prefix = (ours, "/ogc") if server == "ours" else (peer, "")
                settle(pids)  # neither server still busy with the last run's requests
                runs[server] = pages.run_wrk(base, [prefix + p for p in paths], args.connections, args.duration)
                results[kind][server].append(runs[server])
            results[kind]["ratio"].append(runs["ours"]["rps"] / max(runs["pygeoapi"]["rps"], 1e-9))
            print(f"round {number + 1} {kind}: ratio {results[kind]['ratio'][-1]:.2f}", flush=True)
    return {
        kind: {
            "ratio_median": statistics.median(r["ratio"]),
            "ratios": r["ratio"],
            **{
                f"{server}_{key}": statistics.median(run[key] for run in r[server])
                for server in ("ours", "pygeoapi")
                for key in ("rps", "p50_ms", "p95_ms")
            },
            "errors": {server: sum(run["errors"] for run in r[server]) for server in ("ours", "pygeoapi")},
        }
        for kind, r in results.items()
    }


def write_docs(results: dict) -> None:
    rows = [
        "| request | ours req/s | pygeoapi req/s | ratio (median of rounds) | ours p50 / p95 ms "
        "| pygeoapi p50 / p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, r in results["measured"].items():
        rows.append(
            f"| {kind} | {r['ours_rps']:.0f} | {r['pygeoapi_rps']:.0f} | {r['ratio_median']:.2f}x | "
            f"{r['ours_p50_ms']:.0f} / {r['ours_p95_ms']:.0f} | "
            f"{r['pygeoapi_p50_ms']:.0f} / {r['pygeoapi_p95_ms']:.0f} |"
        )
    agree = ", ".join(
        f"{k} {v['same']}/{v['checked']}"
        + (f" ({v['over_one_page']} more boxes hold over 1000 sites: not compared)" if v.get("over_one_page") else "")
        for k, v in results["agreement"].items()
    )
    tag = f"ogc-peer-{results['backend']}-{results['count']}"  # one block per database and size
    block = "\n".join(
        [
            f"<!-- {tag}:start -->",
            f"### /ogc beside pygeoapi {PYGEOAPI_VERSION} ({results['backend']}, {results['count']:,} organisations)",
            "",
            f"benchmarks/ogc_peer.py at {results['source']}, {results['measured_at']}: gunicorn {WORKERS} workers x "
            f"{THREADS} threads for both, wrk {results['connections']} connections, {results['duration']} s per kind "
            f"and server (each run once both servers are idle), {results['rounds']} paired rounds, load average "
            f"{results['load_before']:.1f} before. "
            f"Same answers: {agree}.",
            "",
            *rows,
            f"<!-- {tag}:end -->",
        ]
    )
    now = DOCS.read_text()
    if f"<!-- {tag}:start -->" in now:
        now = re.sub(f"<!-- {tag}:start -->.*<!-- {tag}:end -->", lambda _: block, now, flags=re.DOTALL)
    elif "<!-- ogc-peer:end -->" in now:  # after the first, small run
        now = now.replace("<!-- ogc-peer:end -->", "<!-- ogc-peer:end -->\n\n" + block, 1)
    else:
        now = now.rstrip() + "\n\n" + block + "\n"
    DOCS.write_text(now)


def main(argv=None) -> None:
    args = parse_args(argv)
    pygeoapi = ensure_pygeoapi()
    source, sha = build.prepare_source(args.snapshot)
    directory = build.BENCH_DIR / f"ogc-peer-{args.backend}-{args.count}"
    directory.mkdir(parents=True, exist_ok=True)
    url = build.database_url(args.backend, args.pg_url, args.count).replace(
        f"{args.backend}-{args.count}", f"ogc-peer-{args.backend}-{args.count}"
    )
    if not (args.reuse and build.organisation_count(url) == args.count):
        build.build(args.backend, url, args.count, source=source, rev=sha)
    ours_port, peer_port = pages.free_port(), pages.free_port()
    ours, peer = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{peer_port}"
    env = dict(os.environ, DATABASE_URL=url, INSTANCE_DIR=str(directory), PUBLIC_BASE_URL=ours, MAP_TILE_URL="")
    # As pygeoapi's gunicorn (below): workers never recycled (gunicorn.conf.py recycles ours every 5,000
    # requests in production, which would restart them, their caches cold, several times a run).
    env.update(PYTHONPATH=str(source), GUNICORN_THREADS=str(THREADS), GUNICORN_MAX_REQUESTS="0")
    server = pages.start_gunicorn(source, env, ours_port, WORKERS, directory / "gunicorn.log")
    peer_server = None
    try:
        geopackage = directory / "directory.gpkg"
        copy_to_geopackage(ours, geopackage)
        peer_server = start_pygeoapi(pygeoapi, geopackage, peer_port, directory)
        lists = request_lists(url, args.boxes, random.Random(args.seed))
        results = {
            "backend": args.backend,
            "count": args.count,
            "source": sha or "the working tree",
            "agreement": compare(ours, peer, lists),
        }
        print(json.dumps(results["agreement"]), flush=True)
        if not args.check_only:
            results.update(
                load_before=wait_for_quiet(args.max_load, args.wait_minutes),
                measured_at=time.strftime("%Y-%m-%d %H:%M %Z"),
                rounds=args.rounds,
                duration=args.duration,
                connections=args.connections,
            )
            results["measured"] = paired_rounds(ours, peer, lists, args, [server.pid, peer_server.pid])
    finally:
        for process in (server, peer_server):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    (build.BENCH_DIR / f"ogc-peer-{args.backend}-{args.count}.json").write_text(json.dumps(results, indent=2))
    if "measured" in results:
        write_docs(results)


if __name__ == "__main__":
    main()
