"""The consular network as shipped (data/consulates.csv, consular_windows.csv, consular_networks.csv,
consulate_changes.csv): sourced rows, one row per office, points in their host units, districts for the
newer corridors, windows and networks shown on the consulates' pages, corrected codes moved in place."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.consular_network import apply_code_changes, current_code
from directory_app.geography.consulates import SOURCE_DATE, load_consulates
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, Country, district_unit
from directory_app.geography.network_models import ConsularWindow, former_consulate_code
from directory_app.organisations.models import DistrictCoverage

DATA = Path(__file__).resolve().parents[2] / "data"
# Points a few hundred metres outside their region in the 1:10m boundaries (data/README.md, Known gaps).
BORDER_POINTS = {"GT-MX-CIUDAD-HIDALGO"}


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_consulate_row_names_its_source_and_the_date_it_states():
    rows = _rows("consulates.csv")
    assert len(rows) > 180
    for row in rows:
        assert row["source"].strip(), row["code"]
        assert SOURCE_DATE.match(row["source_date"]), (row["code"], row["source_date"])
        assert row["position_source"].strip(), row["code"]
        assert row["status"] in ("open", "announced", "suspended"), row["code"]
    for name in ("consular_windows.csv", "consular_networks.csv"):
        for row in _rows(name):
            assert row["source"].strip() and SOURCE_DATE.match(row["source_date"]), row


def test_no_two_rows_are_the_same_office():
    offices = {}
    for row in _rows("consulates.csv"):
        if row["kind"] == "mobile_consulate":
            continue
        key = (row["sending_countries"], row["host_country"], row["city"].casefold())
        assert key not in offices, f"{row['code']} is the office of {offices[key]}"
        offices[key] = row["code"]
    assert not any(r["code"].startswith("JOINT-") for r in _rows("consulates.csv")), "TRICAMEX is not an office"


@pytest.mark.usefixtures("ctx")
def test_a_consulate_point_lies_in_its_host_admin_unit():
    regions = {r["code"]: r["region"] for r in _rows("consulates.csv")}
    consulates = db.session.scalars(select(Consulate)).all()
    assert {c.code for c in consulates} == set(regions)
    for consulate in consulates:
        codes = _host_units_at(consulate)
        region = regions[consulate.code]
        if consulate.code in BORDER_POINTS:
            unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == region))
            assert unit.geometry.distance(shapely.Point(consulate.lon, consulate.lat)) < 0.05, consulate.code
            continue
        assert region in codes, (consulate.code, region, codes)
        assert consulate.admin_unit.country_code == consulate.host_country_code


def _host_units_at(consulate: Consulate) -> set[str]:
    """The codes of the host country's units (leaf and parent) whose real boundary holds the point
    (neighbouring countries overlap a little along their borders in 1:10m data)."""
    point = shapely.Point(consulate.lon, consulate.lat)
    units = db.session.scalars(
        select(AdminUnit).where(
            AdminUnit.country_code == consulate.host_country_code,
            AdminUnit.min_lon <= consulate.lon,
            AdminUnit.max_lon >= consulate.lon,
            AdminUnit.min_lat <= consulate.lat,
            AdminUnit.max_lat >= consulate.lat,
        )
    )
    return {u.code for u in units if u.geometry.covers(point)}


@pytest.mark.usefixtures("ctx")
def test_every_consulate_in_the_database_keeps_its_source():
    missing = db.session.scalars(
        select(Consulate.code).where((Consulate.source == "") | (Consulate.source_date == ""))
    ).all()
    assert missing == []


def _districts(sending: str, host: str | None = None) -> list[ConsularDistrict]:
    query = (
        select(ConsularDistrict)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(ConsularDistrict.sending_country_code == sending)
    )
    if host:
        query = query.where(Consulate.host_country_code == host)
    return list(db.session.scalars(query))


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("sending", ["NI", "CR", "PA"])
def test_the_newer_sending_countries_have_districts(sending):
    assert _districts(sending), sending


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize(("sending", "host"), [("NI", "CR"), ("NI", "PA"), ("CR", "PA"), ("CR", "NI"), ("GT", "BZ")])
def test_host_countries_of_admin1_leaves_are_shared_out_whole(sending, host):
    """Costa Rica, Panama, Nicaragua and Belize have no counties: their provinces, departments and
    districts are the leaf units, and every one of them goes to a consulate of the sending country."""
    leaves = set(
        db.session.scalars(select(AdminUnit.id).where(AdminUnit.country_code == host, AdminUnit.is_leaf.is_(True)))
    )
    ids = [d.id for d in _districts(sending, host)]
    covered = db.session.scalars(select(district_unit.c.admin_unit_id).where(district_unit.c.district_id.in_(ids)))
    assert set(covered) == leaves
    levels = set(db.session.scalars(select(AdminUnit.level).where(AdminUnit.id.in_(leaves))))
    assert levels == {1}


@pytest.mark.usefixtures("ctx")
def test_announced_offices_get_no_district():
    for code in ("HN-US-PHOENIX", "GT-MX-CANCUN", "HN-MX-CIUDAD-JUAREZ"):
        consulate = db.session.scalar(select(Consulate).where(Consulate.code == code))
        assert consulate.status == "announced" and consulate.districts == [], code


@pytest.mark.parametrize("page", ["/districts?sending=BZ&lang=en", "/coverage?sending=BZ&lang=en"])
def test_a_country_with_no_consulate_gets_the_explanation(client, page):
    text = client.get(page).get_data(as_text=True)
    assert 'id="no-districts"' in text
    assert "The directory lists no consular office of Belize in the member countries" in text
    assert "0 districts" not in text


def test_a_country_with_consulates_gets_its_districts_not_the_explanation(client):
    text = client.get("/districts?sending=NI&lang=en").get_data(as_text=True)
    assert 'id="no-districts"' not in text
    assert "/districts/NI-CR-SAN-JOSE" in text and "/districts/NI-PA-PANAMA-CITY" in text


def test_tricamex_is_shown_on_its_consulates_pages_not_as_a_point(client):
    text = client.get("/districts/GT-US-MCALLEN?lang=en").get_data(as_text=True)
    section = text.split('<section class="consular-office"')[1].split("</section>")[0]
    assert "Member of TRICAMEX" in section and "McAllen chapter" in section and "since 2015-12-01" in section
    for partner in ("MX-US-MCALLEN", "HN-US-MCALLEN", "SV-US-MCALLEN"):
        assert f'href="/districts/{partner}"' in section
    assert 'href="http://conexiondelrio.com/' in section
    del_rio = client.get("/districts/MX-US-EAGLE-PASS?lang=en").get_data(as_text=True)
    assert "Del Rio chapter" in del_rio and "since 2016-12-09" in del_rio
    with client.application.app_context():
        assert not db.session.scalar(
            select(func.count()).select_from(Consulate).where(Consulate.name_en.contains("TRICAMEX"))
        )


def test_windows_are_shown_on_their_consulate_page_with_their_status(client):
    mexico = client.get("/districts/MX-US-MCALLEN?lang=en").get_data(as_text=True)
    assert "Health window (Ventanilla de Salud) at the Consulate of Mexico in McAllen: active" in re.sub(
        r"\s+", " ", mexico
    )
    salvador = re.sub(r"\s+", " ", client.get("/districts/SV-US-LOS-ANGELES?lang=en").get_data(as_text=True))
    assert (
        "Consular service windows of the Consulate General of El Salvador in Los Angeles: "
        "<strong>suspended</strong> since 2019-11" in salvador
    )
    with client.application.app_context():
        windows = db.session.scalar(select(func.count()).select_from(ConsularWindow))
        assert windows == len(_rows("consular_windows.csv"))
        # a window is no office: no consulate row, no district of its own
        assert not db.session.scalar(
            select(func.count()).select_from(Consulate).where(Consulate.kind == "service_window")
        )


def test_a_corrected_code_moves_districts_and_coverage_in_place(fresh_app):
    """An existing directory still has HN-US-DENVER (a consulate in the wrong city) and the closed
    SV-US-SANTA-ANA: the change file renames the first in place and retires the second."""
    with fresh_app.app_context():
        aurora = db.session.scalar(select(Consulate).where(Consulate.code == "HN-US-AURORA"))
        district = aurora.districts[0]
        district.code, aurora.code = "HN-US-DENVER", "HN-US-DENVER"
        db.session.execute(former_consulate_code.delete())
        closed = Consulate(
            code="SV-US-SANTA-ANA",
            kind="consulate",
            host_country_code="US",
            city="Santa Ana",
            lon=-117.86783,
            lat=33.74557,
            name_es="Consulado de El Salvador en Santa Ana",
            name_en="Consulate of El Salvador in Santa Ana",
        )
        closed.sending_countries = [db.session.get(Country, "SV")]
        db.session.add(closed)
        db.session.flush()
        db.session.add(ConsularDistrict(code="SV-US-SANTA-ANA", consulate=closed, sending_country_code="SV", source=""))
        db.session.commit()
        consulate_id, district_id = aurora.id, district.id
        served = db.session.scalar(
            select(func.count()).select_from(DistrictCoverage).where(DistrictCoverage.district_id == district_id)
        )
        assert served > 0  # the demo organisations of Colorado serve it

        result = apply_code_changes(DATA / "consulate_changes.csv")
        db.session.commit()
        assert result == {"renamed": 1, "retired": 1}
        moved = db.session.get(Consulate, consulate_id)
        assert moved.code == "HN-US-AURORA"
        assert db.session.get(ConsularDistrict, district_id).code == "HN-US-AURORA"
        assert served == db.session.scalar(
            select(func.count()).select_from(DistrictCoverage).where(DistrictCoverage.district_id == district_id)
        )
        assert current_code("HN-US-DENVER") == "HN-US-AURORA"
        assert db.session.scalar(select(Consulate).where(Consulate.code == "SV-US-SANTA-ANA")) is None
        assert db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == "SV-US-SANTA-ANA")) is None
        assert apply_code_changes(DATA / "consulate_changes.csv") == {"renamed": 0, "retired": 0}  # again: nothing
    client = fresh_app.test_client()
    old = client.get("/districts/HN-US-DENVER?service=shelter")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/districts/HN-US-AURORA?service=shelter")
    assert client.get("/districts/SV-US-SANTA-ANA").status_code == 404


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda r: r.update(source=""), "source", "this field is required"),
        (lambda r: r.update(source_date="June 2024"), "source_date", "is not a date"),
        (lambda r: r.update(code="MX-US-ATLANTA-2"), "city", "(same country, same city)"),
        (lambda r: r.update(status="closed"), "status", "unknown status 'closed'"),
    ],
)
def test_a_bad_row_is_refused_with_its_row_and_field(tmp_path, change, field, message):
    rows = _rows("consulates.csv")
    extra = dict(next(r for r in rows if r["code"] == "MX-US-ATLANTA"))
    change(extra)
    if extra["code"] == "MX-US-ATLANTA":
        extra["code"] = "MX-US-ATLANTA-B"
        extra["city"] = "Atlanta B"
    path = tmp_path / "consulates.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, extra])
    before = db.session.scalar(select(func.count()).select_from(Consulate))
    with pytest.raises(ValidationError) as raised:
        load_consulates(path)
    assert raised.value.row == len(rows) + 2 and raised.value.field == field
    assert message in raised.value.message
    assert db.session.scalar(select(func.count()).select_from(Consulate)) == before


def test_the_checker_accepts_the_shipped_files():
    """scripts/check_consulates.py (header, codes, kinds, members, points in their region) passes."""
    result = subprocess.run(
        [sys.executable, str(DATA.parent / "scripts" / "check_consulates.py"), "--require-boundaries", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
