"""CQL2 filters (OGC API - Features Part 3, OGC 21-065) on the queryables of a collection.

pygeofilter parses the text (cql2-text) or JSON (cql2-json) encoding into its syntax tree; this module
checks the tree against the collection's queryables and turns it into a SQLAlchemy condition on our
own columns. pygeofilter's SQLAlchemy backend is not used: it needs PostGIS functions (ST_Intersects)
and the directory runs on SQLite and on PostgreSQL without PostGIS, with positions in two number
columns. Spatial predicates are handed to the collection (`FilterTarget.spatial`), which evaluates
them with shapely on the geometry the reader may see.

What is implemented (and declared in /conformance): basic CQL2 (comparisons, IS NULL, AND/OR/NOT;
string, number, boolean, TIMESTAMP and DATE literals), advanced comparison operators (LIKE, BETWEEN,
IN), and the spatial functions S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS, S_EQUALS, S_TOUCHES,
S_CROSSES, S_OVERLAPS with any geometry literal or BBOX. Not implemented, refused with a 400:
functions (CASEI, ACCENTI and others), arithmetic, temporal and array operators.

LIKE is case-sensitive as CQL2 says on both databases: SQLite's LIKE ignores case, so on SQLite the
pattern becomes a GLOB pattern (`%` -> `*`, `_` -> `?`, the others bracketed)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import shapely
import shapely.errors
import shapely.geometry
from flask_babel import gettext as _
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text
from sqlalchemy import ColumnElement, and_, literal, not_, or_

from directory_app.api import ogc_crs
from directory_app.api.params import ApiProblem
from directory_app.request_params import refused_character

GEOMETRY = "geometry"
MAX_FILTER = 4000  # characters
CONFORMANCE = [
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
]
_SPATIAL = {
    ast.SpatialComparisonOp.INTERSECTS: "intersects",
    ast.SpatialComparisonOp.DISJOINT: "disjoint",
    ast.SpatialComparisonOp.CONTAINS: "contains",
    ast.SpatialComparisonOp.WITHIN: "within",
    ast.SpatialComparisonOp.TOUCHES: "touches",
    ast.SpatialComparisonOp.CROSSES: "crosses",
    ast.SpatialComparisonOp.OVERLAPS: "overlaps",
    ast.SpatialComparisonOp.EQUALS: "equals",
}
_CONVERSE = {"within": "contains", "contains": "within"}  # S_WITHIN(literal, geometry) = S_CONTAINS(geometry, ...)


@dataclass(frozen=True)
class FilterTarget:
    """What a filter runs on: {queryable: (SQL expression, JSON type: string, number, integer,
    boolean or date-time)}, the spatial predicate of the collection's geometry (a shapely predicate
    name and a CRS84 geometry -> SQL condition), and the database (sqlite or postgresql)."""

    columns: Mapping[str, tuple[ColumnElement, str]]
    spatial: Callable[[str, shapely.Geometry], ColumnElement]
    dialect: str


def parse(text: str, language: str) -> ast.Node:
    """The syntax tree of a filter, or a 400 saying where it could not be read."""
    if len(text) > MAX_FILTER:
        raise _problem(_("The filter is too long (at most %(n)s characters).", n=MAX_FILTER))
    try:
        if language == "cql2-json":
            return _as_written(parse_json(_standard_json(json.loads(text))), text)
        return _as_written(parse_text(text), text)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:
        raise _problem(
            _("The filter is not valid %(language)s: %(reason)s", language=language, reason=_brief(error))
        ) from None
    except Exception as error:  # noqa: BLE001 - lark's errors (UnexpectedInput and others) carry the position
        line, column = getattr(error, "line", None), getattr(error, "column", None)
        if line is not None and column is not None:
            raise _problem(
                _("The filter could not be read at line %(line)s, column %(column)s.", line=line, column=column)
            ) from None
        raise _problem(_("The filter is not valid %(language)s.", language=language)) from None


_CASEI, _LOWER = re.compile(r"\bcasei\b", re.IGNORECASE), re.compile(r"\blower\b", re.IGNORECASE)


def _as_written(tree: ast.Node, text: str) -> ast.Node:
    """The tree with CASEI called CASEI again: pygeofilter reads CASEI(...) (text and JSON) as a function
    "lower", and a refusal should name the function the user wrote. When the text also says LOWER,
    which of the two each call was is unknown, and the names are left as they are."""
    if not _CASEI.search(text) or _LOWER.search(text):
        return tree
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Function) and node.name == "lower":
            node.name = "casei"
        if isinstance(node, ast.Node):
            stack += [sub for sub in node.get_sub_nodes() if isinstance(sub, ast.Node)]
    return tree


def _brief(error: Exception) -> str:
    return str(error).splitlines()[0][:160] if str(error) else type(error).__name__


def _standard_json(node):
    """CQL2 JSON as the standard writes it, in the forms pygeofilter 0.4 reads: a `bbox` literal as the
    BBOX of the text encoding (pygeofilter reads its four numbers in the wrong order) and `between`
    with its two bounds as one pair."""
    if isinstance(node, list):
        return [_standard_json(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "bbox" in node and isinstance(node["bbox"], list):
        return {"function": {"name": "bbox", "arguments": node["bbox"]}}
    node = {key: _standard_json(value) for key, value in node.items()}
    if node.get("op") == "between" and isinstance(node.get("args"), list) and len(node["args"]) == 3:
        node["args"] = [node["args"][0], node["args"][1:]]
    return node


def to_condition(tree: ast.Node, target: FilterTarget, crs: ogc_crs.Crs) -> ColumnElement:
    """The SQL condition of a parsed filter; geometry literals are in `crs` (filter-crs)."""
    try:
        return _Compiler(target, crs).condition(tree)
    except RecursionError:
        raise _problem(_("The filter is nested too deeply.")) from None


class _Compiler:
    def __init__(self, target: FilterTarget, crs: ogc_crs.Crs):
        self.target = target
        self.crs = crs

    def condition(self, node) -> ColumnElement:
        if isinstance(node, ast.And | ast.Or):
            parts = [self.condition(part) for part in _flatten(node, type(node))]
            return and_(*parts) if isinstance(node, ast.And) else or_(*parts)
        if isinstance(node, ast.Not):
            return not_(self.condition(node.sub_node))
        if isinstance(node, ast.Comparison):
            return self.comparison(node)
        if isinstance(node, ast.Like):
            return self.like(node)
        if isinstance(node, ast.Between):
            column, kind = self.column(node.lhs)
            clause = column.between(self.value(node.low, kind), self.value(node.high, kind))
            return not_(clause) if node.not_ else clause
        if isinstance(node, ast.In):
            column, kind = self.column(node.lhs)
            clause = column.in_([self.value(option, kind) for option in node.sub_nodes])
            return not_(clause) if node.not_ else clause
        if isinstance(node, ast.IsNull):
            column, _kind = self.column(node.lhs)
            return column.is_not(None) if node.not_ else column.is_(None)
        if isinstance(node, ast.SpatialComparisonPredicate):
            return self.spatial(node)
        if isinstance(node, bool):
            return literal(node)
        raise _problem(_unsupported(node))

    def column(self, node) -> tuple[ColumnElement, str]:
        if isinstance(node, ast.Attribute):
            found = self.target.columns.get(node.name)
            if found is None:
                names = ", ".join(sorted(self.target.columns))
                raise _problem(
                    _("'%(name)s' is not a queryable of this collection (%(names)s).", name=node.name, names=names)
                )
            return found
        raise _problem(_unsupported(node))

    def comparison(self, node: ast.Comparison) -> ColumnElement:
        lhs, rhs, op = node.lhs, node.rhs, node.op
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs = rhs, lhs
            op = {ast.ComparisonOp.LT: ast.ComparisonOp.GT, ast.ComparisonOp.GT: ast.ComparisonOp.LT}.get(op, op)
            op = {ast.ComparisonOp.LE: ast.ComparisonOp.GE, ast.ComparisonOp.GE: ast.ComparisonOp.LE}.get(op, op)
        column, kind = self.column(lhs)
        value = self.column(rhs)[0] if isinstance(rhs, ast.Attribute) else self.value(rhs, kind)
        return {
            ast.ComparisonOp.EQ: lambda: column == value,
            ast.ComparisonOp.NE: lambda: column != value,
            ast.ComparisonOp.LT: lambda: column < value,
            ast.ComparisonOp.LE: lambda: column <= value,
            ast.ComparisonOp.GT: lambda: column > value,
            ast.ComparisonOp.GE: lambda: column >= value,
        }[op]()

    def value(self, node, kind: str):
        """A literal checked against the property's type (numbers for numbers, text for text...)."""
        if kind == "string" and isinstance(node, str):
            return _text(node)
        if kind in ("number", "integer") and isinstance(node, int | float) and not isinstance(node, bool):
            try:
                return float(node)  # a float for both databases (SQLite has no integers beyond 64 bits)
            except OverflowError:
                raise _problem(_("A number in the filter is too large.")) from None
        if kind == "boolean" and isinstance(node, bool):
            return node
        if kind == "date" and isinstance(node, date) and not isinstance(node, datetime):
            return node  # a DATE('...') against a date property
        if kind == "date-time" and isinstance(node, date):
            moment = node if isinstance(node, datetime) else datetime.combine(node, time.min, UTC)
            try:
                moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            except (OverflowError, ValueError):
                raise _problem(_("A date in the filter is out of range.")) from None
            return moment.replace(tzinfo=None) if self.target.dialect == "sqlite" else moment
        expected = {
            "date-time": "a TIMESTAMP('...') or DATE('...')",
            "date": "a DATE('...')",
            "boolean": "true or false",
        }.get(kind, kind)
        raise _problem(_("The filter compares a %(kind)s property with %(value)s.", kind=expected, value=repr(node)))

    def like(self, node: ast.Like) -> ColumnElement:
        column, kind = self.column(node.lhs)
        if kind != "string" or not isinstance(node.pattern, str):
            raise _problem(_("LIKE compares a text property with a text pattern."))
        if self.target.dialect == "sqlite":
            clause = column.bool_op("GLOB")(_glob_pattern(_text(node.pattern)))
        else:
            clause = column.like(_text(node.pattern), escape="\\")
        return not_(clause) if node.not_ else clause

    def spatial(self, node: ast.SpatialComparisonPredicate) -> ColumnElement:
        predicate = _SPATIAL[node.op]
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            lhs, rhs = rhs, lhs
            predicate = _CONVERSE.get(predicate, predicate)
        if not (isinstance(lhs, ast.Attribute) and lhs.name == GEOMETRY):
            raise _problem(_("Spatial functions compare the property 'geometry' with a geometry or a BBOX."))
        return self.target.spatial(predicate, self.geometry(rhs))

    def geometry(self, node) -> shapely.Geometry:
        """A geometry literal as a valid CRS84 shapely geometry."""
        if isinstance(node, values.Geometry):
            try:
                shape = shapely.geometry.shape(node.geometry)
            except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
                raise _problem(_("A geometry in the filter is not valid.")) from None
        elif isinstance(node, values.Envelope):
            shape = shapely.box(node.x1, node.y1, node.x2, node.y2)
        elif isinstance(node, ast.Function) and node.name.lower() == "bbox":
            shape = self.bbox(node.arguments)
        else:
            raise _problem(_("Spatial functions compare the property 'geometry' with a geometry or a BBOX."))
        shape = ogc_crs.shape_to_crs84(shape, self.crs)
        if shape.is_empty or not shapely.is_valid(shape):
            raise _problem(
                _("A geometry in the filter is not valid: %(reason)s.", reason=shapely.is_valid_reason(shape))
            )
        return shape

    def bbox(self, numbers: list) -> shapely.Geometry:
        """BBOX(x1, y1, x2, y2) in filter-crs's axis order; across the antimeridian in two parts."""
        if len(numbers) == 6:
            numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
        if len(numbers) != 4 or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            raise _problem(_("A BBOX in a filter has four or six numbers."))
        a1, b1, a2, b2 = (float(n) for n in numbers)  # in filter-crs's axis order (shape_to_crs84 swaps)
        east = self.crs.bounds[2]
        if self.crs.lat_first and b1 > b2:  # across the antimeridian, latitude first
            return shapely.MultiPolygon([shapely.box(a1, b1, a2, east), shapely.box(a1, -east, a2, b2)])
        if not self.crs.lat_first and a1 > a2:  # across the antimeridian
            return shapely.MultiPolygon([shapely.box(a1, b1, east, b2), shapely.box(-east, b1, a2, b2)])
        return shapely.box(a1, b1, a2, b2)


def _flatten(node, kind) -> list:
    """The operands of a chain of ANDs (or ORs), without nesting (a long chain stays shallow)."""
    parts, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            stack += [current.rhs, current.lhs]
        else:
            parts.append(current)
    return parts


def _glob_pattern(pattern: str) -> str:
    """A CQL2 LIKE pattern (% any text, _ one character, backslash escapes) as a SQLite GLOB pattern."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(f"[{char}]" if char in "*?[" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(f"[{char}]" if char in "*?[" else char)
    if escaped:
        out.append("\\")
    return "".join(out)


def _text(value: str) -> str:
    """A text literal; characters no text holds (NUL, other controls: possible in cql2-json's escapes) refused."""
    if refused_character(value):
        raise _problem(_("A text in the filter contains characters that are not allowed."))
    return value


def _unsupported(node) -> str:
    if isinstance(node, ast.Function):
        return _("The function %(name)s is not supported in filters.", name=node.name.upper())
    if isinstance(node, ast.Arithmetic):
        return _("Arithmetic is not supported in filters.")
    if isinstance(node, ast.TemporalPredicate):
        return _("Temporal functions are not supported in filters: compare 'updated' with TIMESTAMP('...').")
    return _("This part of the filter is not supported: %(part)s.", part=type(node).__name__)


def _problem(message: str) -> ApiProblem:
    return ApiProblem(message, parameter="filter")
