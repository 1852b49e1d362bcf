"""Panamá Oeste (PA-10): a province of its own, carved out of PA-8 Panamá; what named PA-8 keeps its meaning

Revision ID: 0014_panama_oeste
Revises: 0013_user_consulate
Create Date: 2026-12-08 12:00:00

The boundary files now hold Panamá Oeste (PA-10, a province since 2014), cut out of PA-8 Panamá
(scripts/carve_units.py, from the geoBoundaries outline in data/boundary_sources/). A database loaded
before holds PA-8 with the old, larger outline and no PA-10. This revision, on such a database
(nothing happens on one without PA-8, or that has PA-10 already):

- adds PA-10 and gives PA-8 its smaller outline, from 0014_panama_oeste.json beside this file (a
  frozen copy of the two units at this revision, so that later boundary files do not change what it
  does);
- an admin-unit coverage part naming PA-8 (the old, larger Panamá) is joined by one naming PA-10,
  with the same label, so that every place the organisation covered stays covered; pending proposals
  likewise;
- every consular district holding PA-8 holds PA-10 too, with the same source (official or default);
- sites and consulates placed in PA-8 whose point lies in PA-10 go to PA-10 (a hidden site's public
  position is its unit's label point, for the sites left in PA-8 too, whose label point moved);
- unit coverage of the organisations concerned is recomputed for both units, and so are the
  districts' area, geometry and counts, who serves them, and the organisations' area and box
  (with the helpers of 0012_us_counties_2023, which did the same for the 2023 counties).

Downgrade keeps PA-10: folding it back into PA-8 would move data onto a unit that no longer exists.
"""

import importlib.util
import json
import uuid
from pathlib import Path

import numpy as np
import shapely
import sqlalchemy as sa
from alembic import op

revision = "0014_panama_oeste"
down_revision = "0013_user_consulate"
branch_labels = None
depends_on = None

SNAPSHOT = Path(__file__).with_suffix(".json")
OLD, NEW = "PA-8", "PA-10"


def _revision_0012():
    spec = importlib.util.spec_from_file_location(
        "_revision_0012", Path(__file__).with_name("0012_us_counties_2023.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    connection = op.get_bind()
    m = _revision_0012()
    units = dict(connection.execute(sa.select(m.admin_unit.c.code, m.admin_unit.c.id)).all())
    if OLD not in units or NEW in units:
        return
    snapshot = {u["code"]: u for u in json.loads(SNAPSHOT.read_text(encoding="utf-8"))["units"]}
    old_id = units[OLD]
    _write_unit(connection, m, snapshot[OLD], old_id)
    new_id = _write_unit(connection, m, snapshot[NEW], None)
    both = m._load_units(connection, [old_id, new_id])
    organisations = _add_coverage_parts(connection, m, old_id, new_id)
    organisations |= set(
        connection.scalars(
            sa.select(m.unit_coverage.c.organisation_id).where(m.unit_coverage.c.admin_unit_id == old_id)
        )
    )
    districts = _add_to_districts(connection, m, old_id, new_id)
    m._refresh_districts(connection, districts)
    _move_points(connection, m, m.location, old_id, both, hidden_of=m._hidden(connection))
    _move_points(connection, m, m.consulate, old_id, both)
    _rewrite_proposals(connection, m)
    m._unit_coverage(connection, sorted(organisations), both)
    m._district_coverage(connection, sorted(districts))
    m._refresh_organisations(connection, sorted(organisations))


def downgrade():
    pass  # PA-10 stays (see the module's docstring)


def _write_unit(connection, m, row: dict, unit_id: int | None) -> int:
    """Insert PA-10, or give PA-8 its new outline; returns the unit's id."""
    geom = shapely.from_geojson(json.dumps(row["geometry"]))
    display = shapely.from_geojson(json.dumps(row["display"]))
    minx, miny, maxx, maxy = geom.bounds
    values = dict(
        source_id=row["source_id"],
        name_local=row["name_local"],
        name_es=row["name_es"],
        name_en=row["name_en"],
        area_km2=row["area_km2"],
        label_lon=row["label_lon"],
        label_lat=row["label_lat"],
        geom_wkb=shapely.to_wkb(geom),
        display_wkb=shapely.to_wkb(display),
        min_lon=minx,
        min_lat=miny,
        max_lon=maxx,
        max_lat=maxy,
    )
    if unit_id is not None:
        connection.execute(m.admin_unit.update().where(m.admin_unit.c.id == unit_id).values(**values))
        return unit_id
    connection.execute(
        m.admin_unit.insert().values(
            code=row["code"], country_code="PA", level=1, parent_id=None, is_leaf=True, **values
        )
    )
    return connection.scalar(sa.select(m.admin_unit.c.id).where(m.admin_unit.c.code == row["code"]))


def _add_coverage_parts(connection, m, old_id: int, new_id: int) -> set[int]:
    """Each part naming PA-8 is joined by one naming PA-10 (unless the organisation names it already)."""
    table = m.coverage_part
    parts = connection.execute(
        sa.select(table.c.organisation_id, table.c.label)
        .where(table.c.kind == "admin_unit", table.c.admin_unit_id == old_id)
        .order_by(table.c.id)
    ).all()
    has_new = set(
        connection.scalars(
            sa.select(table.c.organisation_id).where(table.c.kind == "admin_unit", table.c.admin_unit_id == new_id)
        )
    )
    for part in parts:
        if part.organisation_id in has_new:
            continue
        has_new.add(part.organisation_id)
        connection.execute(
            table.insert().values(
                uuid=str(uuid.uuid4()),
                organisation_id=part.organisation_id,
                kind="admin_unit",
                admin_unit_id=new_id,
                label=part.label or "",
            )
        )
    return {p.organisation_id for p in parts}


def _add_to_districts(connection, m, old_id: int, new_id: int) -> set[int]:
    """Every district holding PA-8 holds PA-10 too, with the same source. Returns those districts."""
    rows = connection.execute(
        sa.select(m.district_unit.c.district_id, m.district_unit.c.source_id)
        .where(m.district_unit.c.admin_unit_id == old_id)
        .order_by(m.district_unit.c.district_id)
    ).all()
    for district_id, source_id in rows:
        connection.execute(
            m.district_unit.insert().values(district_id=district_id, admin_unit_id=new_id, source_id=source_id)
        )
    return {r.district_id for r in rows}


def _move_points(connection, m, table, old_id: int, units: dict[int, dict], hidden_of=None) -> None:
    """Rows of `table` (sites, consulates) placed in PA-8 whose point is in PA-10 go there; a hidden
    site in either unit is shown at its unit's (new) label point."""
    (new_id,) = [u for u in units if u != old_id]
    for row in connection.execute(sa.select(table).where(table.c.admin_unit_id == old_id)).all():
        inside = units[new_id]["geometry"].covers(shapely.Point(row.lon, row.lat))
        unit_id = new_id if inside else old_id
        values = {"admin_unit_id": unit_id}
        if hidden_of is not None and hidden_of.get(row.organisation_id):
            values.update(_public_position(m, units[unit_id]["label_lon"], units[unit_id]["label_lat"]))
        connection.execute(table.update().where(table.c.id == row.id).values(**values))


def _public_position(m, lon: float, lat: float) -> dict:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    row_key = int(np.floor((lat + 90.0) / m.GRID_DEGREES))
    col = min(max(int(np.floor((lon + 180.0) / m.GRID_DEGREES)), 0), m._GRID_COLUMNS - 1)
    return dict(
        public_lon=lon,
        public_lat=lat,
        public_grid_key=row_key * m._GRID_COLUMNS + col,
        public_ux=float(np.cos(lat_r) * np.cos(lon_r)),
        public_uy=float(np.cos(lat_r) * np.sin(lon_r)),
        public_uz=float(np.sin(lat_r)),
    )


def _rewrite_proposals(connection, m) -> None:
    """Pending proposals whose coverage names PA-8 name PA-10 too (right after it, same label)."""
    table = m.change_proposal
    for row in connection.execute(sa.select(table).where(table.c.status == "pending")).all():
        snapshot = row.snapshot if isinstance(row.snapshot, dict) else json.loads(row.snapshot or "{}")
        parts = snapshot.get("coverage")
        if not isinstance(parts, list):
            continue
        named = {p.get("unit") for p in parts if isinstance(p, dict) and p.get("kind") == "admin_unit"}
        if OLD not in named or NEW in named:
            continue
        rewritten = []
        for part in parts:
            rewritten.append(part)
            if isinstance(part, dict) and part.get("kind") == "admin_unit" and part.get("unit") == OLD:
                rewritten.append({"kind": "admin_unit", "unit": NEW, "label": part.get("label", "")})
        connection.execute(
            table.update().where(table.c.id == row.id).values(snapshot=dict(snapshot, coverage=rewritten))
        )
