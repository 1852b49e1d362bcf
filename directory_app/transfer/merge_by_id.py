"""Lists a file gives only part of: merged into the stored ones item by item, nothing else lost.

A file of services (HSDS `service_full.json`, a page of services or of services at a location) gives
each service with its organization, and so with that organization's contacts, phones, sites and
coverage only as far as those services reach. Such a record says `MERGE_BY_ID`: for an organisation
already in the directory, each of its lists is merged rather than replaced. An item of the file
updates the stored item with the same id (or, when the file gives no id, the same natural key: a
contact's name and email, a phone's number and extension, a site's name and position, a service's
name and category, a coverage part's kind and place) and says only the fields it carries; an item
that matches none is added; a stored item the file does not list stays as it is (ABSENT, not empty).

Phones point at their contact, and radius coverage at its site, by place in the list: the file's
places are translated into the merged lists' places (stored items keep theirs, new ones come last).
The text the HSDS import keeps in additional information (identifiers, funding, programs, other
terms: one line each) is merged the same way: the file's lines are added to the stored ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely.geometry
from flask_babel import gettext as _

from directory_app.organisations.entry_data import spec

MERGE_BY_ID = "merge_by_id"
"""Record key: the record's lists are part of the organisation's (merged by id, not replaced)."""
ORDER = ("contacts", "locations", "phones", "services", "coverage")
"""Contacts and sites first: phones and coverage refer to their places."""


@dataclass
class ListMerge:
    """What merging one list does: items added, items updated, stored items left as they are."""

    name: str
    added: int = 0
    updated: int = 0
    kept: int = 0

    def words(self) -> str:
        return _(
            "%(list)s: %(added)d new, %(updated)d updated, %(kept)d not in the file and left as they are",
            list=str(spec(self.name).label),
            added=self.added,
            updated=self.updated,
            kept=self.kept,
        )


def merge_lists(said: dict, stored: dict) -> tuple[dict[str, list], list[ListMerge]]:
    """The merged lists ({name: items}) of every list `said` gives, over the `stored` snapshot's (items
    with ids), and what each merge does (lists whose merge changes something)."""
    merged: dict[str, list] = {}
    places: dict[str, dict[int, int]] = {}
    report: list[ListMerge] = []
    for name in ORDER:
        if name not in said or not isinstance(said[name], list):
            continue
        items = [_repointed(name, dict(item), places) for item in said[name] if isinstance(item, dict)]
        merged[name], places[name], counts = _merge(name, items, stored.get(name) or [])
        if counts.added or counts.updated:
            report.append(counts)
    return merged, report


def _repointed(name: str, item: dict, places: dict[str, dict[int, int]]) -> dict:
    """The item with its reference to a contact (phones) or a site (radius coverage) moved to the
    referred item's place in the merged list."""
    key, target = {"phones": ("contact", "contacts"), "coverage": ("location", "locations")}.get(name, (None, None))
    if key and isinstance(item.get(key), int) and target in places:
        item[key] = places[target].get(item[key], item[key])
    return item


def _merge(name: str, items: list[dict], stored: list[dict]) -> tuple[list[dict], dict[int, int], ListMerge]:
    result = [dict(item) for item in stored]
    counts = ListMerge(name, kept=len(stored))
    place: dict[int, int] = {}
    matched: set[int] = set()
    for index, item in enumerate(items):
        at = _match(name, item, result, matched)
        if at is None:
            place[index] = len(result)
            result.append(item)
            counts.added += 1
            continue
        matched.add(at)
        place[index] = at
        counts.kept -= 1
        updated = {**result[at], **item, "id": result[at]["id"]}
        if updated != result[at]:
            counts.updated += 1
        result[at] = updated
    return result, place, counts


def _match(name: str, item: dict, stored: list[dict], taken: set[int]) -> int | None:
    free = [i for i in range(len(stored)) if i not in taken]
    if item.get("id"):
        found = next((i for i in free if str(stored[i].get("id")) == str(item["id"])), None)
        if found is not None:
            return found
    return next((i for i in free if not _named_elsewhere(stored[i], item) and _same(name, stored[i], item)), None)


def _named_elsewhere(stored: dict, item: dict) -> bool:
    """Both have ids and they differ: two different items, however alike."""
    return bool(item.get("id")) and bool(stored.get("id")) and str(item["id"]) != str(stored["id"])


def _same(name: str, a: dict, b: dict) -> bool:
    """The natural key of an item that comes without the stored item's id."""

    keys = {"contacts": ("name", "email"), "phones": ("number", "extension"), "services": ("name", "category")}
    if name in keys:
        first, second = (tuple(_text(item, key) for key in keys[name]) for item in (a, b))
        return bool(first[0]) and first == second
    if name == "locations":
        return _text(a, "name") == _text(b, "name") and _near(a, b)
    return _same_part(a, b)


def _text(item: dict, key: str) -> str:
    return " ".join(str(item.get(key) or "").split()).lower()


def _near(a: dict, b: dict) -> bool:
    try:
        return abs(float(a["lon"]) - float(b["lon"])) < 1e-6 and abs(float(a["lat"]) - float(b["lat"])) < 1e-6
    except (KeyError, TypeError, ValueError):
        return False


def _same_part(a: dict, b: dict) -> bool:
    if any(str(a.get(k) or "") != str(b.get(k) or "") for k in ("kind", "unit", "country")):
        return False
    if a.get("geometry") is None or b.get("geometry") is None:
        same_radius = (a.get("radius_km"), a.get("location")) == (b.get("radius_km"), b.get("location"))
        return a.get("geometry") is None and b.get("geometry") is None and same_radius
    try:
        first, second = (shapely.geometry.shape(p["geometry"]) for p in (a, b))
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return first.normalize().equals_exact(second.normalize(), 1e-6)


def merge_lines(said: dict[str, str], stored: dict[str, str], codes, limit: int) -> dict[str, str]:
    """`said` ({code: text}) with the text of each of `codes` holding the stored lines first, then the
    lines of the file that are not among them (at most `limit` characters)."""
    merged = dict(said)
    for code in codes:
        if code in said and stored.get(code):
            lines = stored[code].splitlines()
            text = "\n".join(lines + [line for line in said[code].splitlines() if line not in lines])
            merged[code] = text[:limit]
    return merged
