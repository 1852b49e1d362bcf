#!/usr/bin/env python3
"""Validate data/consulates.csv (consular offices of RCM member countries).

Checks
  * exact header row, UTF-8, one record per line
  * unique, well-formed codes ({SENDING}-{HOST}-{CITYSLUG} or JOINT-{HOST}-{CITYSLUG})
  * allowed ``kind`` and ``status`` values; a ``source`` and a ``source_date`` (YYYY, YYYY-MM,
    YYYY-MM-DD or "undated") on every row; no two rows of the same office (same countries, same city)
  * ISO 3166-1 alpha-2 codes restricted to the 11 RCM members
  * ``region`` is an ISO 3166-2 code of the host country
  * lat/lon numeric, in range, and inside a plausible bounding box of the host country
  * when an admin-1 boundary file exists (default data/boundaries/admin1.geojson, features
    with a ``code`` property holding the ISO 3166-2 code), each point lies in the admin-1
    unit named by ``region`` (a small tolerance absorbs coarse coastlines)

Exit status: 0 when there are no errors (warnings allowed), 1 otherwise, 2 on usage errors.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

HEADER = ["code", "kind", "status", "sending_countries", "host_country", "city", "region",
          "lat", "lon", "position_source", "name_es", "name_en", "source", "source_date", "note"]
# Service windows are in data/consular_windows.csv, attached to their consulate; a joint office of
# several countries would still be a `service_window` row here (none is shipped: TRICAMEX is a network).
KINDS = {"consulate_general", "consulate", "consular_section", "mobile_consulate", "service_window"}
STATUSES = {"open", "announced", "suspended"}
SOURCE_DATE_RE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$|^undated$")
# Regional Conference on Migration (RCM / Conferencia Regional sobre Migración) members
MEMBERS = {"BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US"}
# Plausible bounding boxes (lon_min, lat_min, lon_max, lat_max), generous by a few tenths of a
# degree; US includes Alaska, Hawaii and Puerto Rico, CR includes Isla del Coco.
BBOX = {
    "US": (-179.9, 17.5, -64.3, 71.6),
    "CA": (-141.1, 41.6, -52.5, 83.2),
    "MX": (-118.5, 14.4, -86.6, 32.8),
    "GT": (-92.3, 13.6, -88.1, 17.9),
    "HN": (-89.4, 12.9, -83.1, 17.5),
    "SV": (-90.2, 13.1, -87.6, 14.5),
    "NI": (-87.8, 10.6, -82.6, 15.1),
    "CR": (-87.2, 5.4, -82.5, 11.3),
    "PA": (-83.1, 7.1, -77.1, 9.7),
    "BZ": (-89.3, 15.8, -87.4, 18.6),
    "DO": (-72.1, 17.4, -68.3, 20.0),
}
CODE_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)+$")
REGION_RE = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")
NUM_RE = re.compile(r"^-?\d{1,3}\.\d{1,6}$")


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, row: int | None, msg: str) -> None:
        self.errors.append(f"row {row}: {msg}" if row is not None else msg)

    def warn(self, row: int | None, msg: str) -> None:
        self.warnings.append(f"row {row}: {msg}" if row is not None else msg)


def check_rows(path: Path, rep: Report) -> list[dict]:
    """Structural checks. Row numbers are file line numbers (header = row 1)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        rep.error(None, f"{path}: not valid UTF-8 ({exc})")
        return []
    if text.startswith("\ufeff"):
        rep.error(None, "file starts with a UTF-8 BOM; write plain UTF-8")
        text = text[1:]
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        rep.error(None, "empty file")
        return []
    if header != HEADER:
        rep.error(1, f"header must be exactly {','.join(HEADER)!r}, got {','.join(header)!r}")
        return []
    rows: list[dict] = []
    codes: dict[str, int] = {}
    offices: dict[tuple, int] = {}
    for lineno, rec in enumerate(reader, start=2):
        if not any(f.strip() for f in rec):
            rep.error(lineno, "blank line")
            continue
        if len(rec) != len(HEADER):
            rep.error(lineno, f"expected {len(HEADER)} fields, got {len(rec)}")
            continue
        r = dict(zip(HEADER, rec))
        r["_row"] = lineno
        for k in HEADER:
            if r[k] != r[k].strip():
                rep.error(lineno, f"{k}: leading/trailing whitespace")
        for k in ("code", "kind", "status", "sending_countries", "host_country", "city", "region",
                  "lat", "lon", "position_source", "name_es", "name_en", "source", "source_date"):
            if not r[k].strip():
                rep.error(lineno, f"{k} is empty")
        if r["status"] not in STATUSES:
            rep.error(lineno, f"status {r['status']!r} not in {sorted(STATUSES)}")
        if r["source_date"] and not SOURCE_DATE_RE.match(r["source_date"]):
            rep.error(lineno, f"source_date {r['source_date']!r}: write YYYY, YYYY-MM, YYYY-MM-DD or 'undated'")
        office = (r["sending_countries"], r["host_country"], r["city"].casefold())
        if r["kind"] != "mobile_consulate":
            if office in offices:
                rep.error(lineno, f"same office as row {offices[office]} (same countries, same city)")
            offices.setdefault(office, lineno)

        code = r["code"]
        if code in codes:
            rep.error(lineno, f"duplicate code {code!r} (first at row {codes[code]})")
        else:
            codes[code] = lineno
        if not CODE_RE.match(code):
            rep.error(lineno, f"code {code!r}: use uppercase ASCII letters, digits and single hyphens")

        if r["kind"] not in KINDS:
            rep.error(lineno, f"kind {r['kind']!r} not in {sorted(KINDS)}")

        senders = r["sending_countries"].split(";") if r["sending_countries"] else []
        for s in senders:
            if s not in MEMBERS:
                rep.error(lineno, f"sending country {s!r} is not an RCM member alpha-2 code")
        if len(set(senders)) != len(senders):
            rep.error(lineno, "sending_countries has duplicates")
        host = r["host_country"]
        if host not in MEMBERS:
            rep.error(lineno, f"host_country {host!r} is not an RCM member alpha-2 code")
        if host in senders:
            rep.error(lineno, "host_country is also a sending country")

        joint = len(senders) > 1
        if joint:
            if not code.startswith(f"JOINT-{host}-"):
                rep.error(lineno, f"joint office code must start with JOINT-{host}-")
            if not r["note"].strip():
                rep.error(lineno, "joint office must say in note what is factual and what is illustrative")
        elif senders and not code.startswith(f"{senders[0]}-{host}-"):
            rep.error(lineno, f"code must start with {senders[0]}-{host}-")
        if code.startswith("JOINT-") and not joint:
            rep.error(lineno, "JOINT- code needs at least two sending countries")

        m = REGION_RE.match(r["region"])
        if not m:
            rep.error(lineno, f"region {r['region']!r} is not an ISO 3166-2 code")
        elif m.group(1) != host:
            rep.error(lineno, f"region {r['region']!r} does not belong to host country {host!r}")

        lat = lon = None
        for k in ("lat", "lon"):
            if not NUM_RE.match(r[k]):
                rep.error(lineno, f"{k} {r[k]!r} is not a decimal number")
        try:
            lat, lon = float(r["lat"]), float(r["lon"])
        except ValueError:
            pass
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                rep.error(lineno, f"lat/lon out of range: {lat}, {lon}")
            elif host in BBOX:
                x0, y0, x1, y1 = BBOX[host]
                if not (x0 <= lon <= x1 and y0 <= lat <= y1):
                    rep.error(lineno, f"point ({lat}, {lon}) outside the bounding box of {host}")
            if len(r["lat"].split(".")[-1]) != 5 or len(r["lon"].split(".")[-1]) != 5:
                rep.warn(lineno, "lat/lon should have 5 decimals")
        r["_lat"], r["_lon"] = lat, lon
        rows.append(r)
    return rows


def check_boundaries(rows: list[dict], geojson: Path, tolerance_deg: float, rep: Report) -> bool:
    """Point-in-admin-1 check. Returns False when it could not run."""
    try:
        import geopandas as gpd
        from shapely.geometry import Point
    except ImportError as exc:  # pragma: no cover - depends on environment
        rep.warn(None, f"boundary check skipped: {exc}")
        return False
    try:
        gdf = gpd.read_file(geojson)
    except Exception as exc:  # noqa: BLE001 - report any reader failure
        rep.error(None, f"cannot read {geojson}: {exc}")
        return False
    if "code" not in gdf.columns:
        rep.error(None, f"{geojson}: features have no 'code' property")
        return False
    if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, None):
        gdf = gdf.to_crs(4326)
    gdf = gdf[gdf.geometry.notna()]
    geoms = gdf.dissolve(by="code").geometry  # one (multi)polygon per code
    sindex = geoms.sindex
    codes = list(geoms.index)
    for r in rows:
        if r["_lat"] is None:
            continue
        pt = Point(r["_lon"], r["_lat"])
        region = r["region"]
        hits = [codes[i] for i in sindex.query(pt, predicate="intersects")]
        if region not in geoms.index:
            where = ", ".join(hits) or "no admin-1 unit"
            rep.error(r["_row"], f"{r['code']}: region {region} not in {geojson.name} (point falls in {where})")
            continue
        if region in hits:
            continue
        dist = geoms[region].distance(pt)
        where = ", ".join(hits) or "no admin-1 unit"
        if dist <= tolerance_deg:
            rep.warn(r["_row"], f"{r['code']}: point {dist:.3f} deg outside {region} (within tolerance; falls in {where})")
        else:
            rep.error(r["_row"], f"{r['code']}: point ({r['_lat']}, {r['_lon']}) not in {region} "
                                 f"({dist:.3f} deg away; falls in {where})")
    return True


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="?", type=Path, default=root / "data" / "consulates.csv",
                    help="CSV to check (default: %(default)s)")
    ap.add_argument("--boundaries", type=Path, default=root / "data" / "boundaries" / "admin1.geojson",
                    help="admin-1 GeoJSON with a 'code' (ISO 3166-2) property (default: %(default)s)")
    ap.add_argument("--require-boundaries", action="store_true",
                    help="fail when the boundary file is missing instead of skipping that check")
    ap.add_argument("--tolerance-deg", type=float, default=0.05,
                    help="a point this close (degrees) to its region only warns (default: %(default)s)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")
    args = ap.parse_args(argv)

    if not args.csv.exists():
        print(f"error: {args.csv} not found", file=sys.stderr)
        return 2
    rep = Report()
    rows = check_rows(args.csv, rep)

    if args.boundaries.exists():
        ran = check_boundaries(rows, args.boundaries, args.tolerance_deg, rep)
        boundary_msg = f"admin-1 check against {args.boundaries}: {'done' if ran else 'NOT RUN'}"
    elif args.require_boundaries:
        rep.error(None, f"boundary file {args.boundaries} is missing")
        boundary_msg = "admin-1 check: boundary file missing"
    else:
        boundary_msg = f"admin-1 check skipped ({args.boundaries} not found)"

    for e in rep.errors:
        print(f"ERROR {e}")
    if not args.quiet:
        for w in rep.warnings:
            print(f"WARN  {w}")
    by_sender = Counter(s for r in rows for s in r["sending_countries"].split(";"))
    by_host = Counter(r["host_country"] for r in rows)
    by_kind = Counter(r["kind"] for r in rows)
    print(f"{args.csv}: {len(rows)} rows; {len(rep.errors)} errors, {len(rep.warnings)} warnings")
    if not args.quiet:
        print("  by sending country: " + ", ".join(f"{k}={v}" for k, v in sorted(by_sender.items())))
        print("  by host country:    " + ", ".join(f"{k}={v}" for k, v in sorted(by_host.items())))
        print("  by kind:            " + ", ".join(f"{k}={v}" for k, v in sorted(by_kind.items())))
    print("  " + boundary_msg)
    return 1 if rep.errors else 0


if __name__ == "__main__":
    sys.exit(main())
