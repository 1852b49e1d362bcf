"""Imports from zipped Shapefile, GeoPackage and Excel; polygons become coverage, huge ones are refused."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from openpyxl import Workbook
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import CoverageKind, Organisation
from tests.transfer.helpers import import_file, preview_file


@pytest.fixture(autouse=True)
def request_context(fresh_ctx):
    with fresh_ctx.test_request_context("/"):
        yield


def _frame(rows: list[dict], geometries: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geometries, crs="EPSG:4326")


def test_zipped_shapefile_of_points(tmp_path):
    frame = _frame(
        [
            {"id": "shp-1", "nombre": "Casa Shape", "tipo": "shelter", "pais": "MX", "servicios": "shelter;food"},
            {"id": "shp-2", "nombre": "Otra Casa", "tipo": "ngo", "pais": "GT", "servicios": "legal_assistance"},
        ],
        [shapely.Point(-92.26, 14.9), shapely.Point(-90.5, 14.6)],
    )
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "casas.shp", driver="ESRI Shapefile", engine="pyogrio")
    with zipfile.ZipFile(tmp_path / "casas.zip", "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    report = import_file(tmp_path / "casas.zip")
    db.session.commit()
    assert report.counts["create"] == 2
    org = db.session.scalar(select(Organisation).where(Organisation.external_id == "shp-1"))
    assert (org.locations[0].lon, org.locations[0].lat) == pytest.approx((-92.26, 14.9))
    assert [s.category_code for s in org.services] == ["shelter", "food"]
    assert preview_file(tmp_path / "casas.zip").counts["unchanged"] == 2


def _ring(n: int, lon: float, lat: float) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return shapely.Polygon(np.c_[lon + 0.3 * np.cos(angles), lat + 0.3 * np.sin(angles)])


def test_geopackage_polygons_become_coverage_and_huge_or_crossing_ones_are_handled(tmp_path):
    bowtie = shapely.Polygon([(-99.2, 19.3), (-99.0, 19.5), (-99.0, 19.3), (-99.2, 19.5), (-99.2, 19.3)])
    frame = _frame(
        [
            {"external_id": "gp-1", "name": "Cobertura Uno", "kind": "ngo", "country_code": "MX"},
            {"external_id": "gp-2", "name": "Cobertura Enorme", "kind": "ngo", "country_code": "MX"},
            {"external_id": "gp-3", "name": "Cobertura Cruzada", "kind": "ngo", "country_code": "MX"},
        ],
        [_ring(200, -96.7, 17.0), _ring(60_000, -96.7, 17.0), bowtie],
    )
    frame.to_file(tmp_path / "cover.gpkg", driver="GPKG", engine="pyogrio")
    report = preview_file(tmp_path / "cover.gpkg")
    rows = {r.row: r for r in report.rows}
    assert rows[1].action == "create" and rows[3].action == "create"
    assert (
        rows[2].action == "reject" and rows[2].field == "coverage[0].geometry" and "60,001 vertices" in rows[2].reason
    )
    frame.drop(index=1).to_file(tmp_path / "ok.gpkg", driver="GPKG", engine="pyogrio")
    import_file(tmp_path / "ok.gpkg")
    db.session.commit()
    crossing = db.session.scalar(select(Organisation).where(Organisation.external_id == "gp-3"))
    assert crossing.coverage_parts[0].kind is CoverageKind.POLYGON
    assert "repaired" in crossing.coverage_parts[0].label
    assert crossing.coverage_area_km2 > 0


def test_excel_with_a_bad_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Código", "Nombre", "Tipo", "País", "Correo"])
    sheet.append(["xl-1", "Casa Excel", "ngo", "HN", "info@example.org"])
    sheet.append(["xl-2", "Casa Mala", "ngo", "HN", "not-an-email"])
    workbook.save(tmp_path / "list.xlsx")
    report = preview_file(tmp_path / "list.xlsx")
    assert [(r.row, r.action, r.field) for r in report.rows] == [(2, "create", ""), (3, "reject", "email")]
