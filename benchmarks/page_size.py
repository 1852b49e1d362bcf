"""How big and how long pages are: HTML bytes (raw and gzip level 6) and the page height in Debian's
Chromium at 390x844 (a phone) and 1366x900 (a laptop), as "screens" (height / viewport height).

    .venv/bin/python benchmarks/page_size.py http://127.0.0.1:5000 "/districts/GT-US-HOUSTON?lang=es" ...

The server is any running instance (flask run, gunicorn); pages are read as the public reads them.
Results are printed as a Markdown table (docs/benchmarks.md, "District page as a referral tool").
"""

from __future__ import annotations

import argparse
import gzip
import os
import urllib.request

from playwright.sync_api import sync_playwright

VIEWPORTS = ((390, 844), (1366, 900))


def measure(base: str, paths: list[str], chromium: str) -> list[dict]:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for path in paths:
            with urllib.request.urlopen(base + path) as response:  # nosec B310 (a URL the operator gives)
                html = response.read()
            row = {"path": path, "bytes": len(html), "gzip": len(gzip.compress(html, 6))}
            for width, height in VIEWPORTS:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(base + path, wait_until="load")
                scroll_height, scroll_width = page.evaluate(
                    "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
                )
                row[width] = (scroll_height, scroll_width, scroll_height / height)
                page.close()
            rows.append(row)
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:5000")
    parser.add_argument("paths", nargs="+", help="pages to measure, e.g. /districts/GT-US-HOUSTON?lang=es")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    print("| page | HTML KB | gzip KB | height at 390 px (screens) | height at 1366 px (screens) | widest at 390 px |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in measure(args.base.rstrip("/"), args.paths, args.chromium):
        phone, laptop = row[390], row[1366]
        print(
            f"| `{row['path']}` | {row['bytes'] / 1000:.1f} | {row['gzip'] / 1000:.1f} | "
            f"{phone[0]:,} px ({phone[2]:.1f}) | {laptop[0]:,} px ({laptop[2]:.1f}) | {phone[1]} px |"
        )


if __name__ == "__main__":
    main()
