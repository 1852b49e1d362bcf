"""File readers never reach the network nor the local file system beyond the upload, on the paths people
take: the organisations import (country contact), the coverage upload of the coverage edit page
(country contact) and the official districts upload (TS), on both backends, and the CLI.

Every hostile file points at a listener on 127.0.0.1 (tests/network_listener.py), or at a local file.
For each: the listener hears nothing, the person gets a refusal that names the file and says why, and
no row of any table changes. Files that slip past the checks (written straight into an upload folder)
show the root guard: GDAL itself is kept off the network in the app's process (geo.gdal_offline)."""

from __future__ import annotations

import io
import json
import zipfile

import pyogrio
import pyproj
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.transfer import storage
from geo import gdal_offline
from tests.conftest import TEST_USERS, login_as, make_app, user_key
from tests.network_listener import Listener
from tests.review.helpers import form_fields, org_uuid
from tests.transfer.test_views import csrf_token_of

# A square in Chiapas (Mexico), so a Mexican entry's coverage upload is taken without the "mostly outside
# the country" question
SQUARE = [[[-93.2, 16.6], [-93.0, 16.6], [-93.0, 16.8], [-93.2, 16.8], [-93.2, 16.6]]]
SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
KML_POLYGON = (
    "<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>"
    "-93.2,16.6 -93.0,16.6 -93.0,16.8 -93.2,16.8 -93.2,16.6"
    "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
)
LAUGHS = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def row_counts(app) -> dict[str, int]:
    """The number of rows of every table."""
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


# --- hostile files -------------------------------------------------------------------------------------


def geojson(crs=None, geometry_crs=None) -> bytes:
    geometry = {"type": "Polygon", "coordinates": SQUARE}
    if geometry_crs:
        geometry["crs"] = geometry_crs
    feature = {
        "type": "Feature",
        "properties": {"external_id": "net-1", "name": "Casa Red", "kind": "ngo", "country_code": "MX"},
        "geometry": geometry,
    }
    document = {"type": "FeatureCollection", "features": [feature]}
    if crs:
        document["crs"] = crs
    return json.dumps(document).encode()


def link(href: str) -> dict:
    return {"type": "link", "properties": {"href": href, "type": "proj4"}}


def name(text: str) -> dict:
    return {"type": "name", "properties": {"name": text}}


def district_geojson(crs: dict) -> bytes:
    document = json.loads(geojson(crs))
    document["features"][0]["properties"] = {"consulate_code": "MX-US-SAN-DIEGO"}
    return json.dumps(document).encode()


def workbook(
    shared_strings: bytes | None = None, sheet_prolog: bytes = b"", shared_name: str = "xl/sharedStrings.xml"
) -> bytes:
    """An .xlsx written by openpyxl, with a sharedStrings part (cell B2, at `shared_name`) and/or a
    prolog before the sheet."""
    book = Workbook()
    book.active.append(["external_id", "name", "kind", "country_code"])
    book.active.append(["xl-1", "Casa Red", "ngo", "MX"])
    written = io.BytesIO()
    book.save(written)
    source, result = zipfile.ZipFile(written), io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if shared_strings is not None and entry.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/' + shared_name.encode() + b'" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
                )
            if shared_strings is not None and entry.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    b'sharedStrings" Target="/' + shared_name.encode() + b'" Id="rId9" /></Relationships>',
                )
            if entry.filename == "xl/worksheets/sheet1.xml":
                if shared_strings is not None:
                    data = data.replace(
                        b'<c r="B2" t="inlineStr"><is><t>Casa Red</t></is></c>', b'<c r="B2" t="s"><v>0</v></c>'
                    )
                data = sheet_prolog + data
            archive.writestr(entry.filename, data)
        if shared_strings is not None:
            archive.writestr(shared_name, shared_strings)
    return result.getvalue()


def shared_strings(text: bytes, prolog: bytes = b"", namespaces: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?>' + prolog + b"<sst " + SHEET_NS + namespaces + b' count="1" uniqueCount="1">'
        b"<si><t>" + text + b"</t></si></sst>"
    )


def kml(body: str, prolog: str = "", namespaces: str = "") -> bytes:
    return f'<?xml version="1.0"?>{prolog}<kml xmlns="http://www.opengis.net/kml/2.2"{namespaces}>{body}</kml>'.encode()


def kmz(document: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("doc.kml", document)
    return archive.getvalue()


def organisation_files(url) -> list[tuple[str, bytes, str]]:
    """(file name, content, what the refusal says) for the organisations import."""
    outside = "refers to a coordinate system outside the file"
    entity = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "' + url("xxe").encode() + b'">]>'
    xinclude = b'<xi:include href="' + url("xi").encode() + b'" parse="text"/>'
    return [
        ("crs-link.geojson", geojson(link(url("crs"))), outside),
        ("crs-name-url.geojson", geojson(name(url("crs-name"))), outside),
        ("crs-vsicurl.geojson", geojson(name("/vsicurl/" + url("vsi"))), outside),
        ("crs-file.geojson", geojson(link("file:///etc/passwd")), outside),
        ("geometry-crs.geojson", geojson(geometry_crs=link(url("geometry-crs"))), outside),
        ("entity.xlsx", workbook(shared_strings(b"&xxe;", entity)), "declares XML entities"),
        (
            "local-file.xlsx",
            workbook(sheet_prolog=b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY f SYSTEM "file:///etc/passwd">]>'),
            "declares XML entities",
        ),
        ("laughs.xlsx", workbook(shared_strings(b"&d;", LAUGHS.encode())), "declares XML entities"),
        (
            "odd-part-name.xlsx",
            workbook(shared_strings(b"&xxe;", entity), shared_name="xl/strings.bin"),
            "xl/strings.bin",
        ),
        (
            "xinclude.xlsx",
            workbook(shared_strings(xinclude, namespaces=b' xmlns:xi="http://www.w3.org/2001/XInclude"')),
            "XInclude",
        ),
    ]


def coverage_files(url) -> list[tuple[str, bytes, str]]:
    """(file name, content, what the refusal says) for the coverage upload."""
    network_link = f"<NetworkLink><Link><href>{url('network-link')}</href></Link></NetworkLink>"
    return [
        ("network-link.kml", kml(KML_POLYGON + network_link), "NetworkLink"),
        ("network-link.kmz", kmz(kml(KML_POLYGON + network_link)), "NetworkLink"),
        (
            "entity.kml",
            kml("<name>&e;</name>" + KML_POLYGON, f'<!DOCTYPE kml [<!ENTITY e SYSTEM "{url("e")}">]>'),
            "DTD",
        ),
        (
            "local-file.kml",
            kml("<name>&e;</name>" + KML_POLYGON, '<!DOCTYPE kml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
            "DTD",
        ),
        ("laughs.kml", kml("<name>&d;</name>" + KML_POLYGON, LAUGHS), "DTD"),
        (
            "xinclude.kml",
            kml(
                KML_POLYGON + f'<xi:include href="{url("xi")}"/>',
                namespaces=' xmlns:xi="http://www.w3.org/2001/XInclude"',
            ),
            "XInclude",
        ),
        ("crs-link.geojson", geojson(link(url("crs"))), "outside the file"),
    ]


# --- the organisations import ----------------------------------------------------------------------------


def post_import(web, content: bytes, filename: str):
    token = csrf_token_of(web.get("/transfer/import").get_data(as_text=True))
    return web.post(
        "/transfer/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_organisations_import_refuses_files_that_point_outside_themselves(fresh_app, listener):
    web = login_as(fresh_app.test_client(), "country_contact", "MX")
    before = row_counts(fresh_app)
    for filename, content, reason in organisation_files(listener.url):
        response = post_import(web, content, filename)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, filename
        assert reason in page and filename in page, (filename, page[-2000:])
        assert listener.connections() == [], filename
    assert row_counts(fresh_app) == before
    # the same GeoJSON without its "crs" goes on to the column mapping, read by GDAL, still offline
    accepted = post_import(web, geojson(), "plain.geojson")
    assert accepted.status_code == 302 and web.get(accepted.location).status_code == 200
    assert listener.connections() == []


def test_a_crs_link_that_slips_past_the_checks_is_still_not_fetched(fresh_app, listener):
    """The root guard on its own: GDAL reads a file with a crs link at the mapping and preview steps."""
    web = login_as(fresh_app.test_client(), "country_contact", "MX")
    href = listener.url("slipped-past")
    with fresh_app.test_request_context("/"):
        user_id = db.session.scalar(select(User.id).where(User.email == TEST_USERS[user_key("country_contact")].email))
        token, folder = storage.new_folder()
        (folder / "upload.bin").write_bytes(geojson(link(href)))
        mapping = {"external_id": "external_id", "name": "name", "kind": "kind", "country_code": "country_code"}
        storage.write_note(folder, {"user": user_id, "format": "geojson", "name": "x.geojson", "mapping": mapping})
    before = row_counts(fresh_app)
    assert web.get(f"/transfer/import/{token}/mapping").status_code == 200
    preview = web.get(f"/transfer/import/{token}/preview")
    assert preview.status_code == 200 and "Casa Red" in preview.get_data(as_text=True)
    assert listener.connections() == []
    assert href in gdal_offline.refused_urls()
    assert row_counts(fresh_app) == before


# --- the coverage upload of the coverage edit page ------------------------------------------------------


def test_coverage_upload_refuses_files_that_point_outside_themselves(fresh_app, listener):
    uuid = org_uuid(fresh_app, "MX", index=3)
    web = login_as(fresh_app.test_client(), "country_contact", "MX")
    page = web.get(f"/organisations/{uuid}/edit/coverage")
    assert page.status_code == 200
    form = form_fields(page.get_data(as_text=True), 'class="edit-form coverage-form"')
    before = row_counts(fresh_app)
    for filename, content, reason in coverage_files(listener.url):
        response = web.post(
            f"/organisations/{uuid}/edit/coverage",
            data=form | {"upload": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400, filename
        assert f"The file {filename} cannot be used" in html and reason in html, (filename, html[-3000:])
        assert listener.connections() == [], filename
    assert row_counts(fresh_app) == before
    # the same polygon in plain KML is taken (a proposal for the Technical Secretariat)
    response = web.post(
        f"/organisations/{uuid}/edit/coverage",
        data=form | {"upload": (io.BytesIO(kml(KML_POLYGON)), "plain.kml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


# --- the official districts upload ----------------------------------------------------------------------


def post_districts(web, content: bytes, filename: str):
    token = csrf_token_of(web.get("/transfer/districts").get_data(as_text=True))
    return web.post(
        "/transfer/districts",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_districts_upload_refuses_a_crs_that_points_outside_the_file(fresh_app, listener):
    web = login_as(fresh_app.test_client(), "ts_admin")
    before = row_counts(fresh_app)
    for filename, crs in [
        ("districts-link.geojson", link(listener.url("crs"))),
        ("districts-vsicurl.geojson", name("/vsicurl/" + listener.url("vsi"))),
    ]:
        response = post_districts(web, district_geojson(crs), filename)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and filename in page and "outside the file" in page, filename
        assert listener.connections() == []
    # slipped past the upload check: the districts reader (geo.files.read_vector) refuses it too
    with fresh_app.test_request_context("/"):
        user_id = db.session.scalar(select(User.id).where(User.email == TEST_USERS["ts_admin"].email))
        token, folder = storage.new_folder()
        (folder / "upload.bin").write_bytes(district_geojson(link(listener.url("slipped"))))
        storage.write_note(folder, {"user": user_id, "format": "geojson", "name": "d.geojson", "kind": "districts"})
    preview = web.get(f"/transfer/districts/{token}/preview")
    assert preview.status_code == 400 and "outside the file" in preview.get_data(as_text=True)
    assert listener.connections() == []
    assert row_counts(fresh_app) == before


# --- the CLI ------------------------------------------------------------------------------------------------


def test_cli_imports_refuse_a_crs_link_and_a_vsicurl_path(fresh_app, listener, tmp_path):
    organisations = tmp_path / "organisations.geojson"
    organisations.write_bytes(geojson(link(listener.url("cli-crs"))))
    districts = tmp_path / "districts.geojson"
    districts.write_bytes(district_geojson(link(listener.url("cli-districts"))))
    remote = "/vsicurl/" + listener.url("cli-remote.geojson")
    runner = fresh_app.test_cli_runner()
    before = row_counts(fresh_app)
    for command, path, reason in [
        ("import-organisations", organisations, "outside the file"),
        ("import-districts", districts, "outside the file"),
        ("import-organisations", remote, "not found"),
        ("import-districts", remote, "not found"),
    ]:
        result = runner.invoke(args=[command, str(path)])
        assert result.exit_code != 0, (command, path, result.output)
        assert reason in result.output.lower() and "Nothing was changed" in result.output, result.output
        assert listener.connections() == [], (command, path)
    assert row_counts(fresh_app) == before


# --- the guard at app start -----------------------------------------------------------------------------


def test_create_app_puts_gdal_off_the_network_and_the_check_sees_what_is_missing(world_url):
    gdal_offline._gdal.CPLHTTPSetFetchCallback(gdal_offline._FETCH_CALLBACK(), None)  # another library's doing
    pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_ALLOWED_FILENAME": None})
    try:
        assert "CPL_VSIL_CURL_ALLOWED_FILENAME" in gdal_offline.offline_problem()
        pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_ALLOWED_FILENAME": gdal_offline.NO_NETWORK_FILENAME})
        assert "callback" in gdal_offline.offline_problem()
        pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_ALLOWED_FILENAME": None})
        make_app(world_url)  # puts all of it back, and checks it
        assert gdal_offline.network_forbidden(), gdal_offline.offline_problem()
        assert pyogrio.get_gdal_config_option("CPL_VSIL_CURL_ALLOWED_FILENAME") == gdal_offline.NO_NETWORK_FILENAME
        assert not pyproj.network.is_network_enabled()
    finally:
        gdal_offline.forbid_network()


def test_openpyxl_itself_parses_with_defusedxml(listener):
    """The second layer under transfer/workbook_xml: openpyxl refuses the entity on its own."""
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    plain = load_workbook(io.BytesIO(workbook(shared_strings(b"Casa Red"))), read_only=True)
    assert list(plain.worksheets[0].iter_rows(values_only=True))[1][1] == "Casa Red"
    entity = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "' + listener.url("openpyxl").encode() + b'">]>'
    with pytest.raises(ValueError, match="Unable to read workbook"):
        load_workbook(io.BytesIO(workbook(shared_strings(b"&xxe;", entity))), read_only=True)
    assert listener.connections() == []


def test_a_vsicurl_name_inside_a_shapefile_archive_is_refused(client_as, listener):
    """Where a path could take a /vsicurl/ name (an archive entry, extracted then opened by GDAL)."""
    web = client_as("country_contact", "MX")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("/vsicurl/" + listener.url("x.shp"), b"\x00\x00\x27\x0a" + bytes(96))
    response = post_import(web, archive.getvalue(), "shapes.zip")
    assert response.status_code == 400 and "points outside the archive" in response.get_data(as_text=True)
    assert listener.connections() == []
