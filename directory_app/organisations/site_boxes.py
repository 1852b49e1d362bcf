"""Sites in bounding boxes, found through an index on both backends.

Each site stores, when it is written (organisations.sites.SitePlacement, used by the one write path,
the demo generator and every bulk writer), the two positions a reader may be shown: its exact point
(`lon`, `lat`) and its public point (`public_lon`, `public_lat`: the exact point, or the label point of
its unit when the organisation hides its exact location). The public sees only public points, the TS
and consular users only exact points, a country contact exact points of their own country's sites and
public points of other countries' hidden sites (accounts.access). So every reader's position is one of
two stored columns, never a value computed at read time, and a box is searched on those columns:

- SQLite: the covering indexes of the 0.1° grid (`ix_location_public_nearest` on public_grid_key,
  public_lat, public_lon...; `ix_location_nearest` for exact points), one UNION ALL branch per grid
  row (as organisations.queries does for nearest searches); a box of more than MAX_BRANCH_ROWS rows
  is one range over whole rows, the longitude still tested inside the index.
- PostgreSQL: GiST indexes on point(public_lon, public_lat) and point(lon, lat) (migration 0015),
  measured faster there than the grid (benchmarks/bbox_index.py, docs/benchmarks.md), and for the
  published sites partial ones that include the id and the point's columns (migration 0021), so that
  /ogc finds and counts a box of published sites in the index alone. An R*Tree on SQLite was not
  measurably faster than the grid, so SQLite keeps the grid.

`site_ids_in_boxes` gives the ids of the candidate sites as a subquery: a superset of the sites the
reader sees in the boxes (boxes widened by EPSILON degrees, and for a country contact both positions).
Callers keep their exact condition on the position the reader is shown, which trims it to the answer:
the index only chooses the rows to look at, the privacy rule stays where it was.

`shown_position` is that position as SQL (accounts.access's rule, on Location joined with its
Organisation) and `shown_in_boxes` the whole condition, candidates and exact test together: the one
way every bbox of the directory is answered (/ogc, /api/v1/organisations, the map layers). For the
public and for readers of every exact point the position shown is always one stored column
(`stored_position`), so their condition reads the location row alone: /ogc then counts and pages the
sites in a box without joining their organisations (whether a site is published is on its row too).
`sites_shown_in_boxes` and `organisations_shown_in_boxes` give them as selects of ids.
"""

from __future__ import annotations

import functools

from sqlalchemy import ColumnElement, Integer, Select, Subquery, case, column, or_, select, text

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation
from geo.nearest import grid_key, grid_ranges

# PostgreSQL only: the points of every site (public, exact; migration 0015) and of the published sites,
# covering (migration 0021).
POINT_INDEXES = ("ix_location_public_point", "ix_location_exact_point")
PUBLISHED_POINT_INDEXES = ("ix_location_public_point_published", "ix_location_exact_point_published")
BOX_INDEXES = POINT_INDEXES + PUBLISHED_POINT_INDEXES
MAX_BRANCH_ROWS = 60  # grid rows searched one branch each; a taller box is one range over whole rows
EPSILON = 1e-9  # degrees: the candidates' box is this much larger, so no edge case is lost to rounding
PUBLIC, EXACT = "public_", ""

Box = tuple[float, float, float, float]  # west, south, east, north (CRS84, west <= east)


def positions_for(viewer_key: str) -> tuple[str, ...]:
    """Which stored positions may be what this reader is shown (accounts.access.viewer_key)."""
    if viewer_key == "all":
        return (EXACT,)
    if viewer_key.startswith("country:"):
        return (PUBLIC, EXACT)
    return (PUBLIC,)


@functools.lru_cache(maxsize=64)
def shown_position(viewer_key: str) -> tuple[ColumnElement, ColumnElement, ColumnElement]:
    """SQL expressions, on Location joined with its Organisation, of the longitude and latitude this
    reader is shown (accounts.access.viewer_key) and whether they are the exact ones."""
    hidden = Organisation.hide_exact_location
    if viewer_key == "all":
        exact = hidden.is_(False) | hidden.is_(True)
    elif viewer_key.startswith("country:"):
        exact = hidden.is_(False) | (Organisation.country_code == viewer_key.split(":", 1)[1])
    else:
        exact = hidden.is_(False)
    lon = case((exact, Location.lon), else_=Location.public_lon)
    lat = case((exact, Location.lat), else_=Location.public_lat)
    return lon, lat, case((exact, True), else_=False)


def within(lon: ColumnElement, lat: ColumnElement, boxes: tuple[Box, ...]) -> ColumnElement:
    """The point (lon, lat) lies in one of the boxes (edges included)."""
    return or_(*(lon.between(west, east) & lat.between(south, north) for west, south, east, north in boxes))


def stored_position(viewer_key: str) -> tuple[ColumnElement, ColumnElement] | None:
    """The stored columns that always hold the position this reader is shown, when there are such:
    the public point for the public (it is the exact point when the organisation does not hide it:
    organisations.sites.place_sites), the exact point for a reader who sees every exact point. None for
    a country contact, shown either one depending on the organisation."""
    positions = positions_for(viewer_key)
    if len(positions) != 1:
        return None
    return (Location.public_lon, Location.public_lat) if positions == (PUBLIC,) else (Location.lon, Location.lat)


def shown_in_boxes(viewer_key: str, boxes: tuple[Box, ...]) -> ColumnElement:
    """Sites whose position shown to this reader lies in a box: the candidates come from an index of the
    stored positions the reader may be shown, the shown position decides. A hidden site is never found by
    its exact point by a reader who may not see it. For the public and for readers of every exact point
    the condition is on the location row alone (stored_position); for a country contact it reads the
    organisation too (Location joined with its Organisation)."""
    stored = stored_position(viewer_key)
    lon, lat = stored if stored is not None else shown_position(viewer_key)[:2]
    return Location.id.in_(site_ids_in_boxes(boxes, positions_for(viewer_key))) & within(lon, lat, boxes)


def sites_shown_in_boxes(viewer_key: str, boxes: tuple[Box, ...]) -> Select:
    """A select of the ids of the sites shown to this reader inside a box (of any organisation: callers
    choose which organisations are seen). Never correlated with an enclosing query."""
    return (
        select(Location.id)
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(shown_in_boxes(viewer_key, boxes))
        .correlate(None)
    )


def organisations_shown_in_boxes(viewer_key: str, boxes: tuple[Box, ...]) -> Select:
    """A select of the ids of the organisations with a site shown to this reader inside a box."""
    return (
        select(Location.organisation_id)
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(shown_in_boxes(viewer_key, boxes))
        .correlate(None)
    )


def published_site_ids_in_boxes(viewer_key: str, boxes: tuple[Box, ...]) -> tuple[Subquery, dict] | None:
    """For a reader shown one stored position (stored_position: the public, or a reader of every exact
    point), a subquery of the ids of the published sites (Location.organisation_status) whose position
    lies in a box, edges included, each once (a site lies in one of the non-overlapping boxes of a bbox),
    and the values of its parameters, to be given when it is executed (the subquery is built once per
    shape of the boxes, so that neither it nor its cache key is built again per request); None for a
    country contact. Read from the index alone: on SQLite the grid covering indexes end with the status,
    so neither the sites' rows nor their organisations are read; on PostgreSQL the GiST index, the status
    tested on the row."""
    if stored_position(viewer_key) is None:
        return None
    (position,) = positions_for(viewer_key)
    shape, params = _shape_and_params(boxes)
    return _published_in_boxes(shape, position), params


@functools.lru_cache(maxsize=256)
def _published_in_boxes(shape: int | tuple[int, ...], position: str) -> Subquery:
    """The subquery of published_site_ids_in_boxes for one shape of the boxes (_shape_and_params), its
    parameters left to the execution."""
    statement = _index_query(shape, (position,), published=True)
    return statement.columns(column("id", Integer)).subquery("published_in_boxes")


def site_ids_in_boxes(boxes: tuple[Box, ...], positions: tuple[str, ...]):
    """A subquery of the ids of the sites whose `positions` (PUBLIC, EXACT) lie in any of the boxes,
    found through an index (may hold an id twice)."""
    widened = tuple((w - EPSILON, s - EPSILON, e + EPSILON, n + EPSILON) for w, s, e, n in boxes)
    shape, params = _shape_and_params(widened)
    return _index_query(shape, positions).bindparams(**params).columns(column("id", Integer))


def _shape_and_params(boxes: tuple[Box, ...]) -> tuple[int | tuple[int, ...], dict]:
    """The shape of the index query for these boxes (PostgreSQL: how many boxes; SQLite: how many grid
    branches each box takes) and the values of its parameters."""
    postgres = db.engine.dialect.name == "postgresql"
    shapes, params = [], {}
    for i, box in enumerate(boxes):
        params |= {f"w{i}": box[0], f"s{i}": box[1], f"e{i}": box[2], f"n{i}": box[3]}
        if not postgres:
            ranges = _row_ranges(*box)
            shapes.append(len(ranges))
            for j, (low, high) in enumerate(ranges):
                params |= {f"lo{i}_{j}": low, f"hi{i}_{j}": high}
    return (len(boxes) if postgres else tuple(shapes)), params


def _index_query(shape: int | tuple[int, ...], positions: tuple[str, ...], published: bool = False):
    """The ids of the sites in the boxes, through the backend's index (_shape_and_params's shape)."""
    if isinstance(shape, int):
        return _point_query(shape, positions, published)
    return _grid_query(shape, positions, published)


def _row_ranges(west: float, south: float, east: float, north: float) -> list[tuple[int, int]]:
    ranges = grid_ranges(west, south, east, north)
    if len(ranges) > MAX_BRANCH_ROWS:
        return [(grid_key(-180.0, south), grid_key(180.0, north))]  # whole rows: a latitude band
    return ranges


PUBLISHED_ONLY = " AND organisation_status = 'published'"  # Location.organisation_status, a constant


@functools.lru_cache(maxsize=256)
def _grid_query(shapes: tuple[int, ...], positions: tuple[str, ...], published: bool = False):
    """SQLite: one range scan of a covering grid index per branch (of the published sites alone when
    `published`). Column names come from this module, never from input; every value is a bound parameter."""
    status = PUBLISHED_ONLY if published else ""
    branches = [
        f"SELECT id FROM location WHERE {p}grid_key BETWEEN :lo{i}_{j} AND :hi{i}_{j} "  # nosec B608
        f"AND {p}lat BETWEEN :s{i} AND :n{i} AND {p}lon BETWEEN :w{i} AND :e{i}{status}"
        for p in positions
        for i, count in enumerate(shapes)
        for j in range(count)
    ]
    return text(" UNION ALL ".join(branches))


@functools.lru_cache(maxsize=64)
def _point_query(box_count: int, positions: tuple[str, ...], published: bool = False):
    """PostgreSQL: one GiST index scan per box and position (`<@`: in the box or on its edge)."""
    status = PUBLISHED_ONLY if published else ""
    branches = [
        f"SELECT id FROM location WHERE point({p}lon, {p}lat) <@ "  # nosec B608
        f"box(point(:w{i}, :s{i}), point(:e{i}, :n{i})){status}"
        for p in positions
        for i in range(box_count)
    ]
    return text(" UNION ALL ".join(branches))
