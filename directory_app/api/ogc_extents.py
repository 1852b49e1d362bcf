"""The extents of the OGC collections (no Flask): spatial and temporal, as a reader sees them, rounded
outward so that every feature lies inside what is advertised."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select

from directory_app.api import ogc_filters
from directory_app.api.ogc_features import Viewer
from directory_app.api.params import iso_datetime
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import Organisation

EXTENT_DECIMALS = 4


def extent(collection_id: str, viewer: Viewer) -> tuple[list[float] | None, list[str | None] | None]:
    """The spatial extent [west, south, east, north] and the temporal extent [first, last update] of a
    collection as this reader sees it (the positions the reader gets), rounded outward (west and south
    down, east and north up at EXTENT_DECIMALS; the first update down and the last up to the second),
    so that every feature lies inside."""
    if collection_id == "organisations":
        lon, lat, _exact = viewer.position_columns()
        updated = Organisation.updated_at
        statement = ogc_filters.published_sites(select(*_bounds(lon, lat, lon, lat), *_span(updated)))
    elif collection_id == "consulates":
        statement = select(
            *_bounds(Consulate.lon, Consulate.lat, Consulate.lon, Consulate.lat), *_span(Consulate.updated_at)
        )
    else:
        statement = select(
            *_bounds(
                ConsularDistrict.min_lon, ConsularDistrict.min_lat, ConsularDistrict.max_lon, ConsularDistrict.max_lat
            ),
            *_span(ConsularDistrict.updated_at),
        ).where(ConsularDistrict.display_wkb.is_not(None))
    row = db.session.execute(statement).one()
    if row[0] is None:
        return None, None
    scale = 10**EXTENT_DECIMALS
    west, south = (math.floor(float(v) * scale) / scale for v in row[0:2])
    east, north = (math.ceil(float(v) * scale) / scale for v in row[2:4])
    first, last = row[4], row[5]
    if isinstance(first, str):  # SQLite's MIN/MAX of a timestamp column are its text
        first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
    if last is not None and last.microsecond:
        last = last.replace(microsecond=0) + timedelta(seconds=1)
    first = first.replace(microsecond=0) if first is not None else None
    return [west, south, east, north], [iso_datetime(first), iso_datetime(last)]


def _bounds(west, south, east, north) -> list:
    return [func.min(west), func.min(south), func.max(east), func.max(north)]


def _span(column) -> list:
    return [func.min(column), func.max(column)]
