"""Every CLI command, with its error paths: a clear message, and the database unchanged."""

import json

import pytest
from sqlalchemy import func, select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, district_unit
from directory_app.organisations.models import DistrictCoverage, Organisation
from tests.conftest import TEST_USERS, copy_data_dir, csrf_token_of, make_app


def snapshot(app) -> dict:
    """What an import may change: districts, their units and who serves them."""
    with app.app_context():
        return {
            "districts": db.session.execute(
                select(ConsularDistrict.code, ConsularDistrict.is_approximate, ConsularDistrict.area_km2).order_by(
                    ConsularDistrict.code
                )
            ).all(),
            "units": db.session.execute(select(district_unit).order_by(*district_unit.c)).all(),
            "coverage": db.session.execute(
                select(DistrictCoverage.district_id, DistrictCoverage.organisation_id).order_by(
                    DistrictCoverage.district_id, DistrictCoverage.organisation_id
                )
            ).all(),
            "organisations": db.session.scalar(select(func.count()).select_from(Organisation)),
        }


def invoke(app, *args, input=None):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


def district_units(app, code: str) -> set[str]:
    with app.app_context():
        district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
        return {u.code for u in district.units} if district else set()


def test_stats(app):
    result = invoke(app, "stats")
    assert result.exit_code == 0
    assert "approximate districts" in result.output
    assert " organisations: 150\n" in result.output


def test_import_official_districts_from_csv(fresh_app, tmp_path):
    path = tmp_path / "official.csv"
    path.write_text("consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-06073\nMX-US-SAN-DIEGO,US-06025\n")
    before_calexico = district_units(fresh_app, "MX-US-CALEXICO")
    assert "US-06025" in before_calexico  # Imperial County, by default nearest to Calexico
    result = invoke(fresh_app, "import-districts", str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 1 official districts with 2 admin units" in result.output
    assert district_units(fresh_app, "MX-US-SAN-DIEGO") == {"US-06073", "US-06025"}
    assert "US-06025" not in district_units(fresh_app, "MX-US-CALEXICO")
    with fresh_app.app_context():
        san_diego = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == "MX-US-SAN-DIEGO"))
        assert not san_diego.is_approximate
        assert san_diego.source == "official: official.csv"


def test_import_official_districts_by_state_code(fresh_app, tmp_path):
    path = tmp_path / "official.csv"
    path.write_text("consulate_code,admin_unit_code\nMX-US-DENVER,US-CO\n")
    result = invoke(fresh_app, "import-districts", str(path))
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        colorado = db.session.scalar(
            select(func.count()).select_from(AdminUnit).where(AdminUnit.parent.has(code="US-CO"))
        )
    assert len(district_units(fresh_app, "MX-US-DENVER")) == colorado == 64


def test_import_official_districts_from_geojson_polygons(fresh_app, tmp_path):
    # A box around Los Angeles County given to the Los Angeles consulate.
    feature = {
        "type": "Feature",
        "properties": {"consulate_code": "MX-US-LOS-ANGELES"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-118.95, 33.7], [-117.64, 33.7], [-117.64, 34.83], [-118.95, 34.83], [-118.95, 33.7]]],
        },
    }
    path = tmp_path / "official.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = invoke(fresh_app, "import-districts", str(path))
    assert result.exit_code == 0, result.output
    assert "US-06037" in district_units(fresh_app, "MX-US-LOS-ANGELES")
    assert "cuts" in result.output  # the box cuts some counties: the user is told


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-06073\nMX-US-NOWHERE,US-06025\n",
            "row 3, field 'consulate_code': unknown consulate code 'MX-US-NOWHERE'",
        ),
        (
            "consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-99999\n",
            "row 2, field 'admin_unit_code': unknown admin unit code 'US-99999'",
        ),
        (
            "consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,MX-CHP\n",
            "row 2, field 'admin_unit_code': MX-CHP is not in US",
        ),
        (
            "consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-06073\nMX-US-CALEXICO,US-06073\n",
            "row 3, field 'admin_unit_code': US-06073 is already given to another consulate of MX",
        ),
        ("consulate_code;unit\nMX-US-SAN-DIEGO;US-06073\n", "row 1: missing column(s) admin_unit_code"),
        ("consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-06073,extra\n", "row 2: this row has more cells"),
        ("consulate_code,admin_unit_code\n", "defines no district"),
    ],
)
def test_import_districts_errors_name_row_and_field_and_change_nothing(app, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = snapshot(app)
    result = invoke(app, "import-districts", str(path))
    assert result.exit_code != 0
    assert message in result.output
    assert "Nothing was changed." in result.output
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "geometry, message",
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[500000, 3700000], [510000, 3700000], [510000, 3710000], [500000, 3700000]]],
            },
            "metres",
        ),
        ({"type": "LineString", "coordinates": [[-118, 34], [-117, 35]]}, "must be a polygon"),
        ({"type": "Polygon", "coordinates": [[[-30, 30], [-29, 30], [-29, 31], [-30, 30]]]}, "covers no admin unit"),
    ],
)
def test_import_districts_refuses_bad_polygons(app, tmp_path, geometry, message):
    path = tmp_path / "bad.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"consulate_code": "MX-US-LOS-ANGELES"}, "geometry": geometry}
                ],
            }
        )
    )
    before = snapshot(app)
    result = invoke(app, "import-districts", str(path))
    assert result.exit_code != 0
    assert "bad.geojson, row 1, field 'geometry'" in result.output
    assert message in result.output
    assert snapshot(app) == before


def test_import_districts_refuses_unknown_formats_and_missing_files(app, tmp_path):
    (tmp_path / "districts.txt").write_text("x")
    result = invoke(app, "import-districts", str(tmp_path / "districts.txt"))
    assert result.exit_code != 0 and "use a .csv, .geojson or .gpkg file" in result.output
    result = invoke(app, "import-districts", str(tmp_path / "missing.csv"))
    assert result.exit_code != 0 and "file not found" in result.output


def test_import_districts_refuses_a_vrt_disguised_as_geojson(app, tmp_path):
    path = tmp_path / "trick.geojson"
    path.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x">'
        "<SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    before = snapshot(app)
    result = invoke(app, "import-districts", str(path))
    assert result.exit_code != 0
    assert "neither GeoJSON nor a GeoPackage" in result.output
    assert snapshot(app) == before


def test_rebuild_coverage_is_idempotent(fresh_app):
    before = snapshot(fresh_app)
    result = invoke(fresh_app, "rebuild-coverage")
    assert result.exit_code == 0, result.output
    assert "Coverage rebuilt for 150 organisations" in result.output
    assert snapshot(fresh_app) == before


def test_demo_adds_only_what_is_missing(fresh_app):
    result = invoke(fresh_app, "demo", "--count", "150")
    assert result.exit_code == 0 and "Added 0 demo organisations" in result.output
    result = invoke(fresh_app, "demo", "--count", "160")
    assert result.exit_code == 0 and "Added 10 demo organisations" in result.output
    result = invoke(fresh_app, "demo", "--count", "-1")
    assert result.exit_code != 0 and "-1" in result.output


def test_create_user_and_its_errors(fresh_app):
    ok = invoke(
        fresh_app,
        "create-user",
        "contact@example.org",
        "--role",
        "country_contact",
        "--country",
        "gt",
        "--password-stdin",
        input="a sufficiently long passphrase\n",
    )
    assert ok.exit_code == 0, ok.output
    with fresh_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "contact@example.org"))
        assert user.country_code == "GT"
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert "passphrase" not in user.password_hash
    cases = [
        (["x@example.org", "--role", "consular"], "short\n", "at least 12 characters"),
        (["x@example.org", "--role", "consular"], "password1234\n", "too common"),
        (["x@example.org", "--role", "country_contact"], "a sufficiently long passphrase\n", "needs --country"),
        (
            ["x@example.org", "--role", "country_contact", "--country", "FR"],
            "a sufficiently long passphrase\n",
            "Unknown country 'FR'",
        ),
        (["not-an-email", "--role", "consular"], "a sufficiently long passphrase\n", "is not an email address"),
        (["contact@example.org", "--role", "consular"], "a sufficiently long passphrase\n", "already exists"),
        (
            ["y@example.org", "--role", "consular", "--consulate", "GT-US-NOWHERE"],
            "a long passphrase\n",
            "Unknown consulate 'GT-US-NOWHERE'",
        ),
        (
            ["y@example.org", "--role", "ts_admin", "--consulate", "GT-US-HOUSTON"],
            "a long passphrase\n",
            "Only a consular user",
        ),
    ]
    for args, password, message in cases:
        result = invoke(fresh_app, "create-user", *args, "--password-stdin", input=password)
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    with fresh_app.app_context():
        # the world's test users (tests/conftest.py) and the one made here
        assert db.session.scalar(select(func.count()).select_from(User)) == len(TEST_USERS) + 1


def test_a_consular_user_created_with_a_consulate_lands_on_its_district(fresh_app):
    args = ["create-user", "officer@example.org", "--role", "consular", "--consulate", "gt-us-houston"]
    result = invoke(fresh_app, *args, "--password-stdin", input="a sufficiently long passphrase\n")
    assert result.exit_code == 0, result.output
    client = fresh_app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login",
        data={"csrf_token": token, "email": "officer@example.org", "password": "a sufficiently long passphrase"},
    )
    assert signed_in.status_code == 302 and "/districts/GT-US-HOUSTON" in signed_in.location


def test_setup_errors_name_the_file_and_row(empty_database, tmp_path):
    data = copy_data_dir(tmp_path / "data")
    with open(data / "consulates.csv", "a", encoding="utf-8") as handle:
        handle.write(
            "MX-US-ATLANTIS,consulate,open,MX,US,Atlantis,US-FL,95.0,-80.0,city centre,Consulado,Consulate,"
            "https://example.org/atlantis,2026-01-01,\n"
        )
    app = make_app(empty_database)
    result = invoke(app, "setup", "--data-dir", str(data))
    assert result.exit_code != 0
    assert "consulates.csv, row" in result.output and "field 'lat/lon': latitude 95 is outside" in result.output
    with app.app_context():  # the schema exists, but nothing was loaded
        assert db.session.scalar(select(func.count()).select_from(AdminUnit)) == 0


def test_setup_refuses_an_invalid_boundary_file(empty_database, tmp_path):
    data = copy_data_dir(tmp_path / "data")
    path = data / "boundaries" / "admin1.geojson"
    collection = json.loads(path.read_text())
    collection["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
    }
    path.write_text(json.dumps(collection))
    app = make_app(empty_database)
    result = invoke(app, "setup", "--data-dir", str(data))
    assert result.exit_code != 0
    assert "admin1.geojson: feature 1" in result.output and "invalid geometry" in result.output
