"""US counties of the 2023 Census vintage: what named a 2017 county that is gone names its successors

Revision ID: 0012_us_counties_2023
Revises: 0011_consular_network, 0011_district_provenance
Create Date: 2026-12-07 12:00:00

The boundary files now hold the 2023 counties: Connecticut's nine planning regions (US-09110 ..
US-09190) instead of its eight counties (US-09001 .. US-09015, abolished in 2022), Chugach (US-02063)
and Copper River (US-02066) instead of Valdez-Cordova (US-02261, split in 2019). A database loaded
before holds the old units. This revision, on such a database (nothing happens on one without them):

- adds the new units, from 0012_us_counties_2023.json beside this file (a frozen copy of the units
  and of data/boundaries/us_county_successors.csv at this revision, so that later boundary files do
  not change what it does);
- admin-unit coverage parts naming an old county name every unit holding a real part of it instead
  (2% of its area or more: whole towns, not the slivers left by generalisation), so that everything
  the organisation covered stays covered (Fairfield County: Western Connecticut, Greater Bridgeport,
  Naugatuck Valley); unit coverage of the organisations concerned is recomputed for the new units
  (whole parts: the unit, its state or the US; drawn parts: their overlap, in EPSG:6933), and so are
  their area and bounding box;
- in districts, each new unit joins, per sending country, the district of the old county that held
  most of it, with that assignment's source (official or default); the districts' area, geometry,
  counts and provenance follow, and who serves them is summed again;
- sites and consulates placed in an old county go to the new unit holding their point (a hidden
  site's public position becomes that unit's label point); pending proposals name the new units;
- the old units are deleted.

`flask setup` afterwards finds nothing left to replace (geography.unit_successions does the same
with the application's own code for units a boundary file drops without a migration).

Downgrade keeps the 2023 units: splitting coverage back onto abolished counties would invent data.
"""

import json
import uuid
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyproj
import shapely
import sqlalchemy as sa
from alembic import op

revision = "0012_us_counties_2023"
down_revision = ("0011_consular_network", "0011_district_provenance")
branch_labels = None
depends_on = None

SNAPSHOT = Path(__file__).with_suffix(".json")
_to_equal_area = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True)
# geo.nearest's grid of the nearest-site search when this revision was written (location.public_grid_key)
GRID_DEGREES = 0.1
_GRID_COLUMNS = 4000

admin_unit = sa.table(
    "admin_unit",
    *(
        sa.column(n)
        for n in (
            "id code country_code level parent_id is_leaf source_id name_local name_es name_en area_km2 "
            "label_lon label_lat display_wkb geom_wkb min_lon min_lat max_lon max_lat"
        ).split()
    ),
)
coverage_part = sa.table(
    "coverage_part",
    *(sa.column(n) for n in "id uuid organisation_id kind country_code admin_unit_id label".split()),
)
unit_coverage = sa.table(
    "unit_coverage", *(sa.column(n) for n in "organisation_id admin_unit_id overlap_km2 is_full".split())
)
district_unit = sa.table("district_unit", *(sa.column(n) for n in "district_id admin_unit_id source_id".split()))
consular_district = sa.table(
    "consular_district",
    *(
        sa.column(n)
        for n in (
            "id sending_country_code is_approximate provenance unit_count official_units area_km2 geom_wkb "
            "display_wkb min_lon min_lat max_lon max_lat"
        ).split()
    ),
)
district_coverage = sa.table(
    "district_coverage", *(sa.column(n) for n in "district_id organisation_id overlap_km2 share status".split())
)
organisation = sa.table(
    "organisation",
    *(
        sa.column(n)
        for n in "id status hide_exact_location geom_wkb min_lon min_lat max_lon max_lat coverage_area_km2".split()
    ),
)
location = sa.table(
    "location",
    *(
        sa.column(n)
        for n in "id organisation_id lon lat admin_unit_id public_lon public_lat public_grid_key public_ux "
        "public_uy public_uz".split()
    ),
)
consulate = sa.table("consulate", *(sa.column(n) for n in "id lon lat admin_unit_id".split()))
country = sa.table("country", *(sa.column(n) for n in "code min_lon min_lat max_lon max_lat".split()))
change_proposal = sa.table("change_proposal", sa.column("id"), sa.column("status"), sa.column("snapshot", sa.JSON))


def upgrade():
    connection = op.get_bind()
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    units = {r.code: r for r in connection.execute(sa.select(admin_unit.c.code, admin_unit.c.id))}
    old = {code: units[code].id for code in snapshot["successors"] if code in units}
    if not old:
        return
    new_ids = _add_new_units(connection, snapshot["units"], {c: r.id for c, r in units.items()})
    moves = {old[code]: [(new_ids[s["code"]], s) for s in snapshot["successors"][code]] for code in sorted(old)}
    new_units = _load_units(connection, sorted(new_ids.values()))
    organisations = _move_coverage_parts(connection, moves)
    organisations |= set(
        connection.scalars(
            sa.select(unit_coverage.c.organisation_id).where(unit_coverage.c.admin_unit_id.in_(list(moves)))
        )
    )
    changed_districts = _move_district_units(connection, moves)
    _refresh_districts(connection, changed_districts)
    _move_points(connection, location, moves, new_units, hidden_of=_hidden(connection))
    _move_points(connection, consulate, moves, new_units)
    _rewrite_proposals(connection, {code: [s["code"] for s in snapshot["successors"][code]] for code in old})
    connection.execute(sa.delete(unit_coverage).where(unit_coverage.c.admin_unit_id.in_(list(moves))))
    _unit_coverage(connection, sorted(organisations), new_units)
    touched = changed_districts | set(
        connection.scalars(
            sa.select(district_unit.c.district_id).where(district_unit.c.admin_unit_id.in_(list(new_units)))
        )
    )
    _district_coverage(connection, sorted(touched))
    _refresh_organisations(connection, sorted(organisations))
    connection.execute(sa.delete(admin_unit).where(admin_unit.c.id.in_(list(moves))))


def downgrade():
    pass  # the 2023 units stay (see the module's docstring)


def _add_new_units(connection, rows: list[dict], ids: dict[str, int]) -> dict[str, int]:
    for row in rows:
        if row["code"] in ids:
            continue
        geom = shapely.from_geojson(json.dumps(row["geometry"]))
        display = shapely.from_geojson(json.dumps(row["display"]))
        minx, miny, maxx, maxy = geom.bounds
        connection.execute(
            admin_unit.insert().values(
                code=row["code"],
                country_code="US",
                level=2,
                parent_id=ids[row["parent"]],
                is_leaf=True,
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
        )
    return {
        r.code: r.id
        for r in connection.execute(
            sa.select(admin_unit.c.code, admin_unit.c.id).where(admin_unit.c.code.in_([r["code"] for r in rows]))
        )
    }


def _load_units(connection, ids: list[int]) -> dict[int, dict]:
    rows = connection.execute(
        sa.select(
            admin_unit.c.id,
            admin_unit.c.parent_id,
            admin_unit.c.country_code,
            admin_unit.c.area_km2,
            admin_unit.c.label_lon,
            admin_unit.c.label_lat,
            admin_unit.c.geom_wkb,
        ).where(admin_unit.c.id.in_(ids))
    )
    return {r.id: dict(r._mapping, geometry=shapely.from_wkb(r.geom_wkb)) for r in rows}


def _move_coverage_parts(connection, moves) -> set[int]:
    parts = connection.execute(
        sa.select(coverage_part)
        .where(coverage_part.c.kind == "admin_unit", coverage_part.c.admin_unit_id.in_(list(moves)))
        .order_by(coverage_part.c.id)
    ).all()
    owners = {p.organisation_id for p in parts}
    has: dict[int, set[int]] = defaultdict(set)
    for org_id, unit_id in connection.execute(
        sa.select(coverage_part.c.organisation_id, coverage_part.c.admin_unit_id).where(
            coverage_part.c.organisation_id.in_(owners), coverage_part.c.kind == "admin_unit"
        )
    ):
        has[org_id].add(unit_id)
    for part in parts:
        for new_id, _successor in moves[part.admin_unit_id]:
            if new_id not in has[part.organisation_id]:
                has[part.organisation_id].add(new_id)
                connection.execute(
                    coverage_part.insert().values(
                        uuid=str(uuid.uuid4()),
                        organisation_id=part.organisation_id,
                        kind="admin_unit",
                        admin_unit_id=new_id,
                        label=part.label or "",
                    )
                )
        connection.execute(sa.delete(coverage_part).where(coverage_part.c.id == part.id))
    return owners


def _move_district_units(connection, moves) -> set[int]:
    """Per sending country, each new unit joins the district of the old county holding most of it."""
    rows = connection.execute(
        sa.select(
            district_unit.c.district_id,
            district_unit.c.admin_unit_id,
            district_unit.c.source_id,
            consular_district.c.sending_country_code,
        )
        .join(consular_district, consular_district.c.id == district_unit.c.district_id)
        .where(district_unit.c.admin_unit_id.in_(list(moves)))
    ).all()
    taken = set(
        connection.execute(
            sa.select(consular_district.c.sending_country_code, district_unit.c.admin_unit_id).join(
                consular_district, consular_district.c.id == district_unit.c.district_id
            )
        ).all()
    )
    best: dict[tuple, tuple] = {}
    for district_id, old_id, source_id, sending in rows:
        for new_id, successor in moves[old_id]:
            key = (sending, new_id)
            if key not in taken and (key not in best or successor["share_of_new"] > best[key][0]):
                best[key] = (successor["share_of_new"], district_id, source_id)
    connection.execute(sa.delete(district_unit).where(district_unit.c.admin_unit_id.in_(list(moves))))
    for (_sending, new_id), (_share, district_id, source_id) in sorted(best.items()):
        connection.execute(
            district_unit.insert().values(district_id=district_id, admin_unit_id=new_id, source_id=source_id)
        )
    return {r.district_id for r in rows}


def _refresh_districts(connection, district_ids: set[int]) -> None:
    for district_id in sorted(district_ids):
        rows = connection.execute(
            sa.select(admin_unit.c.geom_wkb, admin_unit.c.display_wkb, admin_unit.c.area_km2, district_unit.c.source_id)
            .join(district_unit, district_unit.c.admin_unit_id == admin_unit.c.id)
            .where(district_unit.c.district_id == district_id)
        ).all()
        official = sum(1 for r in rows if r.source_id is not None)
        geom = _union([r.geom_wkb for r in rows])
        display = _union([r.display_wkb for r in rows])
        bounds = geom.bounds if geom is not None else (None,) * 4
        connection.execute(
            consular_district.update()
            .where(consular_district.c.id == district_id)
            .values(
                area_km2=float(sum(r.area_km2 for r in rows)),
                geom_wkb=shapely.to_wkb(geom) if geom is not None else None,
                display_wkb=shapely.to_wkb(display) if display is not None else None,
                min_lon=bounds[0],
                min_lat=bounds[1],
                max_lon=bounds[2],
                max_lat=bounds[3],
                unit_count=len(rows),
                official_units=official,
                is_approximate=official < len(rows) or not rows,
                provenance="approximate" if official == 0 else "official" if official == len(rows) else "mixed",
            )
        )


def _union(wkbs):
    geoms = [shapely.from_wkb(w) for w in wkbs if w is not None]
    if not geoms:
        return None
    merged = shapely.union_all(geoms)
    return merged if merged.is_valid else shapely.make_valid(merged)


def _hidden(connection) -> dict[int, bool]:
    return dict(connection.execute(sa.select(organisation.c.id, organisation.c.hide_exact_location)).all())


def _move_points(connection, table, moves, new_units, hidden_of=None) -> None:
    """Rows of `table` (sites, consulates) placed in an old county: to the new unit holding the point."""
    rows = connection.execute(sa.select(table).where(table.c.admin_unit_id.in_(list(moves)))).all()
    for row in rows:
        candidates = moves[row.admin_unit_id]
        point = shapely.Point(row.lon, row.lat)
        inside = [new_id for new_id, _s in candidates if new_units[new_id]["geometry"].covers(point)]
        unit_id = min(inside) if inside else max(candidates, key=lambda c: c[1]["share_of_old"])[0]
        values = {"admin_unit_id": unit_id}
        if hidden_of is not None and hidden_of.get(row.organisation_id):
            lon, lat = new_units[unit_id]["label_lon"], new_units[unit_id]["label_lat"]
            lon_r, lat_r = np.radians(lon), np.radians(lat)
            row_key = int(np.floor((lat + 90.0) / GRID_DEGREES))
            col = min(max(int(np.floor((lon + 180.0) / GRID_DEGREES)), 0), _GRID_COLUMNS - 1)
            values.update(
                public_lon=lon,
                public_lat=lat,
                public_grid_key=row_key * _GRID_COLUMNS + col,
                public_ux=float(np.cos(lat_r) * np.cos(lon_r)),
                public_uy=float(np.cos(lat_r) * np.sin(lon_r)),
                public_uz=float(np.sin(lat_r)),
            )
        connection.execute(table.update().where(table.c.id == row.id).values(**values))


def _rewrite_proposals(connection, successors: dict[str, list[str]]) -> None:
    """Pending proposals whose coverage names an old county name its successors instead."""
    for row in connection.execute(sa.select(change_proposal).where(change_proposal.c.status == "pending")).all():
        snapshot = row.snapshot if isinstance(row.snapshot, dict) else json.loads(row.snapshot or "{}")
        parts = snapshot.get("coverage")
        if not isinstance(parts, list) or not any(
            isinstance(p, dict) and p.get("kind") == "admin_unit" and p.get("unit") in successors for p in parts
        ):
            continue
        named = {p.get("unit") for p in parts if isinstance(p, dict) and p.get("kind") == "admin_unit"}
        rewritten = []
        for part in parts:
            if isinstance(part, dict) and part.get("kind") == "admin_unit" and part.get("unit") in successors:
                for code in successors[part["unit"]]:
                    if code not in named:
                        named.add(code)
                        rewritten.append({"kind": "admin_unit", "unit": code, "label": part.get("label", "")})
            else:
                rewritten.append(part)
        snapshot = dict(snapshot, coverage=rewritten)
        connection.execute(change_proposal.update().where(change_proposal.c.id == row.id).values(snapshot=snapshot))


def _unit_coverage(connection, organisation_ids: list[int], new_units: dict[int, dict]) -> None:
    """Each organisation's overlap with each new unit: whole when a part names the unit, its state or
    its country; else the overlap of its drawn coverage (organisation.geom_wkb)."""
    if not organisation_ids:
        return
    connection.execute(
        sa.delete(unit_coverage).where(
            unit_coverage.c.organisation_id.in_(organisation_ids), unit_coverage.c.admin_unit_id.in_(list(new_units))
        )
    )
    whole: dict[int, set] = defaultdict(set)
    for org_id, kind, country_code, unit_id in connection.execute(
        sa.select(
            coverage_part.c.organisation_id,
            coverage_part.c.kind,
            coverage_part.c.country_code,
            coverage_part.c.admin_unit_id,
        ).where(
            coverage_part.c.organisation_id.in_(organisation_ids), coverage_part.c.kind.in_(["admin_unit", "country"])
        )
    ):
        whole[org_id].add(("unit", unit_id) if kind == "admin_unit" else ("country", country_code))
    drawn = {
        r.id: shapely.from_wkb(r.geom_wkb)
        for r in connection.execute(
            sa.select(organisation.c.id, organisation.c.geom_wkb).where(
                organisation.c.id.in_(organisation_ids), organisation.c.geom_wkb.is_not(None)
            )
        )
    }
    rows = []
    for org_id in organisation_ids:
        for unit_id, unit in sorted(new_units.items()):
            keys = {("unit", unit_id), ("unit", unit["parent_id"]), ("country", unit["country_code"])}
            if keys & whole[org_id]:
                rows.append((org_id, unit_id, unit["area_km2"], True))
                continue
            shape = drawn.get(org_id)
            if shape is None or shape.is_empty or not shape.intersects(unit["geometry"]):
                continue
            piece = shapely.intersection(shape, unit["geometry"])
            km2 = float(shapely.area(shapely.transform(piece, _project))) / 1e6
            if km2 > 0:
                rows.append((org_id, unit_id, km2, bool(shape.covers(unit["geometry"]))))
    for org_id, unit_id, km2, full in rows:
        connection.execute(
            unit_coverage.insert().values(organisation_id=org_id, admin_unit_id=unit_id, overlap_km2=km2, is_full=full)
        )


def _project(xy):
    x, y = _to_equal_area.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _district_coverage(connection, district_ids: list[int]) -> None:
    """Who serves these districts, summed again over their units (as organisations.coverage does)."""
    if not district_ids:
        return
    connection.execute(sa.delete(district_coverage).where(district_coverage.c.district_id.in_(district_ids)))
    overlap = sa.func.sum(unit_coverage.c.overlap_km2)
    rows = (
        sa.select(
            district_unit.c.district_id,
            unit_coverage.c.organisation_id,
            overlap,
            sa.case((overlap >= consular_district.c.area_km2, 1.0), else_=overlap / consular_district.c.area_km2),
            organisation.c.status,
        )
        .join(district_unit, district_unit.c.admin_unit_id == unit_coverage.c.admin_unit_id)
        .join(consular_district, consular_district.c.id == district_unit.c.district_id)
        .join(organisation, organisation.c.id == unit_coverage.c.organisation_id)
        .where(district_unit.c.district_id.in_(district_ids), consular_district.c.area_km2 > 0)
        .group_by(
            district_unit.c.district_id,
            unit_coverage.c.organisation_id,
            consular_district.c.area_km2,
            organisation.c.status,
        )
    )
    connection.execute(
        district_coverage.insert().from_select(
            ["district_id", "organisation_id", "overlap_km2", "share", "status"], rows
        )
    )


def _refresh_organisations(connection, organisation_ids: list[int]) -> None:
    """Area covered (the sum over units) and the bounding box of all the coverage."""
    for org_id in organisation_ids:
        boxes = [
            tuple(r)
            for r in connection.execute(
                sa.select(admin_unit.c.min_lon, admin_unit.c.min_lat, admin_unit.c.max_lon, admin_unit.c.max_lat)
                .join(coverage_part, coverage_part.c.admin_unit_id == admin_unit.c.id)
                .where(coverage_part.c.organisation_id == org_id, coverage_part.c.kind == "admin_unit")
            )
        ]
        boxes += [
            tuple(r)
            for r in connection.execute(
                sa.select(country.c.min_lon, country.c.min_lat, country.c.max_lon, country.c.max_lat)
                .join(coverage_part, coverage_part.c.country_code == country.c.code)
                .where(coverage_part.c.organisation_id == org_id, coverage_part.c.kind == "country")
            )
        ]
        wkb = connection.scalar(sa.select(organisation.c.geom_wkb).where(organisation.c.id == org_id))
        if wkb is not None:
            boxes.append(shapely.from_wkb(wkb).bounds)
        boxes = [b for b in boxes if None not in b]
        area = connection.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(unit_coverage.c.overlap_km2), 0.0)).where(
                unit_coverage.c.organisation_id == org_id
            )
        )
        box = (
            (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
            if boxes
            else (None,) * 4
        )
        connection.execute(
            organisation.update()
            .where(organisation.c.id == org_id)
            .values(
                coverage_area_km2=float(area),
                min_lon=box[0],
                min_lat=box[1],
                max_lon=box[2],
                max_lat=box[3],
            )
        )
