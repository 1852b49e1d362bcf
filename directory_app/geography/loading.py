"""Loading the boundaries of data/boundaries into Country and AdminUnit rows (upsert by code)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.geography.unit_successions import ReplaceReferences, read_successors, retire_units
from geo.boundaries import read_boundaries
from geo.coverage import union_of_units
from geo.projection import area_km2

Progress = Callable[[str], None]


def load_boundaries(
    directory: Path,
    progress: Progress = lambda message: None,
    replace_references: ReplaceReferences | None = None,
) -> dict[str, int]:
    """Insert or update the countries, admin-1 units and US counties; returns counts.

    Units of the database that the files no longer have (a new vintage) are replaced by their
    successors and deleted (geography.unit_successions); `replace_references` moves what
    organisations say about them (flask setup hands in organisations.unit_moves)."""
    layers = read_boundaries(directory)
    admin1, counties = layers["admin1"], layers["us_counties"]
    progress(f"read {len(layers['countries'])} countries, {len(admin1)} admin-1 units, {len(counties)} counties")
    countries = _upsert_countries(layers["countries"], admin1)
    progress("countries loaded")
    units = _upsert_units(admin1, parent_by_code={})
    parents = {u.code: u for u in units}
    unknown = sorted(set(counties["parent"]) - set(parents))
    if unknown:
        raise ValueError(f"us_counties.geojson: parents not in admin1.geojson: {', '.join(unknown[:5])}")
    leaves = _upsert_units(counties, parent_by_code=parents)
    for unit in units:
        unit.is_leaf = unit.code not in set(counties["parent"])
    db.session.flush()
    progress(f"{len(units)} admin-1 units and {len(leaves)} counties loaded")
    kept = set(admin1["code"]) | set(counties["code"])
    retired = retire_units(kept, read_successors(directory), replace_references)
    if retired["retired"]:
        progress(
            f"{retired['retired']} units no longer in the files replaced by their successors "
            f"({retired['organisations']} organisations' coverage moved)"
        )
    return {"countries": countries, "admin1": len(units), "counties": len(leaves), "retired": retired["retired"]}


def _upsert_countries(frame, admin1) -> int:
    existing = {c.code: c for c in db.session.scalars(select(Country))}
    for row in frame.itertuples():
        country = existing.get(row.code) or Country(code=row.code)
        country.iso_numeric = row.iso_numeric
        country.name_en, country.name_es, country.name_fr = row.name_en, row.name_es, row.name_fr
        # The analysis geometry is the union of the country's admin-1 units, so that a
        # "whole country" coverage agrees exactly with its units; the outline is for display.
        units = admin1.loc[admin1["country"] == row.code].geometry.tolist()
        country.set_geometry(union_of_units(units) if units else row.geometry)
        country.display_wkb = shapely.to_wkb(row.display)
        db.session.add(country)
    db.session.flush()
    return len(frame)


def _upsert_units(frame, parent_by_code: dict[str, AdminUnit]) -> list[AdminUnit]:
    existing = {
        u.code: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.code.in_(frame["code"].tolist())))
    }
    geoms = frame.geometry.values
    areas = area_km2(np.asarray(geoms, dtype=object))
    labels = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    units = []
    for i, row in enumerate(frame.itertuples()):
        unit = existing.get(row.code) or AdminUnit(code=row.code)
        unit.country_code = row.country
        unit.level = int(row.level)
        parent = parent_by_code.get(row.parent) if isinstance(row.parent, str) else None
        unit.parent = parent
        unit.is_leaf = True
        unit.source_id = None if row.source_id is None else str(row.source_id)
        unit.name_local, unit.name_es, unit.name_en = row.name_local, row.name_es, row.name_en
        unit.area_km2 = float(areas[i])
        unit.label_lon, unit.label_lat = float(labels[i].x), float(labels[i].y)
        unit.set_geometry(row.geometry)
        unit.display_wkb = shapely.to_wkb(row.display)
        db.session.add(unit)
        units.append(unit)
    db.session.flush()
    return units
