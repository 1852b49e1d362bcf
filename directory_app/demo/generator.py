"""A deterministic generator of clearly labelled sample organisations.

Every name starts with "DEMO" and is made of a generic word ("Albergue", "Workers' Center"), a
plainly invented word and the city, every email is at example.org and every phone number is a
fictional one: no real organisation or person. While they exist, every page and file of the
directory says that it holds sample data (organisations.sample_data); `flask demo --remove` takes them out
again. The n-th organisation depends only on the seed and n, so `--count 100` then `--count 1000`
adds the 900 missing ones, and the same seed gives the same directory on SQLite and PostgreSQL.
Rows are written with bulk inserts so that 100,000 organisations (for benchmarks) take minutes,
not hours.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shapely
from sqlalchemy import insert, select

from directory_app import vocabulary
from directory_app.demo.anchors import ANCHORS
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit
from directory_app.geography.units import LeafUnits, leaf_units
from directory_app.organisations.coverage import recompute_coverage
from directory_app.organisations.models import (
    Contact,
    CoverageKind,
    CoveragePart,
    Location,
    Network,
    Organisation,
    Phone,
    Service,
    ServiceLanguage,
    Status,
    organisation_network,
    service_location,
    service_population,
)
from directory_app.organisations.searchtext import refresh_search_text
from directory_app.organisations.sites import place_sites
from geo.coverage import circle

DEMO_PREFIX = vocabulary.SAMPLE_DATA_PREFIX  # the directory then says it holds sample data
DEMO_NETWORK = ("DEMO-SHELTERS", "DEMO national shelter network", "A sample network used by the demo data.")
CHUNK = 10_000
TODAY = date(2026, 11, 1)  # fixed, so that the demo data do not depend on the day they are made

_PREFIXES = {
    "es": [
        "Casa de Acogida",
        "Albergue",
        "Centro de Derechos Humanos",
        "Comedor Comunitario",
        "Clínica Jurídica",
        "Red de Apoyo",
        "Refugio",
        "Fundación",
        "Colectivo",
        "Asociación Civil",
    ],
    "en": [
        "Migrant Welcome Center",
        "Immigrant Legal Clinic",
        "Community Shelter",
        "Workers' Center",
        "Refugee Support Network",
        "Family Resource Center",
        "Immigrant Rights Project",
    ],
}
# Plainly invented words (checked against the GeoNames places of 500 people or more and against the
# shelters and networks of the region known to us): a demo name never copies a real organisation's.
_NAMES = [
    "Velmoria",
    "Trasquela",
    "Orbendal",
    "Quimbaró",
    "Zaldunia",
    "Brevinca",
    "Pelfarra",
    "Corvimbo",
    "Nestralia",
    "Ulmaquí",
    "Drovanta",
    "Fiscorel",
    "Grimbalto",
    "Halvoreña",
    "Ixtavel",
    "Jornacú",
    "Kelbrana",
    "Mirvendo",
    "Sotralí",
    "Wespadra",
]
_KIND_BY_PREFIX = {
    "Casa de Acogida": "shelter",
    "Albergue": "shelter",
    "Refugio": "shelter",
    "Community Shelter": "shelter",
    "Clínica Jurídica": "legal_clinic",
    "Immigrant Legal Clinic": "legal_clinic",
    "Fundación": "ngo",
    "Colectivo": "community",
}
_LANGUAGES = {"US": ["en", "es"], "CA": ["en", "fr", "es"], "BZ": ["en", "es"]}
_EXTRA_LANGUAGES = ["mam", "quc", "kjb", "ht", "cab", "miq", "tzo", "pt"]
# Phone numbers: the range 555-0100 to 555-0199 that the North American Numbering Plan keeps for
# fiction, in an area code of the country (Ottawa, Santo Domingo) or Washington's; no other member
# country reserves numbers for fiction. They are valid numbers, as every saved number must be
# (organisations.phones): an exported demo entry imports again.
_FICTIONAL_PHONE = {"CA": "+1 613 555 01", "DO": "+1 809 555 01"}
_FICTIONAL_PHONE_DEFAULT = "+1 202 555 01"


@dataclass
class _Anchor:
    name: str
    country: str
    lon: float
    lat: float
    spread_km: float


def generate_demo(count: int, seed: int = 2026, progress: Callable[[int, int], None] | None = None) -> int:
    """Make sure demo organisations 1..count exist; returns how many were added."""
    if count < 0:
        raise ValueError("the count cannot be negative")
    existing = set(
        db.session.scalars(
            select(Organisation.external_id).where(Organisation.external_id.like(f"{DEMO_PREFIX}{seed}-%"))
        )
    )
    wanted = [n for n in range(1, count + 1) if _external_id(seed, n) not in existing]
    if not wanted:
        return 0
    units = leaf_units()
    meta = {
        r.id: r
        for r in db.session.execute(
            select(AdminUnit.id, AdminUnit.country_code, AdminUnit.parent_id, AdminUnit.label_lon, AdminUnit.label_lat)
        )
    }
    networks = _networks()
    anchors, weights = _anchors()
    added = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        ids = _insert_chunk(chunk, seed, units, meta, networks, anchors, weights)
        recompute_coverage(ids)
        refresh_search_text(ids)  # the Core inserts above bypass the ORM's flush listener
        added += len(ids)
        if progress:
            progress(added, len(wanted))
    return added


def _external_id(seed: int, n: int) -> str:
    return f"{DEMO_PREFIX}{seed}-{n}"


def _networks() -> dict[str, int]:
    code, name, description = DEMO_NETWORK
    if db.session.scalar(select(Network.id).where(Network.code == code)) is None:
        db.session.add(Network(code=code, name=name, description=description))
        db.session.flush()
    return dict(db.session.execute(select(Network.code, Network.id)).all())


def _anchors() -> tuple[list[_Anchor], list[int]]:
    anchors = [_Anchor(n, c, lon, lat, spread) for n, c, lon, lat, _, spread in ANCHORS]
    return anchors, [a[4] for a in ANCHORS]


def _site_points(rng: random.Random, anchor: _Anchor, tries: int = 4) -> list[tuple[float, float]]:
    """Candidate points around an anchor, closer at each try; the anchor itself last."""
    points = []
    for attempt in range(tries):
        spread = anchor.spread_km / (attempt + 1)
        dist, bearing = abs(rng.gauss(0, spread)), rng.uniform(0, 2 * math.pi)
        dlat = dist * math.cos(bearing) / 110.574
        dlon = dist * math.sin(bearing) / (111.320 * math.cos(math.radians(anchor.lat)))
        points.append((round(anchor.lon + dlon, 5), round(anchor.lat + dlat, 5)))
    points.append((anchor.lon, anchor.lat))
    return points


def _choose_points(candidates: list[list[tuple[float, float]]], countries: list[str], units: LeafUnits, meta) -> list:
    """For each site, the first candidate that lies in a leaf unit of the right country."""
    flat = [p for group in candidates for p in group]
    owner = np.repeat(np.arange(len(candidates)), [len(g) for g in candidates])
    offset = np.concatenate([[0], np.cumsum([len(g) for g in candidates])[:-1]])
    hit_points, hit_units = units.index.tree.query(shapely.points(flat), predicate="intersects")
    ok = np.zeros(len(flat), dtype=bool)
    for p, u in zip(hit_points, hit_units):
        if meta[int(units.ids[u])].country_code == countries[owner[p]]:
            ok[p] = True
    chosen = []
    for i, group in enumerate(candidates):
        good = [k for k in range(len(group)) if ok[offset[i] + k]]
        chosen.append(group[good[0]] if good else group[-1])
    return chosen


def _insert_chunk(numbers, seed, units, meta, networks, anchors, weights) -> list[int]:
    # Seeded pseudo-random numbers on purpose: the same demo data on every machine; no secret (bandit B311).
    rngs = [random.Random(seed * 1_000_003 + n) for n in numbers]  # nosec B311
    picks = [rng.choices(anchors, weights)[0] for rng in rngs]
    site_counts = [1 if rng.random() < 0.8 else 2 for rng in rngs]
    candidates, owners = [], []
    for i, (rng, anchor) in enumerate(zip(rngs, picks)):
        for _ in range(site_counts[i]):
            candidates.append(_site_points(rng, anchor))
            owners.append(i)
    points = _choose_points(candidates, [picks[o].country for o in owners], units, meta)
    orgs = [_organisation_row(rng, n, seed, anchor) for rng, n, anchor in zip(rngs, numbers, picks)]
    ids = list(db.session.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), orgs))
    labels = {uid: (m.label_lon, m.label_lat) for uid, m in meta.items()}
    placements = place_sites(
        units, labels, [(lon, lat, orgs[o]["hide_exact_location"]) for (lon, lat), o in zip(points, owners)]
    )
    location_rows = [
        {
            "organisation_id": ids[o],
            "name": f"Sede {k + 1}",
            "address": f"Calle Demo {rngs[o].randint(1, 999)}",
            "city": picks[o].name,
            "country_code": picks[o].country,
            "lon": lon,
            "lat": lat,
            "organisation_status": orgs[o]["status"],  # the ORM's hook does not see Core inserts
            **pl.columns(),
        }
        for k, ((lon, lat), o, pl) in enumerate(zip(points, owners, placements))
    ]
    location_ids = list(
        db.session.scalars(insert(Location).returning(Location.id, sort_by_parameter_order=True), location_rows)
    )
    sites_of: dict[int, list[tuple[int, dict]]] = {}
    for loc_id, o, row in zip(location_ids, owners, location_rows):
        sites_of.setdefault(o, []).append((loc_id, row))
    _insert_services(rngs, ids, picks, sites_of)
    _insert_contacts(rngs, ids, picks, numbers)
    _insert_coverage(rngs, ids, picks, sites_of, meta)
    network_rows = [
        {"organisation_id": org_id, "network_id": networks[code]}
        for rng, org_id in zip(rngs, ids)
        for code, p in (("RNCOM", 0.3), ("CAMMINA", 0.2), (DEMO_NETWORK[0], 0.15))
        if rng.random() < p
    ]
    if network_rows:
        db.session.execute(organisation_network.insert(), network_rows)
    return ids


def _organisation_row(rng: random.Random, n: int, seed: int, anchor: _Anchor) -> dict:
    lang = "en" if anchor.country in ("US", "CA", "BZ") and rng.random() < 0.6 else "es"
    prefix = rng.choice(_PREFIXES[lang])
    name = f"DEMO {prefix} {rng.choice(_NAMES)} {anchor.name} {n}"
    roll = rng.random()
    status = Status.PUBLISHED if roll < 0.9 else (Status.DRAFT if roll < 0.97 else Status.ARCHIVED)
    kind = _KIND_BY_PREFIX.get(prefix) or rng.choice(sorted(vocabulary.ORGANISATION_KIND_CODES))
    return {
        "external_id": _external_id(seed, n),
        "country_code": anchor.country,
        "name": name,
        "alternate_name": "".join(w[0] for w in name.split()[1:4]).upper(),
        "description": f"Organización de ejemplo generada para demostración ({anchor.name}). No es real.",
        "kind": kind,
        "website": f"https://demo-{n}.example.org",
        "email": f"info{n}@example.org",
        "status": status,
        "hide_exact_location": kind == "shelter" and rng.random() < 0.3,
        "last_verified": TODAY - timedelta(days=rng.randint(0, 730)),
        "version": 1,
    }


def _insert_services(rngs, ids, picks, sites_of) -> None:
    rows, extras = [], []
    for i, (rng, org_id, anchor) in enumerate(zip(rngs, ids, picks)):
        for category in rng.sample(sorted(vocabulary.SERVICE_CODES), rng.randint(1, 4)):
            languages = list(_LANGUAGES.get(anchor.country, ["es"]))
            if rng.random() < 0.25:
                languages.append(rng.choice(_EXTRA_LANGUAGES))
            rows.append(
                {
                    "organisation_id": org_id,
                    "category_code": category,
                    "name": vocabulary.label(vocabulary.SERVICE_CATEGORIES, category, "es"),
                    "description": "Servicio de ejemplo.",
                    "eligibility": "Personas migrantes y sus familias.",
                    "fees": "Gratuito" if rng.random() < 0.9 else "Cuota de recuperación",
                    "schedule": rng.choice(["Lunes a viernes 9:00-17:00", "24 horas", "Lunes a sábado 8:00-14:00"]),
                }
            )
            extras.append((i, rng.sample(sorted(vocabulary.POPULATION_CODES), rng.randint(0, 3)), languages))
    service_ids = list(db.session.scalars(insert(Service).returning(Service.id, sort_by_parameter_order=True), rows))
    populations = [
        {"service_id": s, "population_code": p} for s, (_, pops, _) in zip(service_ids, extras) for p in pops
    ]
    languages = [
        {"service_id": s, "code": c} for s, (_, _, langs) in zip(service_ids, extras) for c in dict.fromkeys(langs)
    ]
    at = [{"service_id": s, "location_id": loc} for s, (i, _, _) in zip(service_ids, extras) for loc, _ in sites_of[i]]
    for table, data in (
        (service_population, populations),
        (ServiceLanguage.__table__, languages),
        (service_location, at),
    ):
        if data:
            db.session.execute(table.insert(), data)


def _insert_contacts(rngs, ids, picks, numbers) -> None:
    contacts, phones = [], []
    for rng, org_id, anchor, n in zip(rngs, ids, picks, numbers):
        contacts.append(
            {
                "organisation_id": org_id,
                "name": f"Persona de contacto demo {n}",
                "title": rng.choice(["Coordinación", "Dirección", "Área jurídica"]),
                "email": f"contacto{n}@example.org",
            }
        )
        phones.append(
            {
                "organisation_id": org_id,
                "number": f"{_FICTIONAL_PHONE.get(anchor.country, _FICTIONAL_PHONE_DEFAULT)}{n % 100:02d}",
                "type": rng.choice(["voice", "cell", "whatsapp"]),
            }
        )
    contact_ids = list(
        db.session.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), contacts)
    )
    phones += [
        {
            "organisation_id": c["organisation_id"],
            "contact_id": cid,
            "number": f"{_FICTIONAL_PHONE_DEFAULT}99",
            "type": "voice",
            "description": "Línea directa de contacto (ficticia)",
        }
        for cid, c in zip(contact_ids, contacts)
    ]
    db.session.execute(insert(Phone), phones)


def _insert_coverage(rngs, ids, picks, sites_of, meta) -> None:
    rows = []
    for i, (rng, org_id, anchor) in enumerate(zip(rngs, ids, picks)):
        loc_id, site = sites_of[i][0]
        unit = meta.get(site["admin_unit_id"])
        roll = rng.random()
        if roll < 0.5 and unit is not None:
            target = unit.parent_id if unit.parent_id and rng.random() < 0.1 else unit.id
            rows.append({"organisation_id": org_id, "kind": CoverageKind.ADMIN_UNIT, "admin_unit_id": target})
        elif roll < 0.8 or unit is None:
            radius = rng.choice([10, 25, 50, 100, 150])
            geom = circle(site["lon"], site["lat"], radius, segments=32)
            rows.append(_geometry_row(org_id, CoverageKind.RADIUS, geom, location_id=loc_id, radius_km=radius))
        elif roll < 0.97 or anchor.country in ("US", "MX", "CA"):
            rows.append(_geometry_row(org_id, CoverageKind.POLYGON, _polygon_around(rng, site["lon"], site["lat"])))
        else:
            rows.append({"organisation_id": org_id, "kind": CoverageKind.COUNTRY, "country_code": anchor.country})
    db.session.execute(insert(CoveragePart), rows)


def _geometry_row(org_id: int, kind: CoverageKind, geom, **extra) -> dict:
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return {
        "organisation_id": org_id,
        "kind": kind,
        "geom_wkb": shapely.to_wkb(geom),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        **extra,
    }


def _polygon_around(rng: random.Random, lon: float, lat: float) -> shapely.Polygon:
    """A simple star-shaped polygon of 6-9 vertices, 10-80 km around the site."""
    vertices = rng.randint(6, 9)
    ring = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        km = rng.uniform(10, 80)
        ring.append(
            (lon + km * math.sin(angle) / (111.32 * math.cos(math.radians(lat))), lat + km * math.cos(angle) / 110.574)
        )
    return shapely.Polygon(ring)
