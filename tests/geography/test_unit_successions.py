"""The 2023 counties replace the 2017 ones without losing what organisations and districts said.

An "old world" is a directory set up (real `flask setup`) from data/ whose county files hold the 2017
units instead of their 2023 successors (the eight Connecticut counties and Valdez-Cordova of
data/us_counties_2017_replaced.geojson, cut from the boundary files published before the 2023
vintage), with organisations covering them. Then either the migration 0012_us_counties_2023 runs and
`flask setup` runs again on the real data/, or `flask setup` runs at once (the loader replaces the
units itself). Either way, every point of an old county an organisation covered stays covered, its
sites sit in the new units, and the official district "all of Connecticut to Boston" keeps its source.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sqlite3
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
from directory_app.organisations.models import CoveragePart, DistrictCoverage, Location, Organisation, UnitCoverage
from directory_app.organisations.services import create_organisation
from directory_app.review.models import ChangeKind, ChangeProposal
from geo.nearest import grid_key
from tests.conftest import TEST_PASSWORD, copy_data_dir, make_app

ROOT = Path(__file__).resolve().parents[2]
OLD_COUNTIES = Path(__file__).parent / "data" / "us_counties_2017_replaced.geojson"
MIGRATION = ROOT / "migrations" / "versions" / "0012_us_counties_2023.py"
NEW_CODES = ["US-02063", "US-02066"] + [f"US-091{n}0" for n in range(1, 10)]
OLD_CODES = ["US-02261"] + [f"US-090{n:02d}" for n in range(1, 16, 2)]
BRIDGEPORT = (-73.1894, 41.1792)  # in Fairfield County (2017), Greater Bridgeport (2023)
NEW_HAVEN_SQUARE = shapely.box(-72.97, 41.28, -72.87, 41.36)  # inside New Haven County / South Central CT


def _old_features() -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in json.loads(OLD_COUNTIES.read_text(encoding="utf-8"))["features"]}


def _old_data_dir(target: Path) -> Path:
    """data/ with the 2017 counties in place of their successors, and no successor file."""
    data = copy_data_dir(target)
    old = _old_features()
    for path, display in (
        (data / "boundaries" / "us_counties.geojson", False),
        (data / "boundaries" / "display" / "us_counties.geojson", True),
    ):
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = [f for f in collection["features"] if f["properties"]["code"] not in NEW_CODES]
        for feature in old.values():
            properties = {k: v for k, v in feature["properties"].items() if k != "display"}
            geometry = feature["properties"]["display"] if display else feature["geometry"]
            features.append({"type": "Feature", "properties": properties, "geometry": geometry})
        collection["features"] = sorted(features, key=lambda f: f["properties"]["code"])
        path.write_text(json.dumps(collection), encoding="utf-8")
    (data / "boundaries" / "us_county_successors.csv").unlink()
    return data


def _setup(app, data_dir: Path) -> str:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["setup", "--data-dir", str(data_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _organisations() -> dict[str, int]:
    """Three organisations of the old world: a county part with a hidden site, an Alaska county part,
    a drawn square."""
    specs = {
        "Fairfield Aid": {
            "hide_exact_location": True,
            "locations": [{"lon": BRIDGEPORT[0], "lat": BRIDGEPORT[1], "address": "Main Street 1"}],
            "coverage": [{"kind": "admin_unit", "unit": "US-09001", "label": "Fairfield County"}],
        },
        "Valdez Help": {"coverage": [{"kind": "admin_unit", "unit": "US-02261"}]},
        "Drawn Harbour": {
            "coverage": [{"kind": "polygon", "geometry": json.loads(shapely.to_geojson(NEW_HAVEN_SQUARE))}],
        },
    }
    ids = {}
    for name, spec in specs.items():
        org = create_organisation(
            {
                "name": name,
                "kind": "shelter",
                "country_code": "US",
                "status": "published",
                "services": [{"category": "shelter"}],
                **spec,
            }
        )
        ids[name] = org.id
    db.session.commit()
    return ids


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def old_world(request, tmp_path_factory):
    """A database set up from the 2017 counties, with the three organisations; (url, their ids)."""
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('old') / 'old.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres")
        url = server.create()
        request.addfinalizer(lambda: server.drop(url))
    app = make_app(url)
    output = _setup(app, _old_data_dir(tmp_path_factory.mktemp("old-data") / "data"))
    assert "replaced by their successors" not in output
    with app.app_context():
        assert db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "US-09001")) is not None
        ids = _organisations()
    return url, ids


@pytest.fixture
def old_app(old_world, request, tmp_path):
    """A private copy of the old world (the application)."""
    url, _ids = old_world
    if url.startswith("sqlite"):
        target = tmp_path / "copy.sqlite3"
        with sqlite3.connect(sa.make_url(url).database) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return make_app(f"sqlite:///{target}")
    server = request.getfixturevalue("postgres")
    copy = server.create(template=sa.make_url(url).database)
    request.addfinalizer(lambda: server.drop(copy))
    return make_app(copy)


def _run_migration(app) -> None:
    """The revision's upgrade(), as `flask db upgrade` runs it, on this database."""
    spec = importlib.util.spec_from_file_location("migration_0012", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with app.app_context(), db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            module.upgrade()


def _inside_points(geometry, margin: float = 0.02, steps: int = 12) -> list[tuple[float, float]]:
    """Points of a grid that lie well inside the geometry (away from generalised borders)."""
    inner = geometry.buffer(-margin)
    minx, miny, maxx, maxy = geometry.bounds
    points = [
        (minx + (maxx - minx) * (i + 0.5) / steps, miny + (maxy - miny) * (j + 0.5) / steps)
        for i in range(steps)
        for j in range(steps)
    ]
    return [p for p in points if inner.contains(shapely.Point(p))]


def _assert_equivalent(old_ids: dict[str, int]) -> None:
    """What the old world's organisations said holds in the 2023 units."""
    codes = set(db.session.scalars(select(AdminUnit.code).where(AdminUnit.code.in_(OLD_CODES + NEW_CODES))))
    assert codes == set(NEW_CODES)
    old = _old_features()
    for name, county in (("Fairfield Aid", "US-09001"), ("Valdez Help", "US-02261")):
        org_id = old_ids[name]
        full = {
            u
            for (u,) in db.session.execute(
                select(UnitCoverage.admin_unit_id).where(
                    UnitCoverage.organisation_id == org_id, UnitCoverage.is_full.is_(True)
                )
            )
        }
        points = _inside_points(shapely.geometry.shape(old[county]["geometry"]))
        assert len(points) > 10
        for lon, lat in points:
            unit = leaf_unit_at(lon, lat)
            assert unit is not None and unit.id in full, f"{name}: ({lon}, {lat}) in {unit and unit.code} not covered"
    parts = {
        name: sorted(
            (p.admin_unit.code, p.label)
            for p in db.session.scalars(select(CoveragePart).where(CoveragePart.organisation_id == old_ids[name]))
        )
        for name in ("Fairfield Aid", "Valdez Help")
    }
    successors = {}
    with (ROOT / "data" / "boundaries" / "us_county_successors.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            successors.setdefault(row["old_code"], []).append(row["new_code"])
    assert parts["Fairfield Aid"] == [(code, "Fairfield County") for code in sorted(successors["US-09001"])]
    assert parts["Valdez Help"] == [("US-02063", ""), ("US-02066", "")]
    # the hidden site: in Greater Bridgeport, shown at that unit's label point
    site = db.session.scalar(select(Location).where(Location.organisation_id == old_ids["Fairfield Aid"]))
    unit = db.session.get(AdminUnit, site.admin_unit_id)
    assert unit.code == "US-09120"
    assert (site.public_lon, site.public_lat) == (unit.label_lon, unit.label_lat)
    assert site.public_grid_key == grid_key(unit.label_lon, unit.label_lat)
    # the drawn square: part of South Central Connecticut
    drawn = db.session.execute(
        select(AdminUnit.code, UnitCoverage.overlap_km2, UnitCoverage.is_full)
        .join(AdminUnit, AdminUnit.id == UnitCoverage.admin_unit_id)
        .where(UnitCoverage.organisation_id == old_ids["Drawn Harbour"])
    ).all()
    assert [(code, full) for code, _km2, full in drawn] == [("US-09170", False)]
    assert 50 < drawn[0][1] < 100  # 0.1 x 0.08 degrees at 41 N: about 70 km²
    area = db.session.scalar(select(Organisation.coverage_area_km2).where(Organisation.id == old_ids["Drawn Harbour"]))
    assert area == pytest.approx(drawn[0][1])


def _boston_connecticut() -> dict[str, int | None]:
    """Mexico's Boston district: its Connecticut units and their official source."""
    boston = db.session.scalar(
        select(ConsularDistrict)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(Consulate.code == "MX-US-BOSTON", ConsularDistrict.sending_country_code == "MX")
    )
    rows = db.session.execute(
        select(AdminUnit.code, district_unit.c.source_id)
        .join(district_unit, district_unit.c.admin_unit_id == AdminUnit.id)
        .where(district_unit.c.district_id == boston.id, AdminUnit.code.like("US-09%"))
    ).all()
    return dict(rows), boston


def _assert_districts(old_ids: dict[str, int]) -> None:
    units, boston = _boston_connecticut()
    assert sorted(units) == [c for c in NEW_CODES if c.startswith("US-09")]
    assert len(set(units.values())) == 1 and None not in units.values()  # one official source, kept
    served = set(
        db.session.scalars(select(DistrictCoverage.organisation_id).where(DistrictCoverage.district_id == boston.id))
    )
    assert {old_ids["Fairfield Aid"], old_ids["Drawn Harbour"]} <= served
    assert boston.unit_count == len(
        db.session.execute(select(district_unit).where(district_unit.c.district_id == boston.id)).all()
    )


def _pending_proposal(app, organisation_id: int) -> int:
    """A country contact's change waiting for review whose coverage names Valdez-Cordova."""
    with app.app_context():
        args = ["create-user", "contact-us@example.org", "--role", "country_contact", "--country", "US"]
        result = app.test_cli_runner().invoke(
            args=[*args, "--name", "Uma", "--password-stdin"], input=TEST_PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output
        author = db.session.scalar(sa.text("SELECT id FROM user_account WHERE email = 'contact-us@example.org'"))
        proposal = ChangeProposal(
            organisation_id=organisation_id,
            country_code="US",
            kind=ChangeKind.UPDATE,
            base_version=1,
            author_id=author,
            snapshot={
                "name": "Valdez Help",
                "coverage": [
                    {"kind": "admin_unit", "unit": "US-02261", "label": "Prince William Sound"},
                    {"kind": "admin_unit", "unit": "US-02066", "label": ""},
                    {"kind": "country", "country": "US", "label": ""},
                ],
            },
        )
        db.session.add(proposal)
        db.session.commit()
        return proposal.id


def test_the_migration_moves_old_county_coverage_and_setup_keeps_it(old_world, old_app, data_dir):
    _url, ids = old_world
    with old_app.app_context():
        before, _boston = _boston_connecticut()
        assert sorted(before) == [c for c in OLD_CODES if c.startswith("US-09")]  # "all of Connecticut to Boston"
    proposal_id = _pending_proposal(old_app, ids["Valdez Help"])
    _run_migration(old_app)
    with old_app.app_context():
        _assert_equivalent(ids)
        _assert_districts(ids)
        assert db.session.get(ChangeProposal, proposal_id).snapshot["coverage"] == [
            {"kind": "admin_unit", "unit": "US-02063", "label": "Prince William Sound"},
            {"kind": "admin_unit", "unit": "US-02066", "label": ""},  # named already: not twice
            {"kind": "country", "country": "US", "label": ""},
        ]
    output = _setup(old_app, data_dir)
    assert "replaced by their successors" not in output  # the migration left nothing to replace
    with old_app.app_context():
        _assert_equivalent(ids)
        _assert_districts(ids)
        org = db.session.get(Organisation, ids["Fairfield Aid"])
        uuid = org.uuid
    client = old_app.test_client()
    document = client.get(f"/hsds/organizations/{uuid}").get_json()  # what other systems read
    extents = {area["extent"] for service in document["services"] for area in service["service_areas"]}
    assert extents == {"ISO 3166-2 US-09120", "ISO 3166-2 US-09140", "ISO 3166-2 US-09190"}
    page = client.get(f"/organisations/{uuid}?lang=en").get_data(as_text=True)
    assert "MX-US-BOSTON" in page  # the Boston district (all of Connecticut) among the districts served


def _public_point(client, site_id: int) -> tuple[float, float]:
    """Where the public map shows a site (its layer: rows of lon, lat, exact, site id)."""
    rows = client.get("/maps/organisation-points.json").get_json()["points"]
    return next((lon, lat) for lon, lat, _exact, row_id in rows if row_id == site_id)


def test_setup_on_old_units_replaces_them_without_losing_coverage(old_world, old_app, data_dir):
    _url, ids = old_world
    client = old_app.test_client()
    with old_app.app_context():
        site_id = db.session.scalar(select(Location.id).where(Location.organisation_id == ids["Fairfield Aid"]))
    shown_before = _public_point(client, site_id)  # the layer is built and kept for this data version
    output = _setup(old_app, data_dir)
    assert "9 units no longer in the files replaced by their successors" in output
    with old_app.app_context():  # (a second run finds nothing to replace: see the migration's test)
        _assert_equivalent(ids)
        _assert_districts(ids)
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "US-09120"))
        label = (unit.label_lon, unit.label_lat)
    # the hidden site moved to its new unit's label point, and the public map shows it there at once
    assert shown_before != label
    assert _public_point(client, site_id) == pytest.approx(label, abs=1e-5)


def test_a_dropped_unit_with_no_successor_that_coverage_names_stops_setup(old_world, old_app, tmp_path):
    _url, ids = old_world
    data = copy_data_dir(tmp_path / "data")
    successors = data / "boundaries" / "us_county_successors.csv"
    lines = successors.read_text(encoding="utf-8").splitlines()
    successors.write_text("\n".join(line for line in lines if not line.startswith("US-02261")) + "\n", encoding="utf-8")
    with old_app.app_context():
        result = old_app.test_cli_runner().invoke(args=["setup", "--data-dir", str(data)])
    assert result.exit_code != 0
    assert "US-02261" in result.output + str(result.exception)
    with old_app.app_context():  # nothing changed
        assert db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "US-02261")) is not None
        assert db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "US-09001")) is not None
        assert db.session.scalar(select(CoveragePart.id).where(CoveragePart.organisation_id == ids["Valdez Help"]))


def test_the_2023_units_are_loaded_with_valid_geometry(ctx):
    units = {u.code: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.code.in_(OLD_CODES + NEW_CODES)))}
    assert sorted(units) == sorted(NEW_CODES)
    for code, unit in units.items():
        assert unit.is_leaf and unit.level == 2
        assert unit.parent.code == ("US-AK" if code.startswith("US-02") else "US-CT")
        for geometry in (unit.geometry, shapely.from_wkb(unit.display_wkb)):
            assert geometry.is_valid and not geometry.is_empty and geometry.geom_type in ("Polygon", "MultiPolygon")
        assert unit.geometry.covers(shapely.Point(unit.label_lon, unit.label_lat))
    assert leaf_unit_at(-72.6851, 41.7637).code == "US-09110"  # Hartford: Capitol
    assert leaf_unit_at(-146.3483, 61.1308).code == "US-02063"  # Valdez: Chugach
    assert leaf_unit_at(-145.5464, 62.1092).code == "US-02066"  # Glennallen: Copper River
    assert units["US-09110"].name_en == "Capitol"


def test_the_migration_snapshot_matches_the_successor_file():
    snapshot = json.loads(MIGRATION.with_suffix(".json").read_text(encoding="utf-8"))
    with (ROOT / "data" / "boundaries" / "us_county_successors.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["old_code"], r["new_code"]) for r in rows} == {
        (old, s["code"]) for old, found in snapshot["successors"].items() for s in found
    }
    assert sorted(u["code"] for u in snapshot["units"]) == sorted(NEW_CODES)
    for old, found in snapshot["successors"].items():
        assert sum(s["share_of_old"] for s in found) >= 0.98, old
    for unit in snapshot["units"]:
        geometry = shapely.from_geojson(json.dumps(unit["geometry"]))
        assert geometry.is_valid and geometry.covers(shapely.Point(unit["label_lon"], unit["label_lat"]))


def test_the_data_readme_says_how_connecticut_is_mapped_and_what_panama_lacks():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for words in ("planning regions", "us_county_successors.csv", "PA-10", "PA-NT"):
        assert words in text
    assert shutil.which("npm") is not None  # scripts/build_boundaries.py fetches its packages with npm


def test_an_official_rule_naming_the_old_connecticut_counties_still_resolves(fresh_app, tmp_path):
    """A district file written with the 2017 counties (as the SRE still speaks of them): each planning
    region goes with the county holding most of it; every county named gives every region once."""
    header = "consulate_code,admin_unit_code,admin_unit_name,sending_country,scope,source,source_date\n"
    rows = ["MX-US-NEW-YORK,US-09001,Fairfield,MX,units,https://example.org/rule,2024-01-01\n"]
    rows += [
        f"MX-US-BOSTON,{code},,MX,units,https://example.org/rule,2024-01-01\n"
        for code in OLD_CODES
        if code.startswith("US-09") and code != "US-09001"
    ]
    path = tmp_path / "ct-counties.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["import-districts", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert (
            "US-09001 (Fairfield) is no longer an admin unit; it stands for "
            "US-09120 (Greater Bridgeport), US-09190 (Western Connecticut)"
        ) in result.output
        consulate_of = {}
        for code in NEW_CODES[2:]:
            consulate_of[code] = db.session.scalar(
                select(Consulate.code)
                .join(ConsularDistrict, ConsularDistrict.consulate_id == Consulate.id)
                .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
                .join(AdminUnit, AdminUnit.id == district_unit.c.admin_unit_id)
                .where(AdminUnit.code == code, ConsularDistrict.sending_country_code == "MX")
            )
    assert consulate_of == {
        code: "MX-US-NEW-YORK" if code in ("US-09120", "US-09190") else "MX-US-BOSTON" for code in NEW_CODES[2:]
    }
    located = fresh_app.test_client().get(f"/api/v1/locate?lon={BRIDGEPORT[0]}&lat={BRIDGEPORT[1]}").get_json()
    assert [u["code"] for u in located["admin_units"]] == ["US-09120", "US-CT"]
    mexico = [d["consulate"]["code"] for d in located["districts"] if d["sending_country"] == "MX"]
    assert mexico == ["MX-US-NEW-YORK"]
