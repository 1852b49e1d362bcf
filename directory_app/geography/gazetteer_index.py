"""The gazetteer's places and their index (no database here: geography.places builds it).

Names are folded (accents, case and punctuation removed) so that "san jose" finds "San José"
and "Montreal" finds "Montréal". Matches rank exact > prefix > word (a word of the name starts
with the query), then by population. The index is a sorted list of every name and every tail of
a name that starts at a word, so one bisection finds all three kinds of match.

What people type after a place's name is read as where it is: "tapachula chiapas", "Tapachula,
Chiapas", "houston tx", "san jose costa rica", "chiapas mexico". A query that splits into a name
and such a qualifier finds the places of that name whose state, province or department (by name
in any language, by the end of its ISO 3166-2 code: "tx", "bc", or by a Mexican state's usual
abbreviation: "chis", "gto") or country (by name or code) the qualifier names, or starts to name.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from geo.nearest import geodesic_km, search_box

SAME_PLACE_KM = 40.0  # exact matches closer than this to the best one are the same place
KIND_ORDER = {"consulate_city": 0, "city": 1, "admin_unit": 2}
MIN_PREFIX = 3  # a qualifier typed in part ("chia") counts from this many letters
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Other ways people name a country: beside its names in es/en/fr and its ISO code.
COUNTRY_ALIASES = {"US": ("usa", "eeuu", "ee uu", "eua", "estados unidos de america"), "MX": ("mex",)}
# The customary abbreviations of Mexico's states ("tapachula chis", "leon gto"), beside their names
# and the ends of their ISO codes.
UNIT_ALIASES = {
    "MX-AGU": ("ags",),
    "MX-BCN": ("bc",),
    "MX-CAM": ("camp",),
    "MX-CHH": ("chih",),
    "MX-CHP": ("chis",),
    "MX-CMX": ("cdmx", "df", "distrito federal"),
    "MX-COA": ("coah",),
    "MX-DUR": ("dgo",),
    "MX-GRO": ("gro",),
    "MX-GUA": ("gto",),
    "MX-HID": ("hgo",),
    "MX-MEX": ("edomex", "edo mex", "estado de mexico"),
    "MX-MIC": ("mich",),
    "MX-NLE": ("nl",),
    "MX-QUE": ("qro",),
    "MX-ROO": ("q roo", "qroo"),
    "MX-TAM": ("tamps",),
    "MX-TLA": ("tlax",),
    "MX-VER": ("ver",),
}


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Montréal-Nord" -> "montreal nord"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_WORD.sub(" ", plain).strip()


@dataclass
class Place:
    """One named place. `unit_id` is the admin-1 unit that holds it (for the detail line and the
    qualifiers), of the place's own country."""

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

    def __init__(
        self, places: list[Place], country_names: dict, unit_names: dict, unit_codes: dict[int, str] | None = None
    ):
        self.places = places
        self.country_names = country_names  # lang -> code -> name
        self.unit_names = unit_names  # lang -> unit id -> name (admin-1 units)
        entries = set()
        for i, place in enumerate(places):
            for key in place.keys | place.alternates:
                words = key.split(" ")
                for w in range(len(words)):
                    entries.add((" ".join(words[w:]), i, w == 0, key in place.keys))
        self.index = sorted(entries)
        self.tails = [e[0] for e in self.index]
        self.unit_qualifiers = _unit_qualifiers(unit_names, unit_codes or {})
        self.country_qualifiers = _country_qualifiers(country_names)
        self.cities = [p for p in places if p.kind != "admin_unit"]
        self.city_points = np.array([(p.lon, p.lat) for p in self.cities], dtype=float).reshape(-1, 2)

    def nearest_city(self, lon: float, lat: float, max_km: float, country: str | None = None):
        """(city, km) of the nearest city within `max_km` (of `country` when given), or None."""
        min_lon, min_lat, max_lon, max_lat = search_box(lon, lat, max_km)
        xs, ys = self.city_points[:, 0], self.city_points[:, 1]
        near = np.flatnonzero((xs >= min_lon) & (xs <= max_lon) & (ys >= min_lat) & (ys <= max_lat))
        if country:
            near = np.array([i for i in near if self.cities[i].country_code == country], dtype=int)
        if near.size == 0:
            return None
        km = geodesic_km(lon, lat, xs[near], ys[near])
        best = int(np.argmin(km))
        return (self.cities[near[best]], float(km[best])) if km[best] <= max_km else None

    def _ranks(self, q: str) -> dict[int, int]:
        """{place index: best rank} of the places whose names match the folded text `q`."""
        best: dict[int, int] = {}
        start = bisect.bisect_left(self.tails, q)
        for tail, i, is_whole, is_name in self.index[start:]:
            if not tail.startswith(q):
                break
            rank = 2 * (2 if not is_whole else 1 if tail != q else 0) + (0 if is_name else 1)
            if rank < best.get(i, 99):
                best[i] = rank
        return best

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """Places matching the query, best first, one match per place. A query "name qualifier"
        also finds the places of that name in the state or country the qualifier names."""
        q = fold(query)
        if not q:
            return []
        best = self._ranks(q)
        words = q.split(" ")
        for cut in range(1, len(words)):
            name, qualifier = " ".join(words[:cut]), " ".join(words[cut:])
            for i, rank in self._ranks(name).items():
                if rank < best.get(i, 99) and self.qualifies(self.places[i], qualifier):
                    best[i] = rank
        matches = sorted((Match(self.places[i], r) for i, r in best.items()), key=Match.sort_key)
        return _distinct(matches)[:limit]

    def qualifies(self, place: Place, qualifier: str) -> bool:
        """True when the folded `qualifier` names (or starts to name) the place's state or country,
        or its state then its country ("chiapas mexico")."""
        units = self.unit_qualifiers.get(place.unit_id, frozenset())
        countries = self.country_qualifiers.get(place.country_code, frozenset())
        if any(_names(q, qualifier) for q in units | countries):
            return True
        for unit in units:
            if qualifier.startswith(unit + " "):
                rest = qualifier[len(unit) + 1 :]
                if any(_names(q, rest) for q in countries):
                    return True
        return False

    def detail(self, place: Place, lang: str) -> str:
        """ "Chiapas, Mexico": the holding unit and the country, in the reader's language."""
        parts = [self.unit_name(place.unit_id, lang)] if place.unit_id is not None else []
        parts.append(self.country_name(place.country_code, lang))
        return ", ".join(p for p in parts if p)

    def unit_name(self, unit_id: int | None, lang: str) -> str:
        units = self.unit_names.get(lang) or self.unit_names["en"]
        return units.get(unit_id, "")

    def country_name(self, code: str, lang: str) -> str:
        countries = self.country_names.get(lang) or self.country_names["en"]
        return countries.get(code, code)


def _names(known: str, typed: str) -> bool:
    """The typed qualifier is this name, or its beginning (from MIN_PREFIX letters)."""
    return typed == known or (len(typed) >= MIN_PREFIX and known.startswith(typed))


def _unit_qualifiers(unit_names: dict, unit_codes: dict[int, str]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for names in unit_names.values():
        for unit_id, name in names.items():
            if name:
                found.setdefault(unit_id, set()).add(fold(name))
    for unit_id, code in unit_codes.items():
        suffix = fold(code.partition("-")[2])
        if suffix and not suffix.isdigit():  # "tx" of US-TX, "chp" of MX-CHP; not a county's FIPS code
            found.setdefault(unit_id, set()).add(suffix)
        found.setdefault(unit_id, set()).update(UNIT_ALIASES.get(code, ()))
    return {unit_id: frozenset(q) for unit_id, q in found.items()}


def _country_qualifiers(country_names: dict) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for names in country_names.values():
        for code, name in names.items():
            found.setdefault(code, {code.lower(), *COUNTRY_ALIASES.get(code, ())}).add(fold(name or code))
    return {code: frozenset(q) for code, q in found.items()}


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
