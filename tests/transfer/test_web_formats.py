"""Every upload format through the real web forms: the upload form (multipart, CSRF), the column
mapping, the preview, "Import now"; the coverage editor's KML and KMZ upload; official districts as
CSV, GeoJSON and GeoPackage. On both backends (fresh_app is a copy of each world)."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from openpyxl import Workbook
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit
from directory_app.organisations.entry_of import exchange_snapshot as organisation_snapshot
from directory_app.organisations.models import CoverageKind, Organisation, Status
from directory_app.review.models import Revision
from tests.conftest import login_as
from tests.review.helpers import form_fields, org_uuid
from tests.transfer.test_districts import units_of
from tests.transfer.web_flow import import_now, preview_upload, upload

COUNTRY = "GT"


def country_snapshots(app, country: str = COUNTRY) -> dict[str, dict]:
    """The published organisations of a country as exact data with every id, by organisation id."""
    with app.app_context():
        organisations = db.session.scalars(
            select(Organisation).where(Organisation.country_code == country, Organisation.status == Status.PUBLISHED)
        )
        return {org.uuid: organisation_snapshot(org, ids=True) for org in organisations}


def delete_organisations(app, uuids) -> None:
    with app.app_context():
        for org in db.session.scalars(select(Organisation).where(Organisation.uuid.in_(list(uuids)))):
            db.session.delete(org)
        db.session.commit()


@pytest.mark.parametrize(
    "fmt,suffix", [("csv", "csv"), ("xlsx", "xlsx"), ("geojson", "geojson"), ("gpkg", "gpkg"), ("hsds", "json")]
)
def test_an_export_uploaded_through_the_web_form_comes_back_whole_with_its_ids(fresh_app, fmt, suffix):
    """The app's own export of a country, the country's organisations deleted, the file uploaded through
    the form: the preview creates them all, "Import now" writes them back as they were, ids included."""
    web = login_as(fresh_app.test_client(), "ts_admin")
    exported = web.get(f"/transfer/export?format={fmt}&country={COUNTRY}")
    assert exported.status_code == 200
    before = country_snapshots(fresh_app)
    assert len(before) >= 5
    delete_organisations(fresh_app, before)
    assert country_snapshots(fresh_app) == {}

    preview = preview_upload(web, exported.data, f"cammina-organisations.{suffix}")
    assert preview.counts == {"to create": len(before), "to update": 0, "unchanged": 0, "rejected": 0}
    assert country_snapshots(fresh_app) == {}  # the preview wrote nothing
    done = import_now(web, preview)
    assert f"{len(before)} created" in done
    assert country_snapshots(fresh_app) == before
    with fresh_app.app_context():  # when the source last changed each entry is in its history
        comments = set(
            db.session.scalars(select(Revision.comment).join(Organisation).where(Organisation.uuid.in_(before)))
        )
    assert len(comments) >= 1 and all(
        c.startswith(f"Imported from cammina-organisations.{suffix} (source modified 20") for c in comments
    ), comments

    again = preview_upload(web, exported.data, f"again.{suffix}")
    assert again.counts == {"to create": 0, "to update": 0, "unchanged": len(before), "rejected": 0}
    assert not again.offers_import


def test_an_excel_file_made_by_hand_through_the_web_form(fresh_app):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Código", "Nombre", "Tipo", "País", "Correo", "Latitud", "Longitud", "Servicios"])
    sheet.append(["xl-1", "Casa Excel", "shelter", "HN", "info@example.org", 15.5, -88.03, "shelter;food"])
    sheet.append(["xl-2", "Clínica Excel", "legal_clinic", "HN", "", 14.1, -87.2, "legal_assistance"])
    content = io.BytesIO()
    workbook.save(content)
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, content.getvalue(), "lista de socios.xlsx")
    assert preview.counts == {"to create": 2, "to update": 0, "unchanged": 0, "rejected": 0}
    assert "Casa Excel" in preview.html and "Clínica Excel" in preview.html
    assert "2 created" in import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.external_id == "xl-1"))
        assert (org.name, org.email, org.country_code) == ("Casa Excel", "info@example.org", "HN")
        assert (org.locations[0].lon, org.locations[0].lat) == pytest.approx((-88.03, 15.5))
        assert [s.category_code for s in org.services] == ["shelter", "food"]


def test_a_zipped_shapefile_through_the_web_form(fresh_app, tmp_path):
    frame = gpd.GeoDataFrame(
        [
            {"id": "shp-1", "nombre": "Casa Shape", "tipo": "shelter", "pais": "MX", "servicios": "shelter;food"},
            {"id": "shp-2", "nombre": "Otra Casa", "tipo": "ngo", "pais": "GT", "servicios": "legal_assistance"},
        ],
        geometry=[shapely.Point(-92.26, 14.9), shapely.Point(-90.5, 14.6)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "casas.shp", driver="ESRI Shapefile", engine="pyogrio")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in tmp_path.glob("casas.*"):
            zipped.write(part, part.name)
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, archive.getvalue(), "casas.zip")
    assert preview.counts == {"to create": 2, "to update": 0, "unchanged": 0, "rejected": 0}
    assert "2 created" in import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.external_id == "shp-1"))
        assert (org.locations[0].lon, org.locations[0].lat) == pytest.approx((-92.26, 14.9))
    assert preview_upload(web, archive.getvalue(), "casas.zip").counts["unchanged"] == 2


KML = (
    b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Polygon><outerBoundaryIs>'
    b"<LinearRing><coordinates>-92.3,14.8 -92.1,14.8 -92.1,15.0 -92.3,15.0 -92.3,14.8</coordinates></LinearRing>"
    b"</outerBoundaryIs></Polygon></Placemark></kml>"
)


@pytest.mark.parametrize("filename", ["zona.kml", "zona.kmz"])
def test_kml_and_kmz_coverage_through_the_coverage_form(fresh_app, filename):
    content = KML
    if filename.endswith(".kmz"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as kmz:
            kmz.writestr("doc.kml", KML)
        content = buffer.getvalue()
    uuid = org_uuid(fresh_app, "MX", index=2)
    web = login_as(fresh_app.test_client(), "ts_admin")
    page = web.get(f"/organisations/{uuid}/edit/coverage")
    assert page.status_code == 200
    form = form_fields(page.get_data(as_text=True), 'class="edit-form coverage-form"')
    response = web.post(
        f"/organisations/{uuid}/edit/coverage",
        data=form | {"upload": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        uploaded = [p for p in org.coverage_parts if p.label == f"Uploaded file {filename}"]
        assert [p.kind for p in uploaded] == [CoverageKind.POLYGON]
        assert uploaded[0].geometry.bounds == pytest.approx((-92.3, 14.8, -92.1, 15.0))


def _san_diego_polygons(app) -> gpd.GeoDataFrame:
    with app.app_context():
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "US-06073"))
        geometry = unit.geometry
    return gpd.GeoDataFrame({"consulate_code": ["MX-US-SAN-DIEGO"]}, geometry=[geometry], crs="EPSG:4326")


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_official_districts_through_the_districts_form(fresh_app, tmp_path, fmt):
    if fmt == "csv":
        content, name = b"consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-06073\n", "official.csv"
    else:
        frame = _san_diego_polygons(fresh_app)
        path = tmp_path / f"official.{fmt}"
        frame.to_file(path, driver={"geojson": "GeoJSON", "gpkg": "GPKG"}[fmt], engine="pyogrio")
        content, name = path.read_bytes(), path.name
    web = login_as(fresh_app.test_client(), "ts_admin")
    response = upload(web, content, name, path="/transfer/districts")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = web.get(response.location)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "MX-US-SAN-DIEGO" in html, html[-3000:]
    from tests.transfer.test_views import csrf_token_of

    done = web.post(response.location.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(html)})
    assert done.status_code == 200, done.get_data(as_text=True)[-3000:]
    assert units_of(fresh_app, "MX-US-SAN-DIEGO") == {"US-06073"}


def test_hsds_document_of_another_publisher_through_the_web_form(fresh_app):
    """Mapped field by field; its ids are kept."""
    ids = {
        k: f"0000000{i}-0000-4000-8000-00000000000{i}"
        for i, k in enumerate(("org", "loc", "svc", "contact", "phone"), 1)
    }
    document = [
        {
            "id": ids["org"],
            "name": "Red Externa",
            "description": "Otra publicación",
            "contacts": [{"id": ids["contact"], "name": "Ana"}],
            "phones": [{"id": ids["phone"], "number": "+502 2222 3333"}],
            "locations": [
                {
                    "id": ids["loc"],
                    "location_type": "physical",
                    "latitude": 14.6,
                    "longitude": -90.5,
                    "addresses": [{"address_1": "5a avenida", "city": "Guatemala", "country": "GT"}],
                }
            ],
            "services": [
                {
                    "id": ids["svc"],
                    "name": "Asesoría",
                    "attributes": [{"link_type": "service_category", "value": "legal_assistance"}],
                }
            ],
        }
    ]
    web = login_as(fresh_app.test_client(), "ts_admin")
    preview = preview_upload(web, json.dumps(document).encode(), "externa.json")
    assert preview.counts == {"to create": 1, "to update": 0, "unchanged": 0, "rejected": 0}
    import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == ids["org"]))
        assert (org.kind, org.status, org.country_code) == ("ngo", Status.DRAFT, "GT")
        assert [org.locations[0].uuid, org.services[0].uuid, org.contacts[0].uuid, org.phones[0].uuid] == [
            ids["loc"],
            ids["svc"],
            ids["contact"],
            ids["phone"],
        ]
