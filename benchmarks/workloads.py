"""Seeded inputs for the benchmarks: districts, query points and organisations to save.

Everything depends only on the seed and on the (deterministic) directory, so two runs, or
the SQLite and PostgreSQL runs, ask the same questions.
"""

from __future__ import annotations

import math
import random

import shapely
from sqlalchemy import select

from directory_app.demo.anchors import ANCHORS
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Country
from directory_app.geography.units import leaf_unit_at
from directory_app import vocabulary

ANCHOR_SHARE = 0.8  # of nearest-queries near a demo anchor; the rest anywhere in a member country


def _offset(lon: float, lat: float, km: float, bearing: float) -> tuple[float, float]:
    dlat = km * math.cos(bearing) / 110.574
    dlon = km * math.sin(bearing) / (111.320 * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


def near_anchor(rng: random.Random, spread_factor: float = 2.0) -> tuple[str, tuple[float, float]]:
    """A point around a random demo anchor (gaussian distance, twice the anchor's spread)."""
    name, country, lon, lat, _weight, spread = rng.choice(ANCHORS)
    km = abs(rng.gauss(0, spread * spread_factor))
    return country, _offset(lon, lat, km, rng.uniform(0, 2 * math.pi))


def district_ids(rng: random.Random, n: int) -> list[int]:
    """n districts drawn uniformly (with replacement) from every consular district."""
    ids = sorted(db.session.scalars(select(ConsularDistrict.id)))
    return [rng.choice(ids) for _ in range(n)]


def query_points(rng: random.Random, n: int) -> list[tuple[str, float, float]]:
    """(label, lon, lat): ANCHOR_SHARE near anchors, the rest uniform inside a random member
    country (the country drawn uniformly, so small countries get as many as large ones)."""
    countries = {
        code: shapely.from_wkb(wkb)
        for code, wkb in db.session.execute(select(Country.code, Country.geom_wkb).order_by(Country.code))
    }
    codes = sorted(countries)
    points = []
    for _ in range(n):
        if rng.random() < ANCHOR_SHARE:
            _country, (lon, lat) = near_anchor(rng)
            points.append(("anchor", lon, lat))
            continue
        code = rng.choice(codes)
        geom = countries[code]
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        while True:
            lon, lat = round(rng.uniform(min_lon, max_lon), 6), round(rng.uniform(min_lat, max_lat), 6)
            if shapely.contains_xy(geom, lon, lat):
                break
        points.append((f"country:{code}", lon, lat))
    return points


def _star(rng: random.Random, lon: float, lat: float) -> dict:
    vertices = rng.randint(6, 9)
    ring = [_offset(lon, lat, rng.uniform(10, 60), 2 * math.pi * k / vertices) for k in range(vertices)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def save_payloads(rng: random.Random, n: int) -> list[dict]:
    """Data dicts for create_organisation: two sites, two services, and coverage made of one
    admin unit (the leaf unit of the first site), a radius around the second site and a
    drawn polygon around the first."""
    payloads = []
    categories = sorted(vocabulary.SERVICE_CODES)
    while len(payloads) < n:
        country, first = near_anchor(rng, 1.0)
        unit = leaf_unit_at(*first)
        if unit is None or unit.country_code != country:
            continue  # a point at sea or across a border: draw again
        second = _offset(first[0], first[1], rng.uniform(2, 30), rng.uniform(0, 2 * math.pi))
        i = len(payloads)
        payloads.append({
            "name": f"BENCH save {i}",
            "kind": "ngo",
            "country_code": country,
            "status": "published",
            "email": f"bench{i}@example.org",
            "website": f"https://bench-{i}.example.org",
            "phones": [{"number": "+52 555 0100", "type": "voice"}],
            "contacts": [{"name": f"Bench contact {i}", "email": f"contact{i}@example.org"}],
            "locations": [
                {"name": "Sede 1", "lon": first[0], "lat": first[1]},
                {"name": "Sede 2", "lon": second[0], "lat": second[1]},
            ],
            "services": [
                {"category": c, "languages": ["es", "en"], "populations": ["women"]}
                for c in rng.sample(categories, 2)
            ],
            "coverage": [
                {"kind": "admin_unit", "unit": unit.code},
                {"kind": "radius", "location": 1, "radius_km": rng.choice([10, 25, 50, 100])},
                {"kind": "polygon", "geometry": _star(rng, *first)},
            ],
        })
    return payloads
