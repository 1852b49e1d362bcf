"""Comparing fast and naive answers, and explaining the differences that are expected.

Shares are compared with an absolute tolerance (SHARE_TOLERANCE). A pair present on one side
only, with a share within the tolerance of zero, is a "tiny" difference (a sliver along a
shared border) and is counted, not reported. A larger difference is "cross-border" when the naive share
is the larger by no more than the share of the district covered by the organisation's
admin-unit and country parts of another country than the district's host country: the naive
way intersects geometries, and the admin-1 and US-county boundary layers overlap along the MX-US
and CA-US borders (see `boundary_overlaps`), while the app treats an admin-unit coverage as
exactly its units. Anything else is "unexplained" and listed.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import shapely
from sqlalchemy import text

from geo.projection import to_equal_area

SHARE_TOLERANCE = 1e-4


class Explainer:
    """Tells whether a difference is explained by the overlap of the boundary layers: the naive
    share may exceed the app's by at most the share of the district covered by the
    organisation's admin-unit and country parts that lie in another country than the
    district's host country."""

    def __init__(self, session):
        self.session = session
        self.host = dict(session.execute(text(
            "SELECT d.id, c.host_country_code FROM consular_district d JOIN consulate c ON c.id = d.consulate_id"
        )).all())
        self._parts: dict[int, list[tuple[str, bytes]]] = {}
        self._districts: dict[int, tuple] = {}
        self._bounds: dict[tuple, float] = {}

    def forget(self, org_id: int) -> None:
        """Drop what is known of an organisation (its id was rolled back and is reused)."""
        self._parts.pop(int(org_id), None)

    def unit_countries(self, org_ids) -> None:
        """Load the admin-unit and country parts (country, geometry) of these organisations."""
        wanted = [int(i) for i in set(org_ids) - self._parts.keys()]
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            rows = self.session.execute(text(
                "SELECT cp.organisation_id, COALESCE(au.country_code, cp.country_code), COALESCE(au.geom_wkb, c.geom_wkb) "
                "FROM coverage_part cp LEFT JOIN admin_unit au ON au.id = cp.admin_unit_id "
                "LEFT JOIN country c ON c.code = cp.country_code "
                f"WHERE cp.kind IN ('admin_unit', 'country') AND cp.organisation_id IN ({','.join(map(str, chunk))})"
            )).all()
            for org_id in chunk:
                self._parts[org_id] = []
            for org_id, country, wkb in rows:
                self._parts[org_id].append((country, bytes(wkb)))

    def _district(self, district_id: int):
        if district_id not in self._districts:
            wkb = self.session.execute(text("SELECT geom_wkb FROM consular_district WHERE id = :id"),
                                       {"id": district_id}).scalar()
            geom = to_equal_area(shapely.from_wkb(bytes(wkb)))
            shapely.prepare(geom)
            self._districts[district_id] = (geom, geom.area)
        return self._districts[district_id]

    def cross_border_bound(self, org_id: int, district_id: int) -> float:
        host = self.host.get(district_id)
        foreign = tuple(sorted(w for country, w in self._parts.get(org_id, []) if country != host))
        if not foreign:
            return 0.0
        key = (foreign, district_id)
        if key not in self._bounds:
            district, area = self._district(district_id)
            units = to_equal_area(shapely.union_all(shapely.from_wkb(list(foreign))))
            self._bounds[key] = shapely.intersection(units, district).area / area if shapely.intersects(units, district) else 0.0
        return self._bounds[key]

    def cross_border(self, org_id: int, district_id: int, fast: float, slow: float) -> bool:
        if slow <= fast:
            return False
        return slow - fast <= self.cross_border_bound(org_id, district_id) + SHARE_TOLERANCE


def compare_shares(fast: dict, slow: dict, org_district, explainer: Explainer) -> dict:
    """Compare {key: share} answers; org_district(key) -> (organisation id, district id)."""
    counts = Counter()
    unexplained, max_common = [], 0.0
    explainer.unit_countries({org_district(k)[0] for k in fast.keys() ^ slow.keys()} |
                             {org_district(k)[0] for k in fast.keys() & slow.keys()
                              if abs(fast[k] - slow[k]) > SHARE_TOLERANCE})
    for key in fast.keys() | slow.keys():
        f, s = fast.get(key), slow.get(key)
        if f is not None and s is not None:
            max_common = max(max_common, abs(f - s))
        diff = abs((f or 0.0) - (s or 0.0))
        if diff <= SHARE_TOLERANCE:
            counts["agree" if (f is None) == (s is None) else "tiny"] += 1
        elif explainer.cross_border(*org_district(key), f or 0.0, s or 0.0):
            counts["cross_border"] += 1
            counts["cross_border_max"] = max(counts["cross_border_max"], diff)
        else:
            counts["unexplained"] += 1
            unexplained.append({"key": [int(x) for x in np.atleast_1d(key)], "fast": f, "naive": s})
    return {"fast": len(fast), "naive": len(slow), "agree": counts["agree"], "tiny": counts["tiny"],
            "cross_border": counts["cross_border"], "cross_border_max_diff": float(counts["cross_border_max"]),
            "unexplained": counts["unexplained"], "unexplained_examples": unexplained[:10],
            "max_share_diff_common": float(max_common)}


def merge(results: list[dict]) -> dict:
    """Sum several compare_shares results."""
    total = Counter()
    examples, max_common, cb_max = [], 0.0, 0.0
    for r in results:
        for key in ("fast", "naive", "agree", "tiny", "cross_border", "unexplained"):
            total[key] += r[key]
        examples += r["unexplained_examples"]
        max_common = max(max_common, r["max_share_diff_common"])
        cb_max = max(cb_max, r["cross_border_max_diff"])
    return dict(total) | {"unexplained_examples": examples[:10], "max_share_diff_common": max_common,
                          "cross_border_max_diff": cb_max, "compared": len(results)}


def boundary_overlaps(session, min_km2: float = 0.01) -> dict:
    """Area (km²) where leaf units of two countries overlap, per pair of countries."""
    rows = session.execute(text("SELECT code, country_code, geom_wkb FROM admin_unit WHERE is_leaf")).all()
    geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    areas = shapely.area(shapely.intersection(to_equal_area(geoms[left]), to_equal_area(geoms[right]))) / 1e6
    by_pair: dict[str, dict] = {}
    for i, j, area in zip(left, right, areas):
        if area < min_km2:
            continue
        pair = "-".join(sorted((rows[i][1], rows[j][1])))
        entry = by_pair.setdefault(pair, {"unit_pairs": 0, "km2": 0.0, "largest": (0.0, "", "")})
        entry["unit_pairs"] += 1
        entry["km2"] += float(area)
        if area > entry["largest"][0]:
            entry["largest"] = (float(area), rows[i][0], rows[j][0])
    return by_pair
