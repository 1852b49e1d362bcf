"""Spatial benchmarks of the CAMMINA Directory on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/spatial.py --backend both --count 100000 --queries 500

builds a dedicated directory per backend (see benchmarks/build.py), then measures, each beside
the naive geopandas way (benchmarks/naive.py) and with answers cross-checked:
1. organisations serving a district (first page of 50 + total), 2. the 10 nearest organisations
to a point, 3. saving one organisation with its coverage, 4. the full coverage rebuild.
Results go to build/bench/<backend>-<count>/results.json and into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import build  # noqa: E402

# Imported by main() once sys.path holds the app version to measure (see --snapshot):
measure = report = None
DOCS = build.PROJECT_ROOT / "docs" / "benchmarks.md"

BACKENDS = ("sqlite", "postgresql")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--count", type=int, default=100_000, help="demo organisations (default 100000)")
    parser.add_argument("--queries", type=int, default=500, help="fast queries per read benchmark (default 500)")
    parser.add_argument("--naive-queries", type=int, default=5,
                        help="naive per-query runs per read benchmark (slow; default 5)")
    parser.add_argument("--check-districts", type=int, default=40,
                        help="distinct districts whose full answer is compared with the naive one (default 40)")
    parser.add_argument("--check-points", type=int, default=500,
                        help="nearest-queries compared with the naive answer (default 500)")
    parser.add_argument("--saves", type=int, default=100, help="organisations saved and rolled back (default 100)")
    parser.add_argument("--commits", type=int, default=20, help="organisations saved and committed (default 20)")
    parser.add_argument("--naive-saves", type=int, default=10, help="naive saves (default 10)")
    parser.add_argument("--naive-rebuild-sample", type=int, default=10_000,
                        help="organisations in the naive rebuild, extrapolated linearly; 0 = all (default 10000)")
    parser.add_argument("--proposals", action="store_true",
                        help="after the baseline, apply the proposed app changes (benchmarks/proposals.py) "
                             "in this process and measure again")
    parser.add_argument("--proposals-only", action="store_true",
                        help="like --reuse --proposals, but keep the baseline results of the last run")
    parser.add_argument("--skip-rebuild", action="store_true", help="do not run the full rebuild")
    parser.add_argument("--seed", type=int, default=20261101, help="seed of the query workloads")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a benchmark database that already holds --count organisations")
    parser.add_argument("--build-only", action="store_true", help="build the databases and stop")
    parser.add_argument("--pg-url", default=build.DEFAULT_PG_URL, help=f"default {build.DEFAULT_PG_URL}")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats of the fast runs here")
    parser.add_argument("--docs", type=Path, default=DOCS, help="markdown file to update")
    parser.add_argument("--snapshot", metavar="REV", default=None,
                        help="benchmark this commit (exported with git archive to build/bench/src-<sha>/) "
                             "instead of the working tree, which others may be editing")
    parser.add_argument("--no-docs", action="store_true", help="do not update the markdown file")
    parser.add_argument("--render-only", action="store_true",
                        help="only rewrite the markdown file from the results of the last runs")
    args = parser.parse_args(argv)
    if args.proposals_only:
        args.reuse = args.proposals = True
    return args


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def code_version() -> dict:
    """The commit and the files changed in the working tree (read-only git commands), or the
    exported commit measured (--snapshot)."""
    if SOURCE["rev"]:
        return {"head": SOURCE["rev"], "modified": [], "snapshot": str(SOURCE["root"])}
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=build.PROJECT_ROOT, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    return {"head": git("rev-parse", "--short", "HEAD"),
            "modified": [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]}


SOURCE = {"root": build.PROJECT_ROOT, "rev": None}


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    url = build.database_url(backend, args.pg_url, args.count)
    existing = build.organisation_count(url)
    previous = build.previous_build(backend, args.count).get("source", "working tree")
    if args.reuse and existing is not None and previous != (SOURCE["rev"] or "working tree"):
        log(f"[{backend}] the database was built by {previous}, not {SOURCE['rev'] or 'the working tree'}: building")
        existing = None
    if args.reuse and existing is not None and existing >= args.count:
        log(f"[{backend}] reusing {url} ({existing} organisations)")
        build_times = build.previous_build(backend, args.count)
    else:
        if args.reuse:
            log(f"[{backend}] nothing to reuse ({existing} organisations): building")
        build_times = build.build(backend, url, args.count, log, SOURCE["root"], SOURCE["rev"])
    if args.build_only:
        return {}

    from directory_app import create_app
    from directory_app.extensions import db

    os.environ["INSTANCE_DIR"] = str(build.instance_dir(backend, args.count))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    profile = args.profile / backend if args.profile else None
    results = {"backend": backend, "url": url, "build": build_times,
               "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
               "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/spatial.py", *sys.argv[1:]]),
               "code": code_version()}
    baseline_path = build.instance_dir(backend, args.count) / "results.json"
    if args.proposals_only:
        results = json.loads(baseline_path.read_text())
        log(f"[{backend}] baseline results of {results['started']} kept")
        if "boundary_overlaps" not in results["data"]:  # results of an older version of this script
            with app.app_context():
                results["data"]["boundary_overlaps"] = measure.compare.boundary_overlaps(db.session)
            save(results, baseline_path)
    else:
        with app.app_context():
            results["machine"] = report.machine(backend)
            results["data"] = measure.data_size()
            log(f"[{backend}] data: { {k: v for k, v in results['data'].items() if k != 'boundary_overlaps'} }")
            results |= measure_all(backend, args, profile, naive_runs=True)
        save(results, baseline_path)
    if not args.proposals:  # an older proposals run no longer matches this baseline
        (build.instance_dir(backend, args.count) / "results-proposed.json").unlink(missing_ok=True)
    else:
        from benchmarks import proposals

        proposed = {k: results[k] for k in ("backend", "url", "build", "machine", "data")}
        proposed |= {"args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                     "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/spatial.py", *sys.argv[1:]]),
                     "code": code_version()}
        with app.app_context():
            proposed["applied"] = {"schema_s": proposals.apply_schema(), "analyze_s": proposals.analyze()}
            log(f"[{backend}] proposals: schema {proposed['applied']['schema_s']:.1f} s, "
                f"ANALYZE {proposed['applied']['analyze_s']:.1f} s")
            with contextlib.ExitStack() as stack:
                for patch in proposals.patches():
                    stack.enter_context(patch)
                proposed |= measure_all(backend, args, profile and profile / "proposed", naive_runs=False)
            proposals.revert_schema()
        save(proposed, build.instance_dir(backend, args.count) / "results-proposed.json")
    with app.app_context():
        db.engine.dispose()
    return results


def measure_all(backend: str, args: argparse.Namespace, profile: Path | None, naive_runs: bool) -> dict:
    """The four measurements (inside an app context). Without naive_runs, the naive way is
    only used for the correctness checks, not timed per query."""
    label = backend if naive_runs else f"{backend}, proposals"
    naive_queries = args.naive_queries if naive_runs else 0
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load_before": os.getloadavg()}
    log(f"[{label}] 1. organisations serving a district")
    results["serving"] = measure.serving(random.Random(args.seed), args.queries, naive_queries,
                                         args.check_districts, profile, log)
    log(f"[{label}] 2. nearest organisations")
    results["nearest"] = measure.nearest(random.Random(args.seed + 1), args.queries, naive_queries,
                                         args.check_points, profile, log)
    log(f"[{label}] 3. saving one organisation")
    results["save"] = measure.save(random.Random(args.seed + 2), args.saves, args.commits, args.naive_saves,
                                   profile, log)
    if not args.skip_rebuild:
        log(f"[{label}] 4. full coverage rebuild")
        sample = args.naive_rebuild_sample if naive_runs else min(args.naive_rebuild_sample or 2000, 2000)
        results["rebuild"] = measure.rebuild(random.Random(args.seed + 3), sample, profile, log)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    results["load_after"] = os.getloadavg()
    return results


def save(results: dict, path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, default=str))
    log(f"[{results['backend']}] results written to {path}")


def main(argv=None) -> None:
    global measure, report
    args = parse_args(argv)
    SOURCE["root"], SOURCE["rev"] = build.prepare_source(args.snapshot)
    if SOURCE["rev"]:
        sys.path.insert(0, str(SOURCE["root"]))
        log(f"measuring commit {SOURCE['rev']} from {SOURCE['root']}")
    from benchmarks import measure, report  # noqa: F811

    if args.render_only:
        report.write(args.docs, [build.instance_dir(b, args.count) / "results.json" for b in BACKENDS],
                     [build.instance_dir(b, args.count) / "results-proposed.json" for b in BACKENDS])
        log(f"updated {args.docs}")
        return
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    for backend in backends:
        run_backend(backend, args)
    if not args.build_only and not args.no_docs:
        report.write(args.docs, [build.instance_dir(b, args.count) / "results.json" for b in BACKENDS],
                     [build.instance_dir(b, args.count) / "results-proposed.json" for b in BACKENDS])
        log(f"updated {args.docs}")


if __name__ == "__main__":
    main()
