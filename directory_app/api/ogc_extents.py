"""The extents of the OGC collections (no Flask): spatial and temporal, as a reader sees them, rounded
outward so that every feature lies inside what is advertised.

The sites' extent is one aggregate over the stored position columns (organisations.site_boxes): the
public point of a site is its exact point unless its organisation hides it, so the public's extent is
min/max of public_lon/public_lat, the TS's of lon/lat, and a country contact's the two aggregates of
their own country's sites (exact) and the others' (public) put together. No position is computed per
site and no site is read into Python; SQLite answers each from its covering grid index."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select, true

from directory_app.api import ogc_filters
from directory_app.api.ogc_features import Viewer
from directory_app.api.params import iso_datetime
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import Location, Organisation

EXTENT_DECIMALS = 4


def extent(collection_id: str, viewer: Viewer) -> tuple[list[float] | None, list[str | None] | None]:
    """The spatial extent [west, south, east, north] and the temporal extent [first, last update] of a
    collection as this reader sees it (the positions the reader gets), rounded outward (west and south
    down, east and north up at EXTENT_DECIMALS; the first update down and the last up to the second),
    so that every feature lies inside."""
    if collection_id == "organisations":
        row = _sites_extent(viewer.key)
    else:
        row = db.session.execute(_statement(collection_id)).one()
    if row[0] is None:
        return None, None
    scale = 10**EXTENT_DECIMALS
    west, south = (math.floor(float(v) * scale) / scale for v in row[0:2])
    east, north = (math.ceil(float(v) * scale) / scale for v in row[2:4])
    first, last = (_moment(v) for v in row[4:6])
    if last is not None and last.microsecond:
        last = last.replace(microsecond=0) + timedelta(seconds=1)
    first = first.replace(microsecond=0) if first is not None else None
    return [west, south, east, north], [iso_datetime(first), iso_datetime(last)]


def _moment(value):
    if isinstance(value, str):  # SQLite's MIN/MAX of a timestamp column are its text
        return datetime.fromisoformat(value)
    return value


def _sites_extent(viewer_key: str) -> tuple:
    """(west, south, east, north, first update, last update) of the published sites as this reader sees
    them, from the stored columns: one aggregate per stored position the reader is shown."""
    parts = []
    for condition, lon, lat in _shown_columns(viewer_key):
        statement = select(*_bounds(lon, lat, lon, lat), *_span(Organisation.updated_at)).select_from(Location)
        parts.append(db.session.execute(ogc_filters.published_sites(statement).where(condition)).one())
    found = [part for part in parts if part[0] is not None]
    if not found:
        return (None,) * 6
    lowest = [min(_moment(part[i]) if i >= 4 else part[i] for part in found) for i in (0, 1, 4)]
    highest = [max(_moment(part[i]) if i >= 4 else part[i] for part in found) for i in (2, 3, 5)]
    return lowest[0], lowest[1], highest[0], highest[1], lowest[2], highest[2]


def _shown_columns(viewer_key: str) -> list[tuple]:
    """(which published sites, stored longitude, stored latitude) for each position this reader is
    shown (accounts.access; site_boxes.positions_for)."""
    if viewer_key == "all":
        return [(true(), Location.lon, Location.lat)]
    if viewer_key.startswith("country:"):
        own = Organisation.country_code == viewer_key.split(":", 1)[1]
        return [(own, Location.lon, Location.lat), (~own, Location.public_lon, Location.public_lat)]
    return [(true(), Location.public_lon, Location.public_lat)]


def _statement(collection_id: str):
    if collection_id == "consulates":
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
    return statement


def _bounds(west, south, east, north) -> list:
    return [func.min(west), func.min(south), func.max(east), func.max(north)]


def _span(column) -> list:
    return [func.min(column), func.max(column)]
