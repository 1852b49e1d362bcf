"""The published sites' positions kept in memory per version of the directory's data, for box pages.

A page of the published sites in a box, ordered by id, with how many there are (/ogc's `organisations`
with a bbox and nothing else) is, from the index (site_boxes.published_site_ids_in_boxes), one query
that finds, counts and sorts every site in the box: 7 ms on PostgreSQL for a box of 7,000 sites at
100,000 organisations, most of it counting and sorting rows that are not on the page; a page without a
box walks the index past every site before its offset. Here each process
reads, once per data version and kind of reader, the ids and stored positions of every published site
(as arrays, ordered by id: 24 bytes a site), and a box is then a comparison over those arrays: the
count and the page's ids without a query.

Only for readers shown one stored position (site_boxes.stored_position: the public, or a reader of every
exact point): a country contact is shown either one depending on the organisation, and goes to the
database. The comparison is the index query's: edges included, the same stored doubles. The version is
the page cache's (main.pagecache.read_directory_version), as for /ogc's kept features: saving an entry
starts a new one, and the points of an older version are dropped when a newer one is read. Reading them
costs one query of every published site (about 25 ms at 10,000 organisations, 230 ms at 100,000 on
PostgreSQL), once per version and process: while one thread reads them, the others ask the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import PUBLISHED_SITE, Location
from directory_app.organisations.site_boxes import Box, stored_position


@dataclass(frozen=True)
class Points:
    """Published sites' ids (ascending) and the stored position one kind of reader is shown."""

    ids: np.ndarray
    lons: np.ndarray
    lats: np.ndarray

    def page_in_boxes(self, boxes: tuple[Box, ...], limit: int, offset: int) -> tuple[list[int], int]:
        """The ids of the sites in any of the boxes (edges included; every site without a box), `limit`
        of them from `offset` in the order of their ids, and how many there are in all."""
        if not boxes:
            return self.ids[offset : offset + limit].tolist(), len(self.ids)
        inside = np.zeros(len(self.ids), dtype=bool)
        for west, south, east, north in boxes:
            inside |= (self.lons >= west) & (self.lons <= east) & (self.lats >= south) & (self.lats <= north)
        found = np.flatnonzero(inside)
        return self.ids[found[offset : offset + limit]].tolist(), len(found)


_KEPT: dict[tuple, Points] = {}  # (database, data version, viewer key) -> points
KINDS_KEPT = 16
_READING: set[tuple] = set()
_LOCK = threading.Lock()


def published_points(viewer_key: str, data_version: tuple | None) -> Points | None:
    """This reader's points for this version of the data: kept, or read now. None for a reader shown
    no single stored position, without a version, or while another thread reads the same points (the
    caller then asks the database)."""
    position = stored_position(viewer_key)
    if position is None or data_version is None:
        return None
    key = (db.engine.url.render_as_string(hide_password=True), data_version, viewer_key)
    points = _KEPT.get(key)
    if points is not None:
        return points
    with _LOCK:
        if key in _READING:
            return None
        _READING.add(key)
    try:
        points = _read_points(*position)
        with _LOCK:
            for old in [k for k in _KEPT if k[0] == key[0] and k[1] != key[1]]:  # an older version's
                _KEPT.pop(old, None)
            if len(_KEPT) >= KINDS_KEPT:  # of other databases (tests): bounded
                _KEPT.clear()
            _KEPT[key] = points
        return points
    finally:
        with _LOCK:
            _READING.discard(key)


def _read_points(lon, lat) -> Points:
    """Every published site's id and (lon, lat) columns, read with the driver's own cursor (rows as
    plain tuples: a third of the time of the ORM's rows at 100,000 organisations) and sorted by id here
    (no walk of the primary key's index)."""
    statement = select(Location.id, lon, lat).where(PUBLISHED_SITE)
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        table = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 3)
    finally:
        cursor.close()
    table = table[np.argsort(table[:, 0], kind="stable")]
    return Points(table[:, 0].astype(np.int64), np.ascontiguousarray(table[:, 1]), np.ascontiguousarray(table[:, 2]))
