"""The coverage editor's form: prefilled from the organisation, each of the four ways read into
create_organisation's coverage parts, bad input answered on its field, and the macro that renders it."""

import io
import json
import re

import pytest
from flask import render_template_string, request
from shapely.geometry import box, mapping
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.coverage_choices import coverage_choices
from directory_app.organisations.coverage_form import MAX_RADII, CoverageEditorForm, initial_data
from directory_app.organisations.models import CoverageKind, DistrictCoverage, Organisation
from directory_app.organisations.services import replace_coverage
from geo.coverage_input import MAX_FILE_BYTES
from tests.conftest import csrf_token_of
from tests.organisations.coverage_editor_page import add_editor_page

BOW_TIE = [[-92.3, 14.8], [-92.0, 15.1], [-92.0, 14.8], [-92.3, 15.1], [-92.3, 14.8]]
SQUARE = box(-92.3, 14.8, -92.0, 15.1)
KML = (
    b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Polygon><outerBoundaryIs>'
    b"<LinearRing><coordinates>-91.6,15.2 -91.4,15.2 -91.4,15.4 -91.6,15.4 -91.6,15.2</coordinates></LinearRing>"
    b"</outerBoundaryIs></Polygon></Placemark></kml>"
)
MACRO = (
    '{% from "edit/_coverage_editor.html" import render_coverage_editor %}'
    '<form method="post" enctype="multipart/form-data">{{ render_coverage_editor(form, organisation) }}</form>'
)


def organisation_with_sites(country: str = "MX") -> Organisation:
    query = select(Organisation).where(Organisation.country_code == country, Organisation.locations.any())
    return db.session.scalars(query.order_by(Organisation.id)).first()


def drawn(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(coordinates, label: str = "") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [coordinates]},
        "properties": {"label": label},
    }


def post_form(app, org, data: dict, *, parts=None) -> CoverageEditorForm:
    """A form as it is on a POST of `data` (multipart, so files may be given as (stream, name))."""
    with app.test_request_context(method="POST", data=data, content_type="multipart/form-data"):
        try:
            form = CoverageEditorForm(org, parts=parts, meta={"csrf": False})
            form.validate()
            form.parts_result = form.parts() if not form.errors else None
            return form
        finally:  # the body Werkzeug built for the test (a temporary file above 500 KB) is the test's to close
            request.input_stream.close()


# --- the list of units and countries ------------------------------------------------------------


def test_choices_start_with_the_organisations_country_and_name_the_state_of_a_county(app):
    with app.test_request_context():
        choices = coverage_choices("GT")
        first_group, first_options = next(iter(choices.items()))
        assert first_options[0][0] == "country:GT"
        assert all(value.startswith(("unit:GT-", "country:GT")) for value, _label in first_options)
        us = next(options for options in choices.values() if options[0][0] == "country:US")
        labels = dict(us)
        assert "(" in labels["unit:US-06037"] and "California" in labels["unit:US-06037"]
        assert labels["unit:US-CA"].startswith("California")
        assert len(choices) == 11


# --- GET: the form shows the coverage as it is --------------------------------------------------


def test_the_form_starts_from_the_organisations_coverage(app):
    with app.test_request_context():
        org = db.session.scalars(select(Organisation).where(Organisation.coverage_parts.any())).first()
        form = CoverageEditorForm(org, meta={"csrf": False})
        expected_units = {
            f"country:{p.country_code}" if p.kind == CoverageKind.COUNTRY else f"unit:{p.admin_unit.code}"
            for p in org.coverage_parts
            if p.kind in (CoverageKind.COUNTRY, CoverageKind.ADMIN_UNIT)
        }
        assert set(form.units.data) == expected_units
        radii = [p for p in org.coverage_parts if p.kind == CoverageKind.RADIUS]
        assert len(form.radii.entries) == min(len(radii) + 1, MAX_RADII)
        assert form.radii.entries[-1].form.radius_km.data is None  # one empty row to add a radius
        polygons = [p for p in org.coverage_parts if p.kind == CoverageKind.POLYGON]
        features = json.loads(form.drawn.data)["features"] if form.drawn.data else []
        assert len(features) == len(polygons)


def test_initial_data_from_snapshot_parts():
    parts = [
        {"kind": "country", "country": "BZ"},
        {"kind": "admin_unit", "unit": "MX-CHP"},
        {"kind": "radius", "location": 1, "radius_km": 25.0},
        {"kind": "polygon", "geometry": mapping(SQUARE), "label": "Zona <norte>"},
    ]
    data = initial_data(parts)
    assert data["units"] == ["country:BZ", "unit:MX-CHP"]
    assert data["radii"] == [{"site": "1", "radius_km": 25.0}]
    properties = json.loads(data["drawn"])["features"][0]["properties"]
    assert properties["label"] == "Zona <norte>" and properties["keep"]


# --- POST: each way read into coverage parts, and saved ------------------------------------------


def test_all_four_ways_give_coverage_parts_that_the_service_saves(fresh_app):
    with fresh_app.app_context():
        org = organisation_with_sites("MX")
        data = {
            "units": ["country:BZ", "unit:MX-CHP", "unit:MX-CHP"],
            "radii-0-site": "0",
            "radii-0-radius_km": "30",
            "radii-1-site": "0",
            "radii-1-radius_km": "",
            "drawn": drawn(feature(BOW_TIE, "Frontera sur")),
            "upload": (io.BytesIO(KML), "zona.kml"),
            "upload_label": "",
        }
        form = post_form(fresh_app, org, data)
        assert form.errors == {}
        parts = form.parts_result
        assert [p["kind"] for p in parts] == ["country", "admin_unit", "radius", "polygon", "polygon"]
        assert parts[2] == {"kind": "radius", "location": 0, "radius_km": 30.0, "label": ""}
        assert parts[3]["label"] == "Frontera sur" and parts[3]["geometry"]["type"] == "MultiPolygon"
        assert parts[4]["label"] == "Uploaded file zona.kml"
        assert any("Drawn area 1" in m and "split into 2 polygons" in m for m in form.messages)
        replace_coverage(org, parts)
        db.session.commit()
        db.session.expire_all()
        org = db.session.get(Organisation, org.id)
        assert sorted(p.kind.value for p in org.coverage_parts) == [
            "admin_unit",
            "country",
            "polygon",
            "polygon",
            "radius",
        ]
        served = db.session.scalars(
            select(ConsularDistrict.code).join(DistrictCoverage).where(DistrictCoverage.organisation_id == org.id)
        ).all()
        assert served  # the districts it serves were recomputed from the new parts


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"units": ["unit:XX-NOPE"]}, "units", "Unknown admin unit or country: unit:XX-NOPE"),
        ({"radii-0-site": "0", "radii-0-radius_km": "5000"}, "radii", "Number must be between"),
        ({"radii-0-site": "0", "radii-0-radius_km": "abc"}, "radii", "Not a valid float value"),
        ({"radii-0-site": "99", "radii-0-radius_km": "10"}, "radii", "Radius 1 has no site"),
        ({"drawn": "not json"}, "drawn", "The areas drawn on the map cannot be used: the GeoJSON cannot be read"),
        ({"drawn": drawn(feature([[-92, 14], [-91, 95], [-91, 14], [-92, 14]]))}, "drawn", "latitude -90..90"),
        ({"upload": (b"\x89PNG\r\n\x1a\n....", "zona.geojson")}, "upload", "is a PNG image"),
        ({"upload": (b"name,lon,lat\nA,1,2\n", "zona.geojson")}, "upload", "looks like a table (CSV)"),
        ({"upload": (b"", "empty.kml")}, "upload", "the file is empty"),
        ({"upload": (b" " * (MAX_FILE_BYTES + 1), "huge.geojson")}, "upload", "larger than 5 MB"),
        (
            {"upload": (json.dumps({"type": "Point", "coordinates": [-92, 15]}).encode(), "p.geojson")},
            "upload",
            "must be a polygon, not a Point",
        ),
    ],
)
def test_bad_input_is_answered_on_its_field(fresh_app, data, field, message):
    # files are given as (bytes, name): a stream is made for each run (a request closes its files)
    data = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    with fresh_app.app_context():
        org = organisation_with_sites("MX")
        form = post_form(fresh_app, org, data)
        assert field in form.errors
        assert message in json.dumps(form.errors[field], ensure_ascii=False), form.errors


def test_nothing_chosen_is_a_form_error(fresh_app):
    with fresh_app.app_context():
        form = post_form(fresh_app, organisation_with_sites("MX"), {"drawn": ""})
        assert set(form.errors) <= {"", None}  # no field error, only the form's own
        assert any("Give at least one area" in e for e in form.form_errors)


# --- the macro ----------------------------------------------------------------------------------


def test_the_editor_renders_the_four_ways_with_the_map_and_escapes_entry_text(app):
    with app.test_request_context():
        org = organisation_with_sites("MX")
        parts = [
            {"kind": "admin_unit", "unit": "MX-CHP"},
            {"kind": "radius", "location": 0, "radius_km": 12.5},
            {"kind": "polygon", "geometry": mapping(SQUARE), "label": '<script>alert("x")</script>'},
        ]
        form = CoverageEditorForm(org, parts=parts, meta={"csrf": False})
        html = render_template_string(MACRO, form=form, organisation=org)
    assert 'id="units-checklist"' in html and 'data-unit-filter="units-checklist"' in html
    second_group = html.index('<details class="unit-country"', html.index('<details class="unit-country"') + 1)
    assert html.index('value="country:MX"') < second_group  # the organisation's country comes first, open
    assert '<details class="unit-country" data-group="Mexico" open>' in html
    assert '<input type="checkbox" name="units" value="unit:MX-CHP" checked> Chiapas' in html
    assert html.count('name="units"') == sum(len(options) for options in form.units.choices.values())
    assert '<li class="unit-state"><details data-group="California">' in html  # counties under their state
    assert 'value="12.5"' in html and 'name="radii-0-radius_km"' in html and 'name="radii-1-radius_km"' in html
    assert 'type="file"' in html and 'name="upload"' in html
    assert "vendor/draw/leaflet.draw.js" in html and "js/directory-map-editor.js" in html
    assert "vendor/draw/leaflet.draw.css" in html and "js/unit-checklist.js" in html
    assert "CamminaMap.start(" in html and '"mode":"editor"' in html
    assert f"/maps/organisations/{org.uuid}/coverage.geojson" in html
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(" in html  # in the list of drawn areas, escaped
    assert "://" not in "".join(part for part in html.split('"') if part.startswith(("http", "//")))


# --- saved polygons travel by reference ---------------------------------------------------------


def two_squares() -> dict:
    return mapping(box(-92.3, 14.8, -92.0, 15.1).union(box(-91.0, 15.0, -90.8, 15.2)))


def big_polygon(vertices: int) -> dict:
    import numpy as np

    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = [[float(-92 + 0.3 * np.cos(a)), float(15 + 0.3 * np.sin(a))] for a in t]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def test_saved_polygons_are_offered_one_by_one_with_a_reference(app):
    parts = [{"kind": "polygon", "geometry": two_squares(), "label": "Dos zonas"}]
    with app.test_request_context():
        form = CoverageEditorForm(organisation_with_sites("MX"), parts=parts, meta={"csrf": False})
    features = json.loads(form.drawn.data)["features"]
    assert [f["geometry"]["type"] for f in features] == ["Polygon", "Polygon"]
    assert all(f["properties"]["label"] == "Dos zonas" and len(f["properties"]["keep"]) == 20 for f in features)


def test_kept_references_give_back_the_saved_part_whole(fresh_app):
    parts = [{"kind": "polygon", "geometry": two_squares(), "label": "Dos zonas"}]
    with fresh_app.app_context():
        org = organisation_with_sites("MX")
        with fresh_app.test_request_context():
            offered = json.loads(CoverageEditorForm(org, parts=parts, meta={"csrf": False}).drawn.data)["features"]
        kept = [
            {"type": "Feature", "geometry": None, "properties": {"label": "Dos zonas", "keep": f["properties"]["keep"]}}
            for f in offered
        ]
        form = post_form(fresh_app, org, {"drawn": drawn(*kept)}, parts=parts)
        assert form.errors == {}
        (part,) = form.parts_result
        assert part["label"] == "Dos zonas" and part["geometry"]["type"] == "MultiPolygon"
        assert shape_area(part["geometry"]) == pytest.approx(shape_area(two_squares()))
        # one of the two deleted, a new one drawn: the kept one stays, the new one comes in full
        form = post_form(fresh_app, org, {"drawn": drawn(kept[0], feature(BOW_TIE, "Nueva"))}, parts=parts)
        assert [p["label"] for p in form.parts_result] == ["Dos zonas", "Nueva"]
        assert form.parts_result[0]["geometry"]["type"] == "Polygon"


def test_a_reference_to_an_area_that_is_no_longer_saved_is_refused_and_the_page_draws_the_rest(fresh_app):
    parts = [{"kind": "polygon", "geometry": mapping(SQUARE), "label": "Zona"}]
    with fresh_app.app_context():
        org = organisation_with_sites("MX")
        with fresh_app.test_request_context():
            (offered,) = json.loads(CoverageEditorForm(org, parts=parts, meta={"csrf": False}).drawn.data)["features"]
        stale = {"type": "Feature", "geometry": None, "properties": {"keep": "0" * 20}}
        form = post_form(fresh_app, org, {"drawn": drawn(stale)}, parts=parts)
        assert "changed since this page was opened" in form.errors["drawn"][0]
        kept = {"type": "Feature", "geometry": None, "properties": offered["properties"]}
        data = {"drawn": drawn(kept), "upload": (io.BytesIO(b"\x89PNG...."), "x.geojson")}
        form = post_form(fresh_app, org, data, parts=parts)
        assert "upload" in form.errors
        # shown again after the error, the kept area has its geometry back so the map can draw it
        (again,) = json.loads(form.drawn.data)["features"]
        assert again["geometry"] == offered["geometry"]


def test_a_large_saved_area_comes_back_as_a_small_reference(fresh_app):
    parts = [{"kind": "polygon", "geometry": big_polygon(30_000), "label": "Subida"}]
    with fresh_app.app_context():
        org = organisation_with_sites("MX")
        with fresh_app.test_request_context():
            (offered,) = json.loads(CoverageEditorForm(org, parts=parts, meta={"csrf": False}).drawn.data)["features"]
        body = drawn({"type": "Feature", "geometry": None, "properties": offered["properties"]})
        assert len(body) < 200 < fresh_app.config["MAX_FORM_MEMORY_SIZE"]
        form = post_form(fresh_app, org, {"drawn": body}, parts=parts)
        assert form.errors == {}
        assert len(form.parts_result[0]["geometry"]["coordinates"][0]) == 30_001


def shape_area(geometry: dict) -> float:
    from shapely.geometry import shape

    return shape(geometry).area


def test_entry_text_in_the_editor_map_cannot_close_the_script(fresh_app):
    poison = "</script><script>window.__xss=1</script>`${1}`"
    with fresh_app.test_request_context():
        org = organisation_with_sites("MX")
        org.name = poison
        org.locations[0].name = poison
        db.session.flush()
        form = CoverageEditorForm(org, meta={"csrf": False})
        html = render_template_string(MACRO, form=form, organisation=org)
    assert "<script>window.__xss" not in html
    scripts = [s for s in re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S) if "CamminaMap.start" in s]
    assert len(scripts) == 1 and "__xss" not in scripts[0]  # the map's script holds no entry text at all
    [config] = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, flags=re.S)
    assert "\\u003c/script\\u003e\\u003cscript\\u003ewindow.__xss=1" in config  # the name, as JSON escapes
    assert "\\u0060\\u0024{1}\\u0060" in config


# --- through a page: the whole request cycle, CSRF included ---------------------------------------


def test_through_a_page_bad_files_get_their_message_and_a_good_one_is_saved(fresh_app):
    add_editor_page(fresh_app)
    client = fresh_app.test_client()
    with fresh_app.app_context():
        organisation_uuid = organisation_with_sites("MX").uuid
    url = f"/test-editor/{organisation_uuid}"
    token = csrf_token_of(client.get(url).get_data(as_text=True))

    def post(data: bytes, name: str, **fields):
        body = {"csrf_token": token, "upload": (io.BytesIO(data), name)} | fields
        return client.post(url, data=body, content_type="multipart/form-data")

    for data, name, message in [
        (b"\x89PNG\r\n\x1a\n....", "zona.geojson", "the file is a PNG image"),
        (b"name,lon,lat\nA,1,2\n", "zona.geojson", "looks like a table (CSV)"),
        (b"", "zona.kml", "the file is empty"),
        (b"<kml><Placemark><Point><coordinates>-92,15</coordinates></Point></Placemark></kml>", "p.kml", "Point"),
        (b'{"type": "Polygon", "coordinates": [[[-92, 14], [-91, 95], [-91, 14], [-92, 14]]]}', "x.json", "-90..90"),
    ]:
        response = post(data, name)
        assert response.status_code == 200, (name, response.status_code)
        assert message in response.get_data(as_text=True), name
    # Flask refuses a form field over MAX_FORM_MEMORY_SIZE (why saved areas travel by reference)
    assert post(b"", "", drawn="x" * 600_000).status_code == 413
    assert post(b" " * (21 * 1024 * 1024), "huge.geojson").status_code == 413  # over MAX_CONTENT_LENGTH

    response = post(KML, "zona.kml", upload_label="Zona <oeste>")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{organisation_uuid}")
    assert client.get(f"/organisations/{organisation_uuid}").status_code == 200
    coverage = json.loads(client.get(f"/maps/organisations/{organisation_uuid}/coverage.geojson").get_data())
    assert [f["properties"]["label"] for f in coverage["features"] if f["properties"]["kind"] == "polygon"] == [
        "Zona <oeste>"
    ]


def test_saving_an_unchanged_coverage_gives_back_the_saved_parts_in_their_order(fresh_app):
    with fresh_app.app_context():
        org = organisation_with_sites("MX")
        replace_coverage(
            org,
            [
                {"kind": "polygon", "geometry": two_squares(), "label": "Dos zonas"},
                {"kind": "radius", "location": 0, "radius_km": 25.0, "label": "Alrededor de la sede"},
                {"kind": "admin_unit", "unit": "MX-CHP", "label": "Chiapas entero"},
                {"kind": "country", "country": "BZ", "label": ""},
            ],
        )
        db.session.commit()
        with fresh_app.test_request_context():
            opened = CoverageEditorForm(org, meta={"csrf": False})
            saved = [dict(p) for p in opened._initial]
            data = {"units": opened.units.data, "drawn": opened.drawn.data}
            for i, entry in enumerate(opened.radii):
                data[f"radii-{i}-site"] = entry.form.site.data or "0"
                data[f"radii-{i}-radius_km"] = (
                    "" if entry.form.radius_km.data is None else str(entry.form.radius_km.data)
                )
        form = post_form(fresh_app, org, data)
        assert form.errors == {}
        assert form.parts_result == saved
        assert [p["kind"] for p in saved] == ["polygon", "radius", "admin_unit", "country"]
