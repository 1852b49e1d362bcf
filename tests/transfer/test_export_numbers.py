"""Exports carry numbers as numbers, read back by the libraries a user's tools use: numeric Excel cells
(openpyxl data_type "n"), JSON numbers in GeoJSON, REAL fields in GeoPackage (pyogrio and SQLite); the
coordinates equal the point of the feature's geometry; text cells that start like a formula stay
neutralised; the CSV says its charset once."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pyogrio
import pytest
from openpyxl import load_workbook

COUNTRY = "GT"


def _export(client, fmt: str):
    response = client.get(f"/transfer/export?format={fmt}&country={COUNTRY}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def _rows_from_csv(client) -> dict[str, dict]:
    text = _export(client, "csv").get_data(as_text=True).lstrip("\ufeff")
    return {row["organisation_id"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def test_csv_content_type_names_the_charset_once(client):
    assert _export(client, "csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    coverage = client.get("/coverage.csv")  # the coverage matrix: counts as plain digits
    assert coverage.status_code == 200 and coverage.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(coverage.get_data(as_text=True).lstrip("\ufeff"), newline="")))
    assert rows and all(row["total"].isdigit() for row in rows)


def test_geojson_properties_are_json_numbers(client):
    features = json.loads(_export(client, "geojson").get_data())["features"]
    located = [f for f in features if f["geometry"]]
    assert located
    for feature in located:
        lon, lat = feature["properties"]["lon"], feature["properties"]["lat"]
        assert type(lon) is float and type(lat) is float, feature["properties"]["organisation_id"]
        assert [lon, lat] == feature["geometry"]["coordinates"]
    assert any(f["properties"]["lon"] < 0 for f in located)  # a negative number, not text starting with '-'
    for feature in features:
        if not feature["geometry"]:
            assert feature["properties"]["lon"] is None and feature["properties"]["lat"] is None


def test_xlsx_coordinates_are_numeric_cells_and_text_stays_text(client):
    sheet = load_workbook(io.BytesIO(_export(client, "xlsx").get_data())).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    csv_rows = _rows_from_csv(client)
    for row in rows:
        cells = dict(zip(header, row))
        expected = csv_rows[cells["organisation_id"].value]
        for column in ("lon", "lat"):
            if expected[column]:
                assert cells[column].data_type == "n", (column, cells[column].value)
                assert cells[column].value == float(expected[column])
            else:
                assert cells[column].value is None
        assert cells["name"].data_type == "s" and cells["organisation_id"].data_type == "s"
        assert cells["hide_exact_location"].value in ("yes", "no")
    assert any(dict(zip(header, row))["lon"].value < 0 for row in rows)


def test_gpkg_coordinates_are_real_fields(client, tmp_path):
    path = tmp_path / "export.gpkg"
    path.write_bytes(_export(client, "gpkg").get_data())
    frame = pyogrio.read_dataframe(path)
    assert str(frame["lon"].dtype) == "float64" and str(frame["lat"].dtype) == "float64"
    assert str(frame["name"].dtype) in ("object", "str", "string")
    located = frame[frame.geometry.notna()]
    assert len(located) > 0
    assert list(located["lon"]) == pytest.approx(list(located.geometry.x))
    assert list(located["lat"]) == pytest.approx(list(located.geometry.y))
    with sqlite3.connect(path) as connection:
        types = {name: kind for _cid, name, kind, *_rest in connection.execute("PRAGMA table_info(organisations)")}
    assert types["lon"] == "REAL" and types["lat"] == "REAL" and types["name"] == "TEXT"


def test_csv_keeps_every_digit_and_neutralises_text_only(client):
    features = json.loads(_export(client, "geojson").get_data())["features"]
    csv_rows = _rows_from_csv(client)
    for feature in features:
        properties = feature["properties"]
        row = csv_rows[properties["organisation_id"]]
        if properties["lon"] is not None:
            assert float(row["lon"]) == properties["lon"] and float(row["lat"]) == properties["lat"]
            assert not row["lon"].startswith("'")
