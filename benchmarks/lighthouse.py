"""Lighthouse scores of the pages people use most: performance, accessibility, best practices and SEO,
with Lighthouse's default mobile emulation and throttling, in Debian's Chromium.

    npm install --prefix build/lighthouse lighthouse@12.2.3     # once (the npm registry)
    .venv/bin/python benchmarks/lighthouse.py http://127.0.0.1:5000 / /directory "/districts/GT-US-HOUSTON" ...

The server is any running instance (gunicorn as in docs/deploy.md for numbers worth writing down);
pages are read as the public reads them. Each page is measured --runs times (default 3) and the median
of each score is printed as a Markdown table (docs/benchmarks.md, "Lighthouse"), with the failing
audits of the categories below 100 so that they can be fixed. The JSON reports stay in --out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess  # nosec B404 (runs the operator's Lighthouse on the operator's URLs)
from pathlib import Path

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run(lighthouse: Path, url: str, report: Path, chromium: str) -> dict:
    """One Lighthouse run; its JSON report (lhr)."""
    command = [
        str(lighthouse),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium})  # nosec B603
    return json.loads(report.read_text(encoding="utf-8"))


def failing_audits(lhr: dict, category: str) -> list[str]:
    """The audits of a category that lost points (score below 1, weighted)."""
    refs = lhr["categories"][category]["auditRefs"]
    audits = lhr["audits"]
    return [
        ref["id"]
        for ref in refs
        if ref.get("weight", 0) > 0 and audits[ref["id"]].get("score") is not None and audits[ref["id"]]["score"] < 1
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:5000")
    parser.add_argument("paths", nargs="+", help="pages to measure, e.g. /districts/GT-US-HOUSTON")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lighthouse", type=Path, default=Path("build/lighthouse/node_modules/.bin/lighthouse"))
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--out", type=Path, default=Path("build/lighthouse/reports"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print("| page | performance | accessibility | best practices | SEO | audits below 1 |")
    print("|---|---:|---:|---:|---:|---|")
    for number, path in enumerate(args.paths):
        scores: dict[str, list[float]] = {category: [] for category in CATEGORIES}
        failing: set[str] = set()
        for attempt in range(args.runs):
            lhr = run(
                args.lighthouse, args.base.rstrip("/") + path, args.out / f"{number}-{attempt}.json", args.chromium
            )
            for category in CATEGORIES:
                scores[category].append(lhr["categories"][category]["score"] * 100)
                failing.update(failing_audits(lhr, category))
        medians = [f"{statistics.median(scores[category]):.0f}" for category in CATEGORIES]
        print(f"| `{path}` | {' | '.join(medians)} | {', '.join(sorted(failing)) or '-'} |", flush=True)


if __name__ == "__main__":
    main()
