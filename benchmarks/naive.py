"""The naive way, for comparison: GeoDataFrames built over everything, at read time.

This is what the precomputed relations (unit_coverage, district_coverage) and the indexed
site columns avoid. Every function here reads what it needs straight from the database (raw
SQL, no ORM), so that a "per query" naive timing includes building the frames, as a stateless
app server without those relations would have to. The `*_frame` loaders are separate so that
the same answers can also be computed from frames held in memory (used for the correctness
checks over a larger sample, and reported as the "naive, frames in memory" variant).

Areas are measured in the same equal-area projection as the app (EPSG:6933). A share below
TINY_SHARE is treated as "does not serve" on both sides of a comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from sqlalchemy import text

EQUAL_AREA = "EPSG:6933"
TINY_SHARE = 1e-6
_GEOD = pyproj.Geod(ellps="WGS84")


def _frame(columns: dict, wkbs, crs=4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=shapely.from_wkb([bytes(w) for w in wkbs]), crs=crs)


def _overlap_km2(coverages, districts) -> np.ndarray:
    """Intersection areas (km²) of pairs of equal-area geometries. A coverage that lies inside
    the district counts whole, so the costly overlay runs only on pairs that cross a border
    (same answer, many times faster with districts of thousands of vertices)."""
    coverages = np.asarray(coverages, dtype=object)
    districts = np.asarray(districts, dtype=object)
    shapely.prepare(districts)
    inside = shapely.contains(districts, coverages)
    overlap = shapely.area(coverages)
    cross = ~inside
    overlap[cross] = shapely.area(shapely.intersection(coverages[cross], districts[cross]))
    return overlap / 1e6


# --- 1. organisations serving a district -------------------------------------------------

def published_coverages_frame(session) -> gpd.GeoDataFrame:
    """Every published organisation's coverage: the union of its parts, each part as its own
    geometry (drawn) or as the geometry of the admin unit or country it names (the
    organisation row keeps only the drawn parts)."""
    rows = session.execute(text(
        "SELECT o.id, o.name, COALESCE(cp.geom_wkb, au.geom_wkb, c.geom_wkb) FROM organisation o "
        "JOIN coverage_part cp ON cp.organisation_id = o.id "
        "LEFT JOIN admin_unit au ON au.id = cp.admin_unit_id LEFT JOIN country c ON c.code = cp.country_code "
        "WHERE o.status = 'published'"
    )).all()
    rows = [r for r in rows if r[2] is not None]
    parts = _frame({"id": [r[0] for r in rows], "name": [r[1] for r in rows]}, [r[2] for r in rows])
    return union_per_organisation(parts, "id")


def union_per_organisation(parts: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """One row per organisation: its parts' union (dissolve only where there are several)."""
    several = parts[key].duplicated(keep=False)
    if not several.any():
        return parts.reset_index(drop=True)
    merged = parts.loc[several].dissolve(by=key, aggfunc="first").reset_index()
    merged["geometry"] = merged.geometry.make_valid()
    return pd.concat([parts.loc[~several], merged[parts.columns]], ignore_index=True)


def district_frame(session, district_id: int | None = None) -> gpd.GeoDataFrame:
    """Districts (one or all) with their geometry and their area measured from it."""
    sql = "SELECT id, geom_wkb FROM consular_district WHERE geom_wkb IS NOT NULL"
    params = {}
    if district_id is not None:
        sql += " AND id = :id"
        params["id"] = district_id
    rows = session.execute(text(sql), params).all()
    frame = _frame({"district_id": [r[0] for r in rows]}, [r[1] for r in rows])
    frame["area_km2"] = frame.geometry.to_crs(EQUAL_AREA).area / 1e6
    return frame


@dataclass
class NaiveServing:
    ranked: pd.DataFrame  # id, name, share; largest share first, then highest id
    total: int


def serving_from_frames(coverages: gpd.GeoDataFrame, district: gpd.GeoDataFrame, limit: int = 50) -> NaiveServing:
    """sjoin(intersects) of all coverages with the district, then exact intersection areas."""
    hits = gpd.sjoin(coverages, district, predicate="intersects", how="inner")
    if hits.empty:
        return NaiveServing(pd.DataFrame(columns=["id", "name", "share"]), 0)
    district_ea = district.geometry.to_crs(EQUAL_AREA).iloc[0]
    overlap = _overlap_km2(hits.geometry.to_crs(EQUAL_AREA).values, np.full(len(hits), district_ea, dtype=object))
    hits = hits.assign(share=np.minimum(overlap / hits["area_km2"], 1.0))
    hits = hits.loc[hits["share"] >= TINY_SHARE]
    # The app's order: largest share first, equal shares by organisation id, highest first.
    ranked = hits.sort_values(["share", "id"], ascending=[False, False])[["id", "name", "share"]]
    return NaiveServing(ranked.reset_index(drop=True), len(ranked))


def serving_per_query(session, district_id: int, limit: int = 50) -> NaiveServing:
    """The naive query as a request would run it: load everything, then sjoin."""
    return serving_from_frames(published_coverages_frame(session), district_frame(session, district_id), limit)


# --- 2. nearest organisations -----------------------------------------------------------

def published_sites_frame(session) -> gpd.GeoDataFrame:
    """Every site of a published organisation, at its public position."""
    rows = session.execute(text(
        "SELECT l.organisation_id, l.id, l.public_lon, l.public_lat FROM location l "
        "JOIN organisation o ON o.id = l.organisation_id WHERE o.status = 'published'"
    )).all()
    data = np.array(rows, dtype=float).reshape(-1, 4)
    return gpd.GeoDataFrame(
        {"organisation_id": data[:, 0].astype(int), "location_id": data[:, 1].astype(int)},
        geometry=gpd.points_from_xy(data[:, 2], data[:, 3]), crs=4326,
    )


def nearest_from_frame(sites: gpd.GeoDataFrame, lon: float, lat: float, k: int = 10) -> pd.DataFrame:
    """Geodesic distance to every site, nearest site per organisation, sorted, first k."""
    n = len(sites)
    _, _, metres = _GEOD.inv(np.full(n, lon), np.full(n, lat), sites.geometry.x.values, sites.geometry.y.values)
    frame = pd.DataFrame({"organisation_id": sites["organisation_id"].values,
                          "location_id": sites["location_id"].values, "km": np.asarray(metres) / 1000.0})
    best = frame.sort_values(["km", "location_id"]).drop_duplicates("organisation_id")
    return best.sort_values(["km", "organisation_id"]).head(k).reset_index(drop=True)


def nearest_per_query(session, lon: float, lat: float, k: int = 10) -> pd.DataFrame:
    return nearest_from_frame(published_sites_frame(session), lon, lat, k)


# --- 3 and 4. coverage: district shares from the coverage parts ----------------------------

def part_geometries_frame(session, organisation_ids=None) -> gpd.GeoDataFrame:
    """Each coverage part as a geometry: drawn parts as stored, admin-unit and country parts
    as the unit's or country's geometry."""
    sql = (
        "SELECT cp.organisation_id, COALESCE(cp.geom_wkb, au.geom_wkb, c.geom_wkb) FROM coverage_part cp "
        "LEFT JOIN admin_unit au ON au.id = cp.admin_unit_id LEFT JOIN country c ON c.code = cp.country_code"
    )
    params = {}
    if organisation_ids is not None:
        ids = [int(i) for i in organisation_ids]
        sql += " WHERE cp.organisation_id IN (" + ",".join(str(i) for i in ids) + ")"
    rows = [r for r in session.execute(text(sql), params).all() if r[1] is not None]
    return _frame({"organisation_id": [r[0] for r in rows]}, [r[1] for r in rows])


def district_shares(parts: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Union the parts per organisation (dissolve), sjoin with all districts, and measure the
    intersection areas: rows of organisation_id, district_id, overlap_km2, share."""
    if parts.empty:
        return pd.DataFrame(columns=["organisation_id", "district_id", "overlap_km2", "share"])
    coverages = union_per_organisation(parts, "organisation_id")
    hits = gpd.sjoin(coverages, districts, predicate="intersects", how="inner")
    cov_ea = hits.geometry.to_crs(EQUAL_AREA)
    dist_ea = districts.geometry.to_crs(EQUAL_AREA).loc[hits["index_right"]]
    overlap = _overlap_km2(cov_ea.values, dist_ea.values)
    result = pd.DataFrame({
        "organisation_id": hits["organisation_id"].values, "district_id": hits["district_id"].values,
        "overlap_km2": overlap, "share": np.minimum(overlap / hits["area_km2"].values, 1.0),
    })
    return result.loc[result["share"] >= TINY_SHARE].reset_index(drop=True)


def rebuild_district_shares(session, organisation_ids=None) -> pd.DataFrame:
    """The naive full rebuild (or of some organisations): parts -> dissolve -> sjoin with all
    districts -> intersection areas. Computes the answer; writes nothing."""
    return district_shares(part_geometries_frame(session, organisation_ids), district_frame(session))


def naive_recompute_coverage(session, organisation_ids) -> None:
    """A drop-in for recompute_coverage([id]) when saving one organisation, the naive way:
    load all leaf units and all districts, sjoin, intersect, and write unit and district
    coverage and the organisation's geometry."""
    session.flush()
    ids = [int(i) for i in organisation_ids]
    parts = part_geometries_frame(session, ids)
    units = session.execute(text("SELECT id, geom_wkb FROM admin_unit WHERE is_leaf")).all()
    unit_frame = _frame({"admin_unit_id": [r[0] for r in units]}, [r[1] for r in units])
    unit_frame["area_km2"] = unit_frame.geometry.to_crs(EQUAL_AREA).area / 1e6
    unit_rows = district_shares(parts, unit_frame.rename(columns={"admin_unit_id": "district_id"}))
    shares = district_shares(parts, district_frame(session))
    ids_sql = ",".join(str(i) for i in ids)
    session.execute(text(f"DELETE FROM unit_coverage WHERE organisation_id IN ({ids_sql})"))
    session.execute(text(f"DELETE FROM district_coverage WHERE organisation_id IN ({ids_sql})"))
    if len(unit_rows):
        session.execute(
            text("INSERT INTO unit_coverage (organisation_id, admin_unit_id, overlap_km2, is_full) "
                 "VALUES (:o, :u, :km2, :full)"),
            [{"o": int(r.organisation_id), "u": int(r.district_id), "km2": float(r.overlap_km2),
              "full": bool(r.share >= 1 - 1e-6)} for r in unit_rows.itertuples()],
        )
    if len(shares):
        session.execute(
            text("INSERT INTO district_coverage (district_id, organisation_id, overlap_km2, share, status) "
                 "VALUES (:d, :o, :km2, :share, (SELECT status FROM organisation WHERE id = :o))"),
            [{"d": int(r.district_id), "o": int(r.organisation_id), "km2": float(r.overlap_km2),
              "share": float(r.share)} for r in shares.itertuples()],
        )
    merged = union_per_organisation(parts, "organisation_id")
    for org_id, geom in zip(merged["organisation_id"], merged.geometry):
        bounds = geom.bounds
        session.execute(
            text("UPDATE organisation SET geom_wkb = :wkb, min_lon = :a, min_lat = :b, max_lon = :c, "
                 "max_lat = :d, coverage_area_km2 = :area WHERE id = :id"),
            {"wkb": shapely.to_wkb(geom), "a": bounds[0], "b": bounds[1], "c": bounds[2], "d": bounds[3],
             "area": float(unit_rows.loc[unit_rows["organisation_id"] == org_id, "overlap_km2"].sum()),
             "id": int(org_id)},
        )
