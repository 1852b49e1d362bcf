"""The SQL side of the OGC collections' filters (no Flask): the queryables of each collection as
columns, spatial predicates on the geometry the reader may see, `datetime` on the entries' last
update, `sortby` orders.

Spatial predicates (CQL2 S_* functions) are evaluated by shapely on the positions as published: for
the `organisations` collection the position the reader may see (`Viewer.position_columns`: a hidden
site's public approximate position for the public) rounded as in the features, so that no filter can
locate an exact point the reader does not get. The candidates are read with a box around the filter's
geometry, the predicate is tested in Python, and the condition is `id IN (the ids that pass)`; a
disjoint test is the complement of the intersecting ones. Districts are tested on their display
geometry, as `bbox` is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import shapely
from sqlalchemy import ColumnElement, String, select, type_coerce

from directory_app.api.ogc_cql import FilterTarget
from directory_app.api.ogc_params import SortKey
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import Location, Organisation, Status

POSITION_DECIMALS = 5  # as the features write them
_MARGIN = 10.0**-POSITION_DECIMALS


def dialect() -> str:
    return db.engine.dialect.name


def site_columns(lon: ColumnElement, lat: ColumnElement, exact: ColumnElement) -> dict:
    """Queryables of the organisations collection: {name: (SQL expression, JSON type)}."""
    return {
        "organisation_id": (Organisation.uuid, "string"),
        "name": (Organisation.name, "string"),
        "site": (Location.name, "string"),
        "city": (Location.city, "string"),
        "region": (Location.region, "string"),
        "country": (Organisation.country_code, "string"),
        "exact_position": (exact, "boolean"),
        "updated": (Organisation.updated_at, "date-time"),
    }


def consulate_columns() -> dict:
    return {
        "code": (Consulate.code, "string"),
        "name_es": (Consulate.name_es, "string"),
        "name_en": (Consulate.name_en, "string"),
        "kind": (type_coerce(Consulate.kind, String), "string"),  # any text compares; unknown kinds match nothing
        "city": (Consulate.city, "string"),
        "host_country": (Consulate.host_country_code, "string"),
        "updated": (Consulate.updated_at, "date-time"),
    }


def district_columns() -> dict:
    return {
        "code": (ConsularDistrict.code, "string"),
        "sending_country": (ConsularDistrict.sending_country_code, "string"),
        "consulate": (Consulate.code, "string"),
        "consulate_name_es": (Consulate.name_es, "string"),
        "consulate_name_en": (Consulate.name_en, "string"),
        "city": (Consulate.city, "string"),
        "host_country": (Consulate.host_country_code, "string"),
        "approximate": (ConsularDistrict.is_approximate, "boolean"),
        "provenance": (ConsularDistrict.provenance, "string"),
        "official_units": (ConsularDistrict.official_units, "integer"),
        "units": (ConsularDistrict.unit_count, "integer"),
        "source": (ConsularDistrict.source, "string"),
        "source_date": (ConsularDistrict.source_date, "date"),
        "area_km2": (ConsularDistrict.area_km2, "number"),
        "updated": (ConsularDistrict.updated_at, "date-time"),
    }


def point_target(
    columns: dict, id_column, lon, lat, candidates: Callable, in_box: Callable | None = None
) -> FilterTarget:
    """A filter target whose geometry is a point (lon, lat expressions); `candidates(statement)` adds
    the joins and conditions that make a row a feature (published organisations...); `in_box(box)`, when
    given, is the condition of a point in a box (through an index), else plain comparisons of lon, lat."""
    in_box = in_box or (lambda box: lon.between(box[0], box[2]) & lat.between(box[1], box[3]))

    def spatial(predicate: str, shape: shapely.Geometry) -> ColumnElement:
        if predicate == "disjoint":
            return id_column.not_in(_passing_points("intersects", shape, id_column, lon, lat, candidates, in_box))
        return id_column.in_(_passing_points(predicate, shape, id_column, lon, lat, candidates, in_box))

    return FilterTarget(columns, spatial, dialect())


def _passing_points(predicate: str, shape, id_column, lon, lat, candidates, in_box: Callable) -> list:
    min_x, min_y, max_x, max_y = shape.bounds
    statement = candidates(select(id_column, lon, lat)).where(
        in_box((min_x - _MARGIN, min_y - _MARGIN, max_x + _MARGIN, max_y + _MARGIN))
    )
    rows = db.session.execute(statement).all()
    if not rows:
        return []
    points = shapely.points([[round(row[1], POSITION_DECIMALS), round(row[2], POSITION_DECIMALS)] for row in rows])
    passing = getattr(shapely, predicate)(points, shape)
    return [row[0] for row, ok in zip(rows, passing, strict=True) if ok]


def district_target(geometry_of: Callable[[str, str], shapely.Geometry]) -> FilterTarget:
    """Districts: spatial predicates on each district's display geometry (`geometry_of(code, version)`)."""

    def spatial(predicate: str, shape: shapely.Geometry) -> ColumnElement:
        test = "intersects" if predicate == "disjoint" else predicate
        min_x, min_y, max_x, max_y = shape.bounds
        rows = db.session.execute(
            select(ConsularDistrict.code, ConsularDistrict.updated_at).where(
                ConsularDistrict.display_wkb.is_not(None),
                ConsularDistrict.min_lon <= max_x,
                ConsularDistrict.max_lon >= min_x,
                ConsularDistrict.min_lat <= max_y,
                ConsularDistrict.max_lat >= min_y,
            )
        ).all()
        codes = [r.code for r in rows if getattr(shapely, test)(geometry_of(r.code, str(r.updated_at)), shape)]
        return ConsularDistrict.code.not_in(codes) if predicate == "disjoint" else ConsularDistrict.code.in_(codes)

    return FilterTarget(district_columns(), spatial, dialect())


def published_sites(statement):
    return statement.join(Organisation, Organisation.id == Location.organisation_id).where(
        Organisation.status == Status.PUBLISHED
    )


def interval_conditions(column, interval: tuple[datetime | None, datetime | None] | None) -> list:
    """`datetime`: the entry's last update within the interval (ends included)."""
    if interval is None:
        return []
    start, end = (_stored(moment) for moment in interval)
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def _stored(moment: datetime | None) -> datetime | None:
    """A UTC moment as the database compares it (SQLite keeps UTC timestamps without their zone)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None) if dialect() == "sqlite" else moment


def order_by(columns: dict, sortby: tuple[SortKey, ...], default: list) -> list:
    """ORDER BY: the `sortby` keys (empty values last), then the collection's own order."""
    order = []
    for key in sortby:
        column = columns[key.name][0]
        order.append((column.desc() if key.descending else column.asc()).nulls_last())
    return order + default
