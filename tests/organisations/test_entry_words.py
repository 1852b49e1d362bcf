"""Changes in words (organisations.entry_words) on plain snapshots: labels instead of codes, items
matched by id, a drawn area by its size, a moved site by the distance; never a path, a code or a
coordinate (the pages: tests/review/test_review_words.py)."""

from __future__ import annotations

import re

from directory_app.organisations.entry_words import describe_changes, path_words

RING = [[-92.0, 15.0], [-91.9, 15.0], [-91.9, 15.1], [-92.0, 15.1], [-92.0, 15.0]]
SQUARE = {"type": "Polygon", "coordinates": [RING]}


def snapshot(**fields):
    base = {
        "name": "Albergue",
        "country_code": "MX",
        "services": [{"id": "s1", "category": "shelter", "name": "Casa", "populations": ["women"], "languages": []}],
        "locations": [{"id": "l1", "name": "Sede 34", "city": "Tapachula", "lon": -92.26, "lat": 14.9}],
        "contacts": [],
        "phones": [{"id": "p1", "number": "+52 962 625 1234", "type": "voice"}],
        "coverage": [{"id": "c1", "kind": "radius", "location": 0, "radius_km": 10}],
    }
    return base | fields


def lines(before, after):
    return [line.text for line in describe_changes(before, after)]


def test_phone_service_and_coverage_in_words(ctx):
    before = snapshot()
    after = snapshot(
        phones=[{"id": "p1", "number": "+52 962 625 9999", "type": "voice"}],
        services=[{"id": "s1", "category": "legal_assistance", "name": "Casa", "populations": ["women", "children"]}],
        coverage=[
            {"id": "c2", "kind": "admin_unit", "unit": "MX-CHP"},
            {"id": "c3", "kind": "admin_unit", "unit": "MX-TAB"},
            {"id": "c4", "kind": "polygon", "label": "Zona fronteriza", "geometry": SQUARE},
        ],
    )
    said = lines(before, after)
    assert "Phone: +52 962 625 1234 → +52 962 625 9999" in said
    assert any(re.fullmatch(r"Legal assistance “Casa”: Category: Shelter.* → Legal assistance", s) for s in said), said
    coverage = next(s for s in said if s.startswith("Coverage: "))
    assert coverage.startswith("Coverage: adds Chiapas, Tabasco and a drawn area of about 1")
    assert "“Zona fronteriza”" in coverage and coverage.endswith("; removes 10 km around Sede 34")
    text = " ".join(said)
    assert not re.search(r"\[\d|MX-|legal_assistance|admin_unit|-92|15\.0", text), text


def test_items_added_removed_and_a_site_moved(ctx):
    before = snapshot()
    after = snapshot(
        phones=[],
        locations=[{"id": "l1", "name": "Sede 34", "city": "Tapachula", "lon": -92.0, "lat": 14.9}],
        contacts=[{"name": "Ana", "email": "ana@example.org"}],
    )
    said = lines(before, after)
    assert "Phone removed: +52 962 625 1234" in said
    assert "Contact person added: Ana; Email: ana@example.org" in said
    moved = next(s for s in said if s.startswith("Site “Sede 34”: moved on the map by about "))
    assert moved.endswith(" km") and "28" in moved  # 0.26° of longitude at 15° N
    # a radius around a site that moved covers another area, but says the same in words
    assert not any(s.startswith("Coverage") for s in said)


def test_a_new_entry_and_the_merge_page_paths(ctx):
    said = lines(None, snapshot())
    assert "Name: (empty) → Albergue" in said and "Country: (empty) → Mexico" in said
    assert path_words("services[0].category", "shelter", snapshot()) == ("Shelter “Casa”: Category", "Shelter")
    label, value = path_words("coverage[0]", {"kind": "country", "country": "GT"}, snapshot())
    assert (label, value) == ("Coverage", "Guatemala (the whole country)")
    position = ("Site “Sede 34”: Position on the map", "a point on the map")
    assert path_words("locations[0].lat", 14.9, snapshot()) == position
