"""Building a dedicated benchmark directory on SQLite or PostgreSQL with the app's own CLI.

SQLite: a fresh file under build/bench/sqlite-<count>/. PostgreSQL: the database `cammina_bench`,
dropped and created here. Both are filled with `flask setup` then `flask demo --count N`, each
timed as a subprocess, and the times are kept in build/bench/<backend>-<count>/build.json so that a
later --reuse run can still report them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_ROOT / "build" / "bench"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cammina_bench"


def instance_dir(backend: str, count: int) -> Path:
    """Where the SQLite file, the secret key, build times and results of a run are kept."""
    return BENCH_DIR / f"{backend}-{count}"


def database_url(backend: str, pg_url: str, count: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{instance_dir('sqlite', count) / 'directory.sqlite3'}"
    return pg_url


def organisation_count(url: str) -> int | None:
    """Organisations in an existing benchmark database, or None if there is none."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        if not path.exists():
            return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM organisation")).scalar()
    except Exception:  # no database, no schema
        return None
    finally:
        engine.dispose()


def _recreate_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def prepare_source(rev: str | None) -> tuple[Path, str | None]:
    """The project tree to benchmark and its commit: the working tree (rev None), or a commit
    exported with `git archive` (read-only for the repository) to build/bench/src-<sha>/, so
    that the build and the measurements run one fixed version of the app while others edit
    the working tree."""
    if not rev:
        return PROJECT_ROOT, None
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    target = BENCH_DIR / f"src-{sha}"
    if not (target / "directory_app").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(["git", "archive", sha], cwd=PROJECT_ROOT, stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise RuntimeError(f"git archive {sha} failed")
    return target, sha


def _flask(args: list[str], env: dict, log: Path, source: Path) -> float:
    """Run one `flask` command; returns its wall time in seconds (output goes to log)."""
    start = time.perf_counter()
    with log.open("a") as out:
        out.write(f"\n$ flask {' '.join(args)}\n")
        out.flush()
        subprocess.run([sys.executable, "-m", "flask", *args], cwd=source, env=env,
                       stdout=out, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - start


def build(backend: str, url: str, count: int, log=print, source: Path = PROJECT_ROOT, rev: str | None = None) -> dict:
    """Create an empty database, run `flask setup` and `flask demo --count N`; returns times."""
    directory = instance_dir(backend, count)
    directory.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)
    else:
        _recreate_postgres_database(url)
    env = dict(os.environ, FLASK_APP="directory_app", INSTANCE_DIR=str(directory), DATABASE_URL=url,
               PYTHONPATH=str(source))
    build_log = directory / "build.log"
    build_log.write_text("")
    log(f"[{backend}] flask setup ...")
    times = {"setup_s": _flask(["setup"], env, build_log, source)}
    log(f"[{backend}] flask demo --count {count} ... (log: {build_log})")
    times["demo_s"] = _flask(["demo", "--count", str(count)], env, build_log, source)
    if backend == "postgresql":
        # The app's `flask demo` ends with VACUUM ANALYZE since commit 70015d0; this one is
        # kept so that older commits are measured with statistics too (it then has little to do).
        start = time.perf_counter()
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
        times["vacuum_analyze_s"] = time.perf_counter() - start
    times.update(count=count, source=rev or "working tree", built_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                 load_during_build=os.getloadavg()[0])
    (directory / "build.json").write_text(json.dumps(times, indent=2))
    log(f"[{backend}] built: setup {times['setup_s']:.1f} s, demo {times['demo_s']:.1f} s")
    return times


def previous_build(backend: str, count: int) -> dict:
    path = instance_dir(backend, count) / "build.json"
    return json.loads(path.read_text()) if path.exists() else {}
