"""Display geometry: simplified, snapped to a grid, and always valid.

Every polygon the directory serves to a client (map layers, OGC API - Features, HSDS service areas,
the review page's coverage map) goes through this module, and GeoJSON text is written by
geo.geojson.feature, which snaps through `on_grid` too. Three steps, each keeping validity:

1. Simplify on the shared topology. Neighbouring polygons (the districts of one sending country, the
   admin units of a country, the member countries) share their borders; simplifying each polygon on
   its own would open gaps and overlaps along them. GEOS's coverage simplifier simplifies each
   shared edge once, for all polygons that share it, and never collapses a ring.
2. Snap to the grid with shapely.set_precision in its default mode ('valid_output': GEOS snap-rounds
   through its overlay, so rings that would cross after rounding are noded and parts narrower than
   the grid are removed). Rounding coordinates one by one (`coords.round(n)`) does NOT keep
   validity: a ring collapses to a line, or two edges cross (this served 5 of the 156 districts
   invalid). Only the polygonal parts of the result are kept, exterior rings counter-clockwise
   (RFC 7946).
3. Check: the result must be valid, non-empty when the source was not, keep the area of the
   simplified shape within what the grid can explain (MAX_AREA_CHANGE of the area plus the boundary
   length times the grid), and the source's area within MAX_SIMPLIFIED_AREA_CHANGE (plus the same
   share of the grid). A simplified shape that is invalid is repaired first with
   make_valid(method="structure"), which keeps areas and drops rings collapsed to lines; the repair
   is reported (Repair, logged at WARNING with the area it changed). A shape that still fails is
   taken again from a less simplified version (the tolerance divided by 4 twice, then none); one
   that the grid cannot hold at all (a sliver thinner than the grid) is served off the grid, at
   full precision.

A less simplified version is taken for the whole coverage (its shared borders stay shared), and
only when simplification broke a shape: a shape that the grid alone breaks does not pull its
neighbours down with it.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.validate import polygonal_part

OVERVIEW_TOLERANCE = 0.05  # degrees: a whole-region layer (all districts: about 250 KB gzipped)
OVERVIEW_GRID = 0.001  # degrees, about 100 m
# The first views of a map (zoom 4 and less, where a pixel is 0.09 to 0.18 degrees): a coarser layer
# for the browser to draw, about a third of the overview's vertices (low_zoom_coverage).
LOW_ZOOM_TOLERANCE = 0.15  # degrees: under a pixel at zoom 3, under two at zoom 4
LOW_ZOOM_GRID = 0.01  # degrees, about 1 km: a tenth of a pixel at zoom 4
LOW_ZOOM_MIN_PART = 0.02  # square degrees: islands and fragments under 2 x 2 pixels at zoom 4 are left out
MAX_AREA_CHANGE = 0.02  # share of a shape's area that snapping or a repair may change, beyond the grid's share
MAX_SIMPLIFIED_AREA_CHANGE = 0.5  # share of the source's area that simplifying may change (a thin shape
# reduced to a sliver triangle); on the real boundaries at most 28 % (Islas de la Bahía at 0.05°)
FALLBACK_STEPS = 2  # less simplified versions tried (tolerance / 4, / 16) before no simplification
MAX_REPAIR_VERTICES = 20_000  # make_valid on 20,000 vertices of a crossing ring takes about 0.6 s, 200,000 hang

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repair:
    """A shape that needed more than simplifying and snapping: its position in the input, why
    (shapely's is_valid_reason, or "collapsed on the grid"), its area before and after (square
    degrees; before = the source's area) and the tolerance finally used."""

    index: int
    reason: str
    area_before: float
    area_after: float
    tolerance: float

    @property
    def area_change(self) -> float:
        """Relative change of area, e.g. -0.001 for 0.1 % lost."""
        return (self.area_after - self.area_before) / self.area_before if self.area_before else 0.0


@dataclass(frozen=True)
class DisplayCoverage:
    """The display shapes, in the order of the input, and what some of them needed."""

    geometries: list[BaseGeometry]
    repairs: list[Repair]


def simplify_coverage(
    geometries: Sequence[BaseGeometry],
    groups: Sequence[Hashable] | None = None,
    *,
    tolerance: float = OVERVIEW_TOLERANCE,
    grid: float = OVERVIEW_GRID,
) -> list[BaseGeometry]:
    """Simplify polygons that tile the plane together, keeping shared borders shared; every
    result is valid (see the module docstring). `groups` splits the input into coverages that are
    simplified separately (polygons of different groups may overlap, e.g. the districts of two
    sending countries); the order of the output matches the input."""
    return display_coverage(geometries, groups, tolerance=tolerance, grid=grid).geometries


def display_coverage(
    geometries: Sequence[BaseGeometry],
    groups: Sequence[Hashable] | None = None,
    *,
    tolerance: float = OVERVIEW_TOLERANCE,
    grid: float = OVERVIEW_GRID,
) -> DisplayCoverage:
    """simplify_coverage, with the list of repairs and fallbacks it needed."""
    keys = list(groups) if groups is not None else [None] * len(geometries)
    result: list[BaseGeometry | None] = [None] * len(geometries)
    repairs: list[Repair] = []
    polygonal = [_is_polygonal(geometry) for geometry in geometries]
    for i, geometry in enumerate(geometries):
        if not polygonal[i]:  # nothing to simplify on a shared topology
            result[i] = display_geometry(geometry, tolerance=tolerance, grid=grid)
    for key in dict.fromkeys(keys):
        positions = [i for i, k in enumerate(keys) if k == key and polygonal[i]]
        if not positions:
            continue
        shapes, group_repairs = _display_group([geometries[i] for i in positions], tolerance, grid)
        for position, shape in zip(positions, shapes):
            result[position] = shape
        repairs += [_at(positions[r.index], r) for r in group_repairs]
    for repair in repairs:
        logger.warning(
            "display geometry %d: %s; area %+.4f%% at tolerance %g",
            repair.index,
            repair.reason,
            100 * repair.area_change,
            repair.tolerance,
        )
    return DisplayCoverage(result, repairs)  # type: ignore[arg-type]


def low_zoom_coverage(
    geometries: Sequence[BaseGeometry], groups: Sequence[Hashable] | None = None
) -> list[BaseGeometry]:
    """simplify_coverage for the first views of a map (zoom 4 and less): LOW_ZOOM_TOLERANCE on the
    LOW_ZOOM_GRID, and without the parts smaller than LOW_ZOOM_MIN_PART (without_small_parts): a
    shape of thousands of islands is drawn as its larger ones. Every result is valid."""
    shapes = simplify_coverage(geometries, groups, tolerance=LOW_ZOOM_TOLERANCE, grid=LOW_ZOOM_GRID)
    return [without_small_parts(shape, LOW_ZOOM_MIN_PART) for shape in shapes]


def without_small_parts(geometry: BaseGeometry | None, min_area: float) -> BaseGeometry | None:
    """A multipolygon without its polygons smaller than `min_area` (its largest polygon always stays);
    anything else as it is. Polygons of a valid multipolygon touch at points at most, so any subset of
    them is a valid multipolygon too; holes are kept (an enclave of a neighbour fills them)."""
    if geometry is None or geometry.geom_type != "MultiPolygon":
        return geometry
    parts = list(geometry.geoms)
    largest = max(parts, key=lambda part: part.area)
    kept = [part for part in parts if part is largest or part.area >= min_area]
    if len(kept) == len(parts):
        return geometry
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def display_geometry(geometry: BaseGeometry, *, tolerance: float = 0.0, grid: float) -> BaseGeometry:
    """One shape (that shares its borders with nothing served beside it) simplified and snapped
    to the grid, valid. Points and lines are simplified and snapped only."""
    if geometry is None or geometry.is_empty:
        return geometry
    if not _is_polygonal(geometry):
        simplified = shapely.simplify(geometry, tolerance, preserve_topology=True) if tolerance else geometry
        return shapely.set_precision(simplified, grid)
    return display_coverage([geometry], tolerance=tolerance, grid=grid).geometries[0]


def on_grid(geometry: BaseGeometry, grid: float) -> BaseGeometry:
    """The geometry snapped to the grid, valid: display_geometry without simplification. A valid
    geometry whose coordinates are on the grid already (the output of this module) comes back as
    it is, after a check that costs milliseconds instead of a second snap."""
    if geometry is None or geometry.is_empty:
        return geometry
    if _is_on_grid(geometry, grid) and geometry.is_valid:
        return geometry
    return display_geometry(geometry, tolerance=0.0, grid=grid)


def _is_on_grid(geometry: BaseGeometry, grid: float) -> bool:
    # GEOS rounds to a grid as round(x * scale) / scale, the scale snapped to an integer when
    # it is one (1 / 0.001 = 1000); numpy's round(x, 3) computes the same numbers.
    scale = 1 / grid
    if abs(scale - round(scale)) < 1e-9 * scale:
        scale = round(scale)
    coordinates = shapely.get_coordinates(geometry)
    return bool(np.array_equal(np.rint(coordinates * scale) / scale, coordinates))


def _display_group(sources: list[BaseGeometry], tolerance: float, grid: float) -> tuple[list, list[Repair]]:
    """One coverage, simplified as a whole at `tolerance`, or at a lower tolerance (again as a
    whole, so shared borders stay shared) when simplifying broke a shape that the grid alone
    does not break."""
    areas = [_area(source) for source in sources]
    for step in _tolerances(tolerance):
        simplified = _simplified(sources, step) if step else sources
        checked = [_checked(simplified[i], areas[i], grid) for i in range(len(sources))]
        failed = [i for i, (shape, _) in enumerate(checked) if shape is None]
        if step and any(_checked(sources[i], areas[i], grid)[0] is not None for i in failed):
            continue
        break
    shapes, repairs = [], []
    for i, (shape, reason) in enumerate(checked):
        if shape is None:  # the grid cannot hold it (a sliver thinner than the grid): full precision
            fallback = simplified[i] if simplified[i].is_valid and not simplified[i].is_empty else sources[i]
            shape = _oriented(fallback if fallback.is_valid else _repaired(fallback))
            reason = f"{reason + '; ' if reason else ''}collapsed on the grid, kept off it"
        if reason or step != tolerance:
            repairs.append(Repair(i, reason or "less simplified", areas[i], float(shape.area), step))
        shapes.append(shape)
    return shapes, repairs


def _tolerances(tolerance: float) -> list[float]:
    if not tolerance:
        return [0.0]
    return [tolerance / 4**step for step in range(FALLBACK_STEPS + 1)] + [0.0]


def _simplified(sources: list[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    try:
        return list(shapely.coverage_simplify(sources, tolerance))
    except shapely.errors.GEOSException:  # not a coverage GEOS can read: each shape on its own
        return [shapely.simplify(s, tolerance, preserve_topology=True) for s in sources]


def _is_polygonal(geometry: BaseGeometry | None) -> bool:
    return geometry is not None and not geometry.is_empty and geometry.geom_type in ("Polygon", "MultiPolygon")


def _checked(simplified: BaseGeometry, original: float, grid: float) -> tuple[BaseGeometry | None, str]:
    """(the simplified shape snapped to the grid and valid, the repair it needed or "") or
    (None, reason) when the result would be empty or change the area more than it may.
    `original` is the area of the source."""
    reason = ""
    reference = original
    if simplified.is_valid:
        reference = simplified.area
    else:
        reason = shapely.is_valid_reason(simplified)
        if shapely.get_num_coordinates(simplified) > MAX_REPAIR_VERTICES:
            return None, reason
        simplified = _repaired(simplified)
    snapped = polygonal_part(shapely.set_precision(simplified, grid))
    valid = snapped.is_valid
    if not valid:  # set_precision promises valid output; if GEOS ever breaks that
        reason = reason or shapely.is_valid_reason(snapped)
        snapped = polygonal_part(shapely.set_precision(_repaired(snapped), grid))
        valid = snapped.is_valid
    if snapped.is_empty or not valid:
        return None, reason
    area, slack = snapped.area, simplified.length * grid
    if abs(area - reference) > MAX_AREA_CHANGE * reference + slack:
        return None, reason
    if abs(area - original) > MAX_SIMPLIFIED_AREA_CHANGE * original + slack:
        return None, reason
    return _oriented(snapped), reason


def _repaired(geometry: BaseGeometry) -> BaseGeometry:
    """make_valid's 'structure' method keeps areas and drops rings collapsed to lines."""
    return polygonal_part(shapely.make_valid(geometry, method="structure", keep_collapsed=False))


def _oriented(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.orient_polygons(geometry, exterior_cw=False)


def _area(geometry: BaseGeometry) -> float:
    """The area; of an invalid shape, the area of its repair (a crossing ring's own area counts its
    lobes with opposite signs)."""
    if geometry.is_valid or shapely.get_num_coordinates(geometry) > MAX_REPAIR_VERTICES:
        return float(geometry.area)
    return float(_repaired(geometry).area)


def _at(index: int, repair: Repair) -> Repair:
    return Repair(index, repair.reason, repair.area_before, repair.area_after, repair.tolerance)
