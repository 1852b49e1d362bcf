"""Every message geo can give has a code, a template and exactly the parameters its template needs.

Read from the source (ast): each `GeometryError("code", name=...)` and `GeoMessage("code", {...})` in
geo/ and in the drawing field (directory_app.organisations.coverage_drawn), and each code written in a
table of codes (geo.coverage_input._SIGNATURES). A raise whose code is not registered, or whose
keywords differ from its template's placeholders, would show a reader a code instead of a sentence
(or a KeyError); a registered code that nothing raises is a msgid translated for nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import shapely

from geo.coverage_input import _SIGNATURES
from geo.messages import MESSAGES, GeoMessage, english_number, placeholders
from geo.validate import _GEOS_REASONS, GeometryError, invalid_reason
from tests.python_source import parse

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "geo").glob("*.py")), ROOT / "directory_app" / "organisations" / "coverage_drawn.py"]


def _calls():
    """(file:line, code, keyword names or None when they cannot be read statically) of every message built."""
    for path in SOURCES:
        tree = parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id not in ("GeometryError", "GeoMessage") or not node.args:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            first = node.args[0]
            if node.func.id == "GeometryError":
                names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
            else:
                params = node.args[1] if len(node.args) > 1 else None
                names = {k.value for k in params.keys} if isinstance(params, ast.Dict) else None
                names = set() if params is None else names
            if isinstance(first, ast.Constant):
                yield where, first.value, names
            elif isinstance(first, ast.IfExp):  # "a" if drawn else "b": both codes, same keywords
                yield where, first.body.value, names
                yield where, first.orelse.value, names
            else:
                yield where, None, names


CALLS = list(_calls())


def test_the_source_builds_messages_in_many_places():
    assert len(CALLS) > 60
    assert {where.split(":")[0] for where, *_ in CALLS} >= {
        "geo/validate.py",
        "geo/coverage_input.py",
        "geo/kml.py",
        "geo/files.py",
        "geo/coverage.py",
        "directory_app/organisations/coverage_drawn.py",
    }


@pytest.mark.parametrize("where, code, names", CALLS, ids=[c[0] for c in CALLS])
def test_each_raise_names_a_known_code_with_its_templates_parameters(where, code, names):
    if code is None:  # a code from a variable: only GeometryError itself and the table of file signatures
        assert where.split(":")[0] in ("geo/validate.py", "geo/coverage_input.py"), where
        return
    assert code in MESSAGES, f"{where}: code {code!r} is not in geo.messages.MESSAGES"
    assert names is not None, f"{where}: give the parameters as keywords, so that they can be checked"
    assert names == placeholders(code), f"{where}: {code} gets {sorted(names)}, its template wants"


def test_every_registered_code_is_used():
    tables = set(_SIGNATURES.values()) | set(_GEOS_REASONS.values())
    used = {code for _where, code, _names in CALLS if code} | tables
    assert tables <= set(MESSAGES)
    assert all(not placeholders(code) for code in _SIGNATURES.values())  # raised with no parameters
    assert all(placeholders(code) == {"lon", "lat"} for code in _GEOS_REASONS.values())  # invalid_reason's
    assert set(MESSAGES) - used == set()


def test_geos_reasons_become_messages_with_the_place():
    bow_tie = shapely.Polygon([(-92, 14), (-91, 15), (-91, 14), (-92, 15), (-92, 14)])
    reason = invalid_reason(bow_tie)
    assert (reason.code, reason.params) == ("self_intersection", {"lon": -91.5, "lat": 14.5})
    hole_outside = shapely.from_wkt("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0),(20 20, 21 20, 21 21, 20 20))")
    assert invalid_reason(hole_outside).code == "hole_outside_shell"
    assert str(GeometryError("invalid_no_area", reason=reason)) == (
        "the polygon is invalid (the outline crosses itself at -91.5 14.5) and has no area once repaired"
    )


def test_templates_use_only_named_string_placeholders():
    for code, template in MESSAGES.items():
        stripped = template
        for name in placeholders(code):
            stripped = stripped.replace(f"%({name})s", "")
        assert "%" not in stripped, code  # %d or a bare % would break the translated text's formatting


def test_the_error_keeps_its_code_and_parameters_and_speaks_english():
    error = GeometryError("too_many_vertices", vertices=60_001, limit=50_000)
    assert (error.code, error.params) == ("too_many_vertices", {"vertices": 60_001, "limit": 50_000})
    assert str(error) == "the polygon has 60,001 vertices; the limit is 50,000. Simplify it first."
    nested = GeometryError("drawn_area", number=2, reason=GeoMessage("not_polygon", {"kind": "Point"}))
    assert str(nested) == "drawn area 2: a coverage area must be a polygon, not a Point"
    assert str(GeometryError("no_such_code", n=1)) == "no_such_code n=1"  # never a crash


def test_a_message_renders_through_any_translation_and_number_format():
    message = GeoMessage("area_too_large", {"area": 13_000_000, "limit": 12_000_000})
    shout = message.render(lambda template: template.replace("the area covers", "THE AREA COVERS"), lambda n: f"<{n}>")
    assert shout.startswith("THE AREA COVERS <13000000> km², more than the limit of <12000000> km²;")
    broken = message.render(lambda template: "%(other)s", english_number)  # a translation with wrong placeholders
    assert broken == str(message)  # the English, rather than a KeyError


@pytest.mark.parametrize(
    "value, text", [(50_000, "50,000"), (91.5, "91.5"), (-92.123456, "-92.123"), (12_000_000.0, "12,000,000")]
)
def test_english_numbers(value, text):
    assert english_number(value) == text
