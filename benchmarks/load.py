"""Load test: 200 concurrent users on the production set-up (gunicorn workers on PostgreSQL, rate limits
in Redis, APP_ENV=production, started by scripts/serve-production.sh), on 127.0.0.1 only, bounded in time.

    .venv/bin/python benchmarks/load.py                      # 200 users, 5 minutes (the benchmark)
    .venv/bin/python benchmarks/load.py --duration 20 --reuse   # a smoke run

The page cache is in Redis as docs/deploy.md sets it up (PAGE_CACHE_URL), empty at the start; one JSON
log line per request, as in production. Before the measured run, `--warmup` seconds of 20 readers (users
arrive over a while, not all in the server's first second; reported apart, errors included).

With no proxy in front, gunicorn keeps the readers' connections open 75 s (GUNICORN_KEEPALIVE, as nginx
keeps browsers') and does not recycle workers during the run (GUNICORN_MAX_REQUESTS=0: a recycled worker
drops its idle connections, which nginx would retry and wrk counts as errors).

Users: `--users` minus `--editors` readers driven by wrk (one keep-alive connection each; each request a
URL drawn at random from the public map, directory searches, district pages and organisation pages,
then a pause of `--think` seconds on average, like a person reading: exponential, default 2 s; 0 for a
stress test with no pause) and `--editors` signed-in editors (Technical Secretariat accounts made for
the run), each in a loop: open an organisation's edit form, change its description, save (a published
revision), pause `--editor-think` seconds on average (default 10 s); one organisation per editor so that
they never conflict. Errors: any non-2xx/3xx answer, timeout or socket
error. Results: build/bench/load.json and docs/benchmarks.md between `<!-- load:start -->` and
`<!-- load:end -->`. Needs wrk, PostgreSQL at --pg-url and Redis at --redis-url.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import build  # noqa: E402
from benchmarks.pages import free_port, run_wrk, sample_urls  # noqa: E402
from tests.review.helpers import form_fields  # noqa: E402

ROOT = build.PROJECT_ROOT
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
PASSWORD_FILE = ROOT / "build" / "bench" / "load-editor-password"


def _editor_password() -> str:
    """One password for the run's editor accounts, kept so that a later --reuse run can sign in."""
    if not PASSWORD_FILE.exists():
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.write_text("load-test-" + secrets.token_hex(8))
        PASSWORD_FILE.chmod(0o600)
    return PASSWORD_FILE.read_text().strip()


EDITOR_PASSWORD = _editor_password()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--editors", type=int, default=10, help="of the users, how many edit (default 10)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="readers' mean pause between pages, s (exponential; default 2; 0: none, a stress test)")
    parser.add_argument("--editor-think", type=float, default=10.0,
                        help="editors' mean pause between saves, s (exponential; default 10; 0: none)")  # fmt: skip
    parser.add_argument("--duration", type=int, default=300, help="seconds (default 300)")
    parser.add_argument("--count", type=int, default=2000, help="demo organisations (default 2000)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (default 5 on 2 cores)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4, as gunicorn.conf.py)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="seconds of 20 readers before the measured run (default 20; reported apart)")  # fmt: skip
    parser.add_argument("--reuse", action="store_true", help="reuse a database holding --count organisations")
    parser.add_argument("--pg-url", default=build.DEFAULT_PG_URL.replace("cammina_bench", "cammina_load"))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--page-cache-url", default="redis://127.0.0.1:6379/14", help="PAGE_CACHE_URL, emptied at the start"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    return parser.parse_args(argv)


def prepare_database(args) -> None:
    if not (args.reuse and build.organisation_count(args.pg_url) == args.count):
        build.build("postgresql", args.pg_url, args.count)
    env = dict(os.environ, FLASK_APP="directory_app", DATABASE_URL=args.pg_url)
    for i in range(args.editors):
        command = [sys.executable, "-m", "flask", "create-user", f"load-editor-{i}@example.org", "--role", "ts_admin",
                   "--password-stdin"]  # fmt: skip
        # An editor from an earlier run exists already (create-user refuses it): same password, kept in build/.
        subprocess.run(command, env=env, input=EDITOR_PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT)


def start_server(args, port: int, log: Path) -> subprocess.Popen:
    import redis

    redis.Redis.from_url(args.page_cache_url).flushdb()  # every page rendered once during the run
    env = dict(os.environ, APP_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=args.pg_url,
               RATELIMIT_STORAGE_URI=args.redis_url, LOGIN_RATE_LIMIT="1000/minute", BIND=f"127.0.0.1:{port}",
               PAGE_CACHE_URL=args.page_cache_url,
               # No proxy in front: keep the readers' connections open as nginx keeps browsers' (75 s), and
               # do not recycle workers during the run (a recycled worker drops its idle keep-alive
               # connections; nginx retries such a GET on another worker, wrk counts it as an error).
               GUNICORN_KEEPALIVE="75", GUNICORN_MAX_REQUESTS="0",
               WEB_CONCURRENCY=str(args.workers), GUNICORN_THREADS=str(args.threads), MAP_TILE_URL="", REQUEST_LOG="1",
               VENV=str(Path(sys.executable).parent.parent))  # fmt: skip
    server = subprocess.Popen([str(ROOT / "scripts" / "serve-production.sh")], env=env, cwd=ROOT,
                              stdout=log.open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server did not start: see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server was not ready within 120 s: see {log}")


class Editor(threading.Thread):
    """A signed-in editor saving one organisation's description again and again."""

    def __init__(self, port: int, email: str, uuid: str, stop: threading.Event, think: float = 0.0):
        super().__init__(daemon=True)
        self.port, self.email, self.uuid, self.stop = port, email, uuid, stop
        self.think = think
        self.rng = random.Random(email)
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def _send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for name, value in response.getheaders():  # Secure cookies over loopback http: kept by hand
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def _sign_in(self) -> None:
        status, html = self._send("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        form = {"email": self.email, "password": EDITOR_PASSWORD, "csrf_token": token}
        status, _ = self._send("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"{self.email} could not sign in ({status})")

    def run(self) -> None:
        try:
            self._sign_in()
        except Exception as exc:  # noqa: BLE001 - reported as an error of the run
            self.errors.append(str(exc))
            return
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.perf_counter()
            try:
                status, html = self._send("GET", f"/organisations/{self.uuid}/edit")
                form = form_fields(html) if status == 200 else {}
                form["description"] = f"Edited by the load test, save {n} at {time.time():.3f}."
                status, _ = self._send("POST", f"/organisations/{self.uuid}/edit", form) if form else (status, "")
            except Exception as exc:  # noqa: BLE001 - any failure counts
                status = f"{type(exc).__name__}: {exc}"
            self.latencies.append((time.perf_counter() - started) * 1000)
            if status != 302:
                self.errors.append(str(status))
            if self.think > 0:
                self.stop.wait(self.rng.expovariate(1 / self.think))  # filling in the next change


def run_editors(port: int, uuids: list[str], count: int, duration: int, think: float = 0.0) -> dict:
    stop = threading.Event()
    editors = [Editor(port, f"load-editor-{i}@example.org", uuids[i], stop, think) for i in range(count)]
    for editor in editors:
        editor.start()
    time.sleep(duration)
    stop.set()
    for editor in editors:
        editor.join(timeout=60)
    latencies = sorted(x for e in editors for x in e.latencies)
    errors = [x for e in editors for x in e.errors]
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else None
    return {"saves": len(latencies), "saves_per_s": round(len(latencies) / duration, 2), "errors": len(errors),
            "error_samples": errors[:5], "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(p95, 1) if p95 else None}  # fmt: skip


def write_docs(results: dict) -> None:
    r, e = results["readers"], results["editors"]
    text = "\n".join([
        START,
        f"### Load: {results['users']} concurrent users for {results['duration']} s (benchmarks/load.py)",
        "",
        f"Production set-up on one machine ({os.cpu_count()} cores, shared with the load generator): "
        f"scripts/serve-production.sh, {results['workers']} gunicorn workers x {results['threads']} threads, "
        f"PostgreSQL, Redis rate limits, page cache in Redis (empty at the start of the warm-up), one JSON log "
        f"line per request, "
        f"{results['count']} organisations; readers pause {results['think_s']:g} s on average between pages, "
        f"editors {results['editor_think_s']:g} s between saves; measured {results['measured_at']}"
        f" (load average at start {results['load_at_start']:.1f}).",
        "",
        "| users | kind | requests | per second | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|",
        f"| {results['users'] - results['editor_count']} | readers: map, search, districts, organisations (wrk) | "
        f"{r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} |",
        f"| {results['editor_count']} | editors: open form + save (2 requests) | {e['saves']} | {e['saves_per_s']} | "
        f"{e['p50_ms']} | {e['p95_ms']} | | {e['errors']} |",
    ] + ([
        f"| 20 | warm-up before the run ({results['warmup_s']} s, not counted above) | {w['requests']} | {w['rps']} | "
        f"{w['p50_ms']} | {w['p95_ms']} | {w['p99_ms']} | {w['errors']} |",
    ] if (w := results.get("warmup")) else []) + [
        "",
        END,
    ])  # fmt: skip
    current = DOCS.read_text()
    if START in current:
        before, rest = current.split(START, 1)
        current = before + text + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    DOCS.write_text(current)


def main(argv=None) -> None:
    args = parse_args(argv)
    prepare_database(args)
    rng = random.Random(20261129)
    kinds = sample_urls(args.pg_url, rng)
    map_urls = ["/map"] * 10 + ["/maps/organisations.geojson"] * 10 + ["/maps/districts.geojson"] * 5
    urls = map_urls + [u for kind in kinds.values() for u in kind]
    uuids = [u.rsplit("/", 1)[1] for u in kinds["organisation page"]]
    port = free_port()
    out = ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    server = start_server(args, port, out / "load-server.log")
    try:
        results = {"users": args.users, "editor_count": args.editors, "duration": args.duration,
                   "think_s": args.think, "editor_think_s": args.editor_think, "threads": args.threads,
                   "warmup_s": args.warmup,
                   "workers": args.workers, "count": args.count, "load_at_start": os.getloadavg()[0],
                   "measured_at": time.strftime("%Y-%m-%d %H:%M %Z")}  # fmt: skip
        editing = {}
        editors = threading.Thread(
            target=lambda: editing.update(run_editors(port, uuids, args.editors, args.duration, args.editor_think)),
            daemon=True,
        )
        os.environ["THINK_MS"] = str(int(args.think * 1000))  # read by wrk_urls.lua
        if args.warmup:  # users arrive over a while, not all in the server's first second
            results["warmup"] = run_wrk(f"http://127.0.0.1:{port}", urls, 20, args.warmup)
        editors.start()
        results["readers"] = run_wrk(f"http://127.0.0.1:{port}", urls, args.users - args.editors, args.duration)
        editors.join()
        results["editors"] = editing
    finally:
        server.terminate()
        server.wait(timeout=60)
    (out / "load.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    if not args.no_docs:
        write_docs(results)
    if results["readers"]["errors"] or results["editors"]["errors"]:
        raise SystemExit("errors under load: see build/bench/load.json and " + str(out / "load-server.log"))


if __name__ == "__main__":
    main()
