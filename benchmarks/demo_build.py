"""Time demo generation in-process, with or without a proposed fix (see proposals.py).

    .venv/bin/python benchmarks/demo_build.py --snapshot HEAD --count 100000 [--patched]

Builds a fresh SQLite directory under build/bench/demo-<count>[-patched]/ with `flask setup`
(a subprocess, as users run it), then runs what `flask demo` runs (generate_demo, commit,
refresh of planner statistics) in this process, timed, optionally with
proposals.insert_district_coverage_of in place of the app's district-coverage insert. This
isolates the cost of `flask demo` that comes from the query plan of that insert.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import build  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--patched", action="store_true", help="use the proposed district-coverage insert")
    parser.add_argument("--snapshot", metavar="REV", default=None, help="commit to measure (default: working tree)")
    parser.add_argument("--profile", action="store_true", help="write a cProfile of generate_demo beside the database")
    args = parser.parse_args(argv)
    source, rev = build.prepare_source(args.snapshot)
    sys.path.insert(0, str(source))
    directory = build.BENCH_DIR / f"demo-{args.count}{'-patched' if args.patched else ''}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    url = f"sqlite:///{directory / 'directory.sqlite3'}"
    env = dict(
        os.environ, FLASK_APP="directory_app", INSTANCE_DIR=str(directory), DATABASE_URL=url, PYTHONPATH=str(source)
    )
    setup_s = build._flask(["setup"], env, directory / "build.log", source)
    os.environ["INSTANCE_DIR"] = str(directory)

    from directory_app import create_app
    from directory_app.cli.setup import refresh_planner_statistics
    from directory_app.demo.generator import generate_demo
    from directory_app.extensions import db
    from directory_app.organisations import coverage

    patch = nullcontext()
    if args.patched:
        from benchmarks import proposals

        patch = mock.patch.object(coverage, "_recompute_batch", proposals.recompute_batch)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    profiler = cProfile.Profile() if args.profile else None
    with app.app_context(), patch:
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        added = generate_demo(args.count)
        db.session.commit()
        if profiler:
            profiler.disable()
            profiler.dump_stats(directory / "generate_demo.prof")
        generated_s = time.perf_counter() - start
        db.session.close()
        refresh_planner_statistics()
        total_s = time.perf_counter() - start
    result = {
        "commit": rev or "working tree",
        "count": args.count,
        "added": added,
        "patched": args.patched,
        "setup_s": setup_s,
        "generate_and_commit_s": generated_s,
        "with_statistics_s": total_s,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    (directory / "demo_build.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
