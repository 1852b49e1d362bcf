"""Derived fields of a site: the leaf unit it lies in, the position the public may see, and its
organisation's status (a copy kept in step by the session hooks below, registered in db_events)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from directory_app.geography.units import LeafUnits
from directory_app.organisations.models import Location, Organisation, Status
from geo.nearest import grid_key, unit_vector


@dataclass(frozen=True)
class SitePlacement:
    admin_unit_id: int | None
    public_lon: float
    public_lat: float
    grid_key: int  # of the exact point
    public_grid_key: int  # of the public point
    vector: tuple[float, float, float]  # of the exact point on the unit sphere
    public_vector: tuple[float, float, float]

    def columns(self) -> dict:
        """The Location columns derived from the site's point."""
        (x, y, z), (px, py, pz) = self.vector, self.public_vector
        return {
            "admin_unit_id": self.admin_unit_id,
            "public_lon": self.public_lon,
            "public_lat": self.public_lat,
            "grid_key": self.grid_key,
            "public_grid_key": self.public_grid_key,
            "ux": x,
            "uy": y,
            "uz": z,
            "public_ux": px,
            "public_uy": py,
            "public_uz": pz,
        }


def place_sites(units: LeafUnits, label_points: dict[int, tuple[float, float]], sites) -> list[SitePlacement]:
    """For (lon, lat, hide_exact_location) triples: the leaf unit and the public position.

    A hidden site is shown to the public at its unit's label point (an inside point of the
    county or state), never at its own coordinates; a hidden site outside every unit is shown
    at its coordinates rounded to 0.1° (about 10 km)."""
    if not sites:
        return []
    points = shapely.points([(lon, lat) for lon, lat, _ in sites])
    site_idx, unit_idx = units.index.tree.query(points, predicate="intersects")
    unit_of: dict[int, int] = {}
    for s, u in zip(site_idx, unit_idx):
        unit_id = int(units.ids[u])
        unit_of[int(s)] = min(unit_of.get(int(s), unit_id), unit_id)
    placements = []
    for i, (lon, lat, hidden) in enumerate(sites):
        unit_id = unit_of.get(i)
        if not hidden:
            public = (lon, lat)
        elif unit_id is not None:
            public = label_points[unit_id]
        else:
            public = (float(np.round(lon, 1)), float(np.round(lat, 1)))
        placements.append(
            SitePlacement(
                unit_id,
                *public,
                grid_key(lon, lat),
                grid_key(*public),
                tuple(map(float, unit_vector(lon, lat))),
                tuple(map(float, unit_vector(*public))),
            )
        )
    return placements


def copy_status_to_new_sites(session: Session, _context, _instances) -> None:
    """before_flush: a site written through the ORM carries its organisation's status (Location.
    organisation_status), whichever path made it; an organisation not yet given one is a draft."""
    for obj in session.new:
        if isinstance(obj, Location):
            organisation = obj.organisation
            if organisation is None and obj.organisation_id is not None:
                organisation = session.get(Organisation, obj.organisation_id)
            if organisation is not None:
                obj.organisation_status = organisation.status or Status.DRAFT


def copy_status_changes_to_sites(session: Session, _context) -> None:
    """after_flush: when an organisation's status changed, all its stored sites take it (as
    organisations.coverage.copy_status_changes does for district coverage)."""
    table = Location.__table__
    for obj in session.dirty:
        if isinstance(obj, Organisation) and inspect(obj).attrs.status.history.has_changes():
            session.execute(
                table.update().where(table.c.organisation_id == obj.id).values(organisation_status=obj.status)
            )
