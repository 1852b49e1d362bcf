"""The official districts shipped in data/districts/: every row sourced and dated; after `flask setup`
(the test world is built by it) a point inside every unit a rule names is located, through the JSON
API, in that rule's district, which says so with its source and date on its page, in the API, the OGC
collection, the map layers, the coverage export and the list of sources."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict

DATA = Path(__file__).resolve().parents[2] / "data"
COLUMNS = [
    "consulate_code",
    "admin_unit_code",
    "admin_unit_name",
    "sending_country",
    "scope",
    "source",
    "source_title",
    "source_date",
    "secondary_source",
    "note",
]


def shipped_rows() -> list[dict]:
    rows = []
    for path in sorted((DATA / "districts").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == COLUMNS, path.name
            rows += [{**row, "file": path.name} for row in reader]
    return rows


ROWS = shipped_rows()
RULE_IDS = [f"{r['consulate_code']}:{r['admin_unit_code']}" for r in ROWS]
DISTRICTS = sorted({r["consulate_code"] for r in ROWS})


def test_every_shipped_row_names_its_source_and_the_date_it_states():
    with (DATA / "consulates.csv").open(encoding="utf-8") as handle:
        consulates = {row["code"] for row in csv.DictReader(handle)}
    assert len(ROWS) >= 70
    for row in ROWS:
        where = f"{row['file']}: {row['consulate_code']} {row['admin_unit_code']}"
        assert row["source"].startswith("https://"), where
        assert row["source_title"], where
        if row["source_date"] != "undated":
            assert date.fromisoformat(row["source_date"]) <= date.today(), where
        assert row["scope"] in ("district", "units"), where
        assert row["secondary_source"] in ("", "yes"), where
        assert row["consulate_code"] in consulates, where
    # the one secondary source the research found, marked
    assert {r["consulate_code"] for r in ROWS if r["secondary_source"] == "yes"} == {"HN-US-WASHINGTON"}


def _point_in(unit_code: str) -> tuple[float, float]:
    """A point inside the unit: its label point, or its first leaf's for a state or province with children."""
    unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == unit_code))
    if not unit.is_leaf:
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.parent_id == unit.id).order_by(AdminUnit.code))
    return unit.label_lon, unit.label_lat


@pytest.mark.parametrize("row", ROWS, ids=RULE_IDS)
def test_a_point_in_every_unit_of_a_rule_is_located_in_its_official_district(app, client, row):
    with app.app_context():
        lon, lat = _point_in(row["admin_unit_code"])
    body = client.get("/api/v1/locate", query_string={"lon": lon, "lat": lat}).get_json()
    found = {d["code"]: d for d in body["districts"] if d["sending_country"] == row["sending_country"]}
    assert list(found) == [row["consulate_code"]], (row["admin_unit_code"], list(found))
    provenance = found[row["consulate_code"]]["provenance"]
    assert provenance["kind"] in ("official", "mixed")
    cited = {s["source"]: s for s in provenance["sources"]}
    assert row["source"] in cited
    assert cited[row["source"]]["date"] == (None if row["source_date"] == "undated" else row["source_date"])
    assert cited[row["source"]]["secondary"] is (row["secondary_source"] == "yes")


@pytest.mark.parametrize("code", DISTRICTS)
def test_the_district_page_shows_its_sources_and_their_dates(client, code):
    page = client.get(f"/districts/{code}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for row in (r for r in ROWS if r["consulate_code"] == code):
        assert str(escape(row["source_title"])) in html
        assert f'href="{row["source"]}"' in html
        if row["source_date"] == "undated":
            assert "the source states no date" in html
        else:
            assert f"as of {row['source_date']}" in html
        if row["note"]:
            assert str(escape(row["note"])) in html
    assert 'href="/districts/sources"' in html
    complete = all(r["scope"] == "district" for r in ROWS if r["consulate_code"] == code)
    assert ("Official consular district." if complete else "Partly official consular district.") in html


def test_a_district_of_the_default_says_approximate_nearest_consulate(client):
    html = client.get("/districts/MX-US-LOS-ANGELES?lang=en").get_data(as_text=True)
    assert "Approximate district." in html and "Provenance: approximate: nearest consulate." in html


def test_a_mixed_district_says_how_many_of_its_units_are_official(app, client):
    with app.app_context():
        chicago = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == "MX-US-CHICAGO"))
        kind, official, total = chicago.provenance, chicago.official_units, chicago.unit_count
    assert kind == "mixed" and official == 102 < total  # every Illinois county, and more
    html = client.get("/districts/MX-US-CHICAGO?lang=en").get_data(as_text=True)
    assert f"official for {official} of {total} units" in html
    assert "the other units approximate: nearest consulate" in html
    listing = client.get("/districts?sending=MX&lang=en").get_data(as_text=True)
    assert f"official for {official} of {total} units" in listing


def test_the_list_of_sources(client):
    page = client.get("/districts/sources?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for row in ROWS:
        assert f'href="{row["source"]}"' in html
        assert f'href="/districts/{row["consulate_code"]}"' in html
    assert "secondary source" in html and "the source states no date" in html
    assert 'href="/districts/sources"' in client.get("/districts?lang=en").get_data(as_text=True)


def test_the_printed_referral_sheet_keeps_the_provenance(client):
    """The sheet prints the header (print.css hides navigation, map, filters, not the notice) and the
    sources' addresses."""
    html = client.get("/districts/MX-US-KANSAS-CITY?lang=en").get_data(as_text=True)
    head = html[html.index('<header class="district-head">') : html.index("</header>", html.index("district-head"))]
    assert "Provenance: official, source Dos Mundos" in head and "as of 2021-11-10" in head
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "print.css").read_text()
    hidden = css.split("{", 1)[0]
    assert "provenance" not in hidden and "notice" not in hidden and "district-head" not in hidden
    assert '.district-sources a[href^="http"]::after' in css


def test_provenance_in_the_json_api_list_and_the_spanish_text(client):
    districts = {d["code"]: d for d in client.get("/api/v1/districts?country=MX").get_json()["districts"]}
    kansas = districts["MX-US-KANSAS-CITY"]["provenance"]
    assert kansas["kind"] == "official" and kansas["official_units"] == kansas["units"] == 220
    assert kansas["text"].startswith("official, source Dos Mundos") and "as of 2021-11-10" in kansas["text"]
    assert districts["MX-US-LOS-ANGELES"]["provenance"] == {
        "kind": "approximate",
        "official_units": 0,
        "units": districts["MX-US-LOS-ANGELES"]["provenance"]["units"],
        "text": "approximate: nearest consulate",
        "sources": [],
    }
    organisations = client.get("/api/v1/districts/MX-US-OXNARD/organisations").get_json()
    assert organisations["district"]["provenance"]["kind"] == "official"


def test_provenance_in_the_ogc_district_collection(client):
    items = client.get("/ogc/collections/districts/items", query_string={"limit": 1000}).get_json()["features"]
    by_code = {f["properties"]["code"]: f["properties"] for f in items}
    nogales = by_code["MX-US-NOGALES"]
    assert (nogales["provenance"], nogales["official_units"], nogales["units"]) == ("official", 1, 1)
    assert nogales["source_date"] == "2018-06-29" and "Border Eco" in nogales["source"]
    assert by_code["MX-US-LOS-ANGELES"]["provenance"] == "approximate"
    assert by_code["MX-US-LOS-ANGELES"]["source_date"] is None
    mixed = client.get(
        "/ogc/collections/districts/items", query_string={"filter": "provenance = 'mixed'", "limit": 1000}
    ).get_json()["features"]
    assert "MX-US-CHICAGO" in {f["properties"]["code"] for f in mixed}
    assert all(f["properties"]["provenance"] == "mixed" for f in mixed)
    dated = client.get(
        "/ogc/collections/districts/items",
        query_string={"filter": "source_date >= DATE('2022-01-01')", "limit": 1000},
    ).get_json()["features"]
    assert {f["properties"]["code"] for f in dated} >= {"MX-US-OXNARD", "MX-US-BOSTON"}
    assert "MX-US-NOGALES" not in {f["properties"]["code"] for f in dated}


def test_provenance_in_the_map_layers(client):
    layer = client.get("/maps/districts.geojson?country=MX&lang=en").get_json()
    by_code = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    oxnard = by_code["MX-US-OXNARD"]
    assert oxnard["provenance"] == "official" and oxnard["provenance_text"].startswith("official, source Santa")
    assert "as of 2023-07-27" in oxnard["provenance_text"]
    assert by_code["MX-US-MIAMI"]["provenance"] == "mixed"
    outline = client.get("/maps/districts/MX-US-MIAMI.geojson?lang=en").get_json()["features"][0]["properties"]
    assert outline["provenance_text"].startswith("official for 5 of ")


def test_provenance_in_the_coverage_export(client):
    text = client.get("/coverage.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    at = header.index("provenance")
    assert header[at : at + 5] == ["provenance", "official_units", "units", "source", "source_date"]
    by_code = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_code["SV-US-SILVER-SPRING"]["provenance"] == "official"
    assert by_code["SV-US-SILVER-SPRING"]["source_date"] == "2017-02-01"
    assert by_code["MX-US-ALBUQUERQUE"]["provenance"] == "mixed"
    assert by_code["MX-US-ALBUQUERQUE"]["official_units"] == "36"
