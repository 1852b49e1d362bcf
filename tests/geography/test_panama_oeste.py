"""Panamá Oeste (PA-10), carved out of PA-8 Panamá from a sourced outline, without losing what named PA-8.

The carving (scripts/carve_units.py, run by scripts/build_boundaries.py) is tested on the real
outline and the old Panamá (PA-8 and PA-10 of data/boundaries joined again), twice: the same bytes.
The "old world" is a directory set up (real `flask setup`) from data/ whose admin-1 files hold the old,
larger PA-8 and no PA-10, with an organisation covering PA-8; migration 0014_panama_oeste then runs,
and `flask setup` again on the real data/.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit
from directory_app.geography.units import leaf_unit_at
from directory_app.organisations.models import CoveragePart, DistrictCoverage, Location, UnitCoverage
from directory_app.organisations.services import create_organisation
from directory_app.review.models import ChangeKind, ChangeProposal
from geo.nearest import grid_key
from tests.conftest import TEST_PASSWORD, copy_data_dir, make_app

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = ROOT / "migrations" / "versions" / "0014_panama_oeste.py"
LA_CHORRERA = (-79.78, 8.88)  # lon, lat: in Panamá Oeste
PANAMA_CITY = (-79.52, 8.98)  # stays in Panamá


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # (dataclasses look their module up there)
    spec.loader.exec_module(module)
    return module


carve_units = _module("carve_units", ROOT / "scripts" / "carve_units.py")


def _features(path: Path) -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in json.loads(path.read_text(encoding="utf-8"))["features"]}


def _shape(feature: dict):
    return shapely.from_geojson(json.dumps(feature["geometry"]))


def _old_panama(path: Path):
    """PA-8 as it was before PA-10 was carved out of it: the two joined again."""
    units = _features(path)
    return shapely.union(_shape(units["PA-8"]), _shape(units["PA-10"]))


# --- the build step ----------------------------------------------------------------------------


def test_carving_gives_the_same_bytes_twice_and_leaves_no_gap_or_overlap():
    (unit,) = carve_units.CARVED_UNITS
    outline = carve_units.read_outline(unit)  # checks the committed file's sha256
    old = _old_panama(ROOT / "data" / "boundaries" / "admin1.geojson")
    runs = [carve_units.carve(old, outline) for _ in range(2)]
    assert [shapely.to_wkb(g) for g in runs[0]] == [shapely.to_wkb(g) for g in runs[1]]
    new, rest = runs[0]
    assert new.is_valid and rest.is_valid
    assert shapely.area(shapely.intersection(new, rest)) < 1e-9 * old.area
    assert shapely.area(shapely.symmetric_difference(shapely.union(new, rest), old)) < 1e-9 * old.area
    assert new.covers(shapely.Point(LA_CHORRERA)) and rest.covers(shapely.Point(PANAMA_CITY))
    built = _features(ROOT / "data" / "boundaries" / "admin1.geojson")
    shipped = _shape(built["PA-10"])  # the same, up to the output grid of 1e-5 degrees
    assert shapely.area(shapely.symmetric_difference(new, shipped)) < 1e-4 * shipped.area


def test_a_strip_between_two_drawings_of_a_coast_goes_with_the_new_unit():
    old = shapely.box(0, 0, 10, 4)
    outline = shapely.box(-1, 0.004, 4, 5)  # its coast 0.004 degrees inland of the old unit's
    new, rest = carve_units.carve(old, outline)
    assert new.equals(shapely.box(0, 0, 4, 4)) and rest.equals(shapely.box(4, 0, 10, 4))


def test_the_sourced_outline_and_the_files_hold_panama_oeste():
    (unit,) = carve_units.CARVED_UNITS
    assert hashlib.sha256(unit.path.read_bytes()).hexdigest() == unit.sha256
    for path in (
        ROOT / "data" / "boundaries" / "admin1.geojson",
        ROOT / "data" / "boundaries" / "display" / "admin1.geojson",
    ):
        units = _features(path)
        assert "PA-NT" not in units  # Naso Tjër Di: no sourced outline found (data/README.md, Known gaps)
        west, panama = units["PA-10"], units["PA-8"]
        assert west["properties"]["source_id"] == unit.source_id
        assert west["properties"]["name_es"] == "Panamá Oeste"
        assert _shape(west).covers(shapely.Point(LA_CHORRERA)) and not _shape(panama).covers(shapely.Point(LA_CHORRERA))
        assert shapely.area(shapely.intersection(_shape(west), _shape(panama))) < 1e-9
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for words in ("geoBoundaries-PAN-ADM1-PA-10.geojson", unit.sha256, "ODbL", "Naso Tjër Di"):
        assert words in text


def test_the_migration_snapshot_is_the_shipped_units():
    snapshot = {u["code"]: u for u in json.loads(MIGRATION.with_suffix(".json").read_text(encoding="utf-8"))["units"]}
    full = _features(ROOT / "data" / "boundaries" / "admin1.geojson")
    display = _features(ROOT / "data" / "boundaries" / "display" / "admin1.geojson")
    assert sorted(snapshot) == ["PA-10", "PA-8"]
    for code, unit in snapshot.items():
        assert unit["geometry"] == full[code]["geometry"] and unit["display"] == display[code]["geometry"]
        assert unit["name_es"] == full[code]["properties"]["name_es"]
        assert _shape(full[code]).covers(shapely.Point(unit["label_lon"], unit["label_lat"]))


# --- the application ---------------------------------------------------------------------------


def test_a_point_in_la_chorrera_locates_in_panama_oeste(app, client):
    body = client.get("/api/v1/locate", query_string={"lon": LA_CHORRERA[0], "lat": LA_CHORRERA[1]}).get_json()
    assert [u["code"] for u in body["admin_units"]] == ["PA-10"]
    # each sending country with consulates in Panama has a district holding it (flask setup built them)
    assert {d["code"].split("-")[0] for d in body["districts"]} == {"CR", "MX", "NI"}
    city = client.get("/api/v1/locate", query_string={"lon": PANAMA_CITY[0], "lat": PANAMA_CITY[1]}).get_json()
    assert [u["code"] for u in city["admin_units"]] == ["PA-8"]
    with app.app_context():
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "PA-10"))
        assert unit.is_leaf and unit.level == 1 and unit.name_es == "Panamá Oeste"


def test_a_district_rule_naming_panama_oeste_is_accepted(fresh_app, tmp_path):
    path = tmp_path / "cr-pa.csv"
    path.write_text(
        "consulate_code,admin_unit_code,admin_unit_name,sending_country,scope,source,source_date\n"
        "CR-PA-PANAMA-CITY,PA-10,Panamá Oeste,CR,units,https://example.org/rule,2025-01-01\n",
        encoding="utf-8",
    )
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["import-districts", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        source = db.session.execute(
            select(district_unit.c.source_id)
            .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
            .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
            .join(AdminUnit, AdminUnit.id == district_unit.c.admin_unit_id)
            .where(Consulate.code == "CR-PA-PANAMA-CITY", AdminUnit.code == "PA-10")
        ).scalar_one()
        assert source is not None  # official, with the rule's source


# --- the migration -----------------------------------------------------------------------------


def _old_data_dir(target: Path) -> Path:
    """data/ whose admin-1 files hold the old, larger PA-8 and no PA-10."""
    data = copy_data_dir(target)
    for path in (data / "boundaries" / "admin1.geojson", data / "boundaries" / "display" / "admin1.geojson"):
        collection = json.loads(path.read_text(encoding="utf-8"))
        old = shapely.set_precision(_old_panama(path), 1e-5)
        features = [f for f in collection["features"] if f["properties"]["code"] != "PA-10"]
        for feature in features:
            if feature["properties"]["code"] == "PA-8":
                feature["geometry"] = json.loads(shapely.to_geojson(old))
        collection["features"] = features
        path.write_text(json.dumps(collection), encoding="utf-8")
    return data


def _setup(app, data_dir: Path) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["setup", "--data-dir", str(data_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def old_world(request, tmp_path_factory):
    """A database set up with the old PA-8, and an organisation covering it with a hidden site in La
    Chorrera; (url, its id)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('old-pa') / 'old.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres")
        url = server.create()
        request.addfinalizer(lambda: server.drop(url))
    app = make_app(url)
    _setup(app, _old_data_dir(tmp_path_factory.mktemp("old-pa-data") / "data"))
    with app.app_context():
        assert db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "PA-10")) is None
        assert leaf_unit_at(*LA_CHORRERA).code == "PA-8"
        org = create_organisation(
            {
                "name": "Albergue Arco Oeste",
                "kind": "shelter",
                "country_code": "PA",
                "status": "published",
                "services": [{"category": "shelter"}],
                "hide_exact_location": True,
                "locations": [{"lon": LA_CHORRERA[0], "lat": LA_CHORRERA[1], "address": "Calle 1"}],
                "coverage": [{"kind": "admin_unit", "unit": "PA-8", "label": "Provincia de Panamá"}],
            }
        )
        db.session.commit()
        return url, org.id


@pytest.fixture
def old_app(old_world, request, tmp_path):
    url, _id = old_world
    if url.startswith("sqlite"):
        target = tmp_path / "copy.sqlite3"
        with sqlite3.connect(sa.make_url(url).database) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return make_app(f"sqlite:///{target}")
    server = request.getfixturevalue("postgres")
    copy = server.create(template=sa.make_url(url).database)
    request.addfinalizer(lambda: server.drop(copy))
    return make_app(copy)


def _pending_proposal(app, organisation_id: int) -> int:
    with app.app_context():
        args = ["create-user", "contact-pa@example.org", "--role", "country_contact", "--country", "PA"]
        result = app.test_cli_runner().invoke(
            args=[*args, "--name", "Ana", "--password-stdin"], input=TEST_PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output
        author = db.session.scalar(sa.text("SELECT id FROM user_account WHERE email = 'contact-pa@example.org'"))
        proposal = ChangeProposal(
            organisation_id=organisation_id,
            country_code="PA",
            kind=ChangeKind.UPDATE,
            base_version=1,
            author_id=author,
            snapshot={
                "name": "Albergue Arco Oeste",
                "coverage": [{"kind": "admin_unit", "unit": "PA-8", "label": "x"}],
            },
        )
        db.session.add(proposal)
        db.session.commit()
        return proposal.id


def _districts_holding(code: str) -> dict[int, int | None]:
    return dict(
        db.session.execute(
            select(district_unit.c.district_id, district_unit.c.source_id)
            .join(AdminUnit, AdminUnit.id == district_unit.c.admin_unit_id)
            .where(AdminUnit.code == code)
        ).all()
    )


def _assert_still_covered(org_id: int, districts_before: set[int]) -> None:
    west = leaf_unit_at(*LA_CHORRERA)
    assert west.code == "PA-10"
    parts = sorted(
        (p.admin_unit.code, p.label)
        for p in db.session.scalars(select(CoveragePart).where(CoveragePart.organisation_id == org_id))
    )
    assert parts == [("PA-10", "Provincia de Panamá"), ("PA-8", "Provincia de Panamá")]
    full = set(
        db.session.scalars(
            select(AdminUnit.code)
            .join(UnitCoverage, UnitCoverage.admin_unit_id == AdminUnit.id)
            .where(UnitCoverage.organisation_id == org_id, UnitCoverage.is_full.is_(True))
        )
    )
    assert full == {"PA-8", "PA-10"}  # La Chorrera, now in PA-10, stays covered
    site = db.session.scalar(select(Location).where(Location.organisation_id == org_id))
    assert site.admin_unit_id == west.id
    assert (site.public_lon, site.public_lat) == (west.label_lon, west.label_lat)  # hidden: its unit's label
    assert site.public_grid_key == grid_key(west.label_lon, west.label_lat)
    holding_new, holding_old = _districts_holding("PA-10"), _districts_holding("PA-8")
    assert holding_new == holding_old and set(holding_old) == districts_before
    served = set(
        db.session.scalars(select(DistrictCoverage.district_id).where(DistrictCoverage.organisation_id == org_id))
    )
    assert districts_before <= served
    for district in db.session.scalars(select(ConsularDistrict).where(ConsularDistrict.id.in_(districts_before))):
        assert district.unit_count == len(_districts_holding_units(district.id))
        assert district.geometry.covers(shapely.Point(LA_CHORRERA))


def _districts_holding_units(district_id: int) -> list:
    return db.session.execute(select(district_unit).where(district_unit.c.district_id == district_id)).all()


def test_the_migration_keeps_an_organisation_covering_panama_covering_la_chorrera(old_world, old_app, data_dir):
    _url, org_id = old_world
    with old_app.app_context():
        districts_before = set(_districts_holding("PA-8"))
        assert len(districts_before) == 3  # Costa Rica, Mexico, Nicaragua
    proposal_id = _pending_proposal(old_app, org_id)
    with old_app.app_context(), db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            _module("migration_0014", MIGRATION).upgrade()
    with old_app.app_context():
        _assert_still_covered(org_id, districts_before)
        assert db.session.get(ChangeProposal, proposal_id).snapshot["coverage"] == [
            {"kind": "admin_unit", "unit": "PA-8", "label": "x"},
            {"kind": "admin_unit", "unit": "PA-10", "label": "x"},
        ]
    _setup(old_app, data_dir)  # the real data/: the same units, nothing left to move
    with old_app.app_context():
        _assert_still_covered(org_id, districts_before)
    body = old_app.test_client().get("/api/v1/locate", query_string={"lon": LA_CHORRERA[0], "lat": LA_CHORRERA[1]})
    assert [u["code"] for u in body.get_json()["admin_units"]] == ["PA-10"]
