"""Bad input is answered in the reader's language: a refused coverage file on the coverage page and a
rejected import row on the import preview, through the real forms, signed in, with ?lang=es / ?lang=fr.

Two kinds of test:
- `marked_app`: the committed catalogs, with every geo message and the service messages used here
  translated as "[es] <msgid>" / "[fr] <msgid>". The page must show exactly that: the words come from
  the code's msgid through gettext in the reader's language, and the numbers are written the locale's
  way ("25.001", "25 001"). These pass whatever the catalogs hold.
- `i18n_fresh_app` (tests/i18n/conftest.py): the committed catalogs as they are, so the real Spanish
  and French sentences. These need the catalogs to hold the msgids of geo.messages and of the services.
Also: every geo code through the marked catalog (French numbers), and a command that says a geometry
error in the terminal's language.
"""

from __future__ import annotations

import io
import json
from html import unescape

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from directory_app.geo_messages import geo_text
from geo.coverage_input import MAX_REPAIR_VERTICES
from geo.messages import MESSAGES, placeholders
from geo.validate import GeometryError
from scripts.i18n_catalogs import CATALOG_LANGUAGES, po_path
from tests.conftest import login_as, make_app
from tests.geo.test_coverage_input import wavy_ring
from tests.review.helpers import form_fields, org_uuid, text
from tests.transfer.web_flow import preview_upload

SERVICE_MSGIDS = ("'%(email)s' is not an email address", "field '%(field)s'", "row %(row)s")

POINT_KML = (
    b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Point>'
    b"<coordinates>-92.2,14.9</coordinates></Point></Placemark></kml>"
)
VERTICES = MAX_REPAIR_VERTICES + 5_000
CROSSING = json.dumps({"type": "Polygon", "coordinates": [wavy_ring(VERTICES, crossing=True)]}).encode()

IMPORT_CSV = (
    b"external_id,name,kind,country_code,city,lat,lon,email,service_categories\n"
    b"lang-1,Casa Norte,ngo,MX,Oaxaca,95,-96.72,,food\n"
    b"lang-2,Casa Sur,ngo,MX,Oaxaca,17.06,-96.72,nope,food\n"
)


@pytest.fixture(scope="session")
def marked_translations(tmp_path_factory):
    """The committed catalogs compiled, with the msgids under test translated as "[xx] msgid"."""
    target = tmp_path_factory.mktemp("marked-translations")
    for language in CATALOG_LANGUAGES:
        with po_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for msgid in (*MESSAGES.values(), *SERVICE_MSGIDS):
            marked = f"[{language}] {msgid}"
            if msgid in catalog:  # Catalog.add keeps an existing translation: replace it
                catalog[msgid].string = marked
            else:
                catalog.add(msgid, marked)
        (target / language / "LC_MESSAGES").mkdir(parents=True)
        with (target / language / "LC_MESSAGES" / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
    return target


@pytest.fixture
def marked_app(fresh_app, marked_translations):
    return make_app(
        fresh_app.config["SQLALCHEMY_DATABASE_URI"],
        BABEL_TRANSLATION_DIRECTORIES=str(marked_translations),
        BABEL_DEFAULT_LOCALE="es",
    )


def number(value: int, language: str) -> str:
    return format_decimal(value, locale=language)


def coverage_answers(app, language: str) -> dict[str, str]:
    """Upload each bad file on the coverage page in `language`: {file name: the page's text}."""
    uuid = org_uuid(app)
    web = login_as(app.test_client(), "ts_admin")
    url = f"/organisations/{uuid}/edit/coverage"
    page = web.get(f"{url}?lang={language}")
    assert page.status_code == 200
    form = form_fields(text(page), 'class="edit-form coverage-form"')
    answers = {}
    for data, name in [(POINT_KML, "punto.kml"), (CROSSING, "zona.geojson")]:
        fields = form | {"units": [], "drawn": "", "radii-0-radius_km": "", "upload": (io.BytesIO(data), name)}
        response = web.post(url, data=fields, content_type="multipart/form-data")
        assert response.status_code == 400, name
        answers[name] = unescape(text(response))
    return answers


def import_preview(app, language: str) -> str:
    web = login_as(app.test_client(), "ts_admin")
    assert web.get(f"/transfer/import?lang={language}").status_code == 200  # the session keeps the language
    preview = preview_upload(web, IMPORT_CSV, "casas.csv")
    assert "/commit" not in preview.html  # rows rejected: nothing can be imported
    return unescape(preview.html)


# --- the words come from the code's msgid, through gettext, in the reader's language -------------


@pytest.mark.parametrize(
    "language, wrapper", [("es", "El archivo %s no se puede usar: "), ("fr", "Le fichier %s n'est pas utilisable : ")]
)
def test_a_refused_coverage_file_is_explained_from_its_code_in_the_readers_language(marked_app, language, wrapper):
    answers = coverage_answers(marked_app, language)
    no_polygon = MESSAGES["kml_no_polygon_holds"] % {"kinds": "Point"}
    assert wrapper % "punto.kml" + f"[{language}] {no_polygon}" in answers["punto.kml"]
    crossing = answers["zona.geojson"]
    assert (
        wrapper % "zona.geojson" + f"[{language}] the area is invalid ([{language}] the outline crosses itself at "
        in (crossing)
    )
    limits = f"and has {number(VERTICES + 1, language)} vertices, too many to repair safely (at most "
    assert limits + f"{number(MAX_REPAIR_VERTICES, language)}); fix or simplify it first" in crossing
    assert "the area is invalid (" not in crossing.replace(f"[{language}] the area is invalid (", "")  # no English


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_rejected_import_row_is_explained_in_the_readers_language(marked_app, language):
    html = import_preview(marked_app, language)
    latitude = MESSAGES["latitude_out_of_range"] % {"lat": "95"}
    assert f"[{language}] {latitude}" in html
    assert f"<strong>lat</strong>: [{language}] {latitude}" in html  # which column: the file's own header
    assert f"[{language}] 'nope' is not an email address" in html


# --- the real Spanish and French (needs the catalogs to hold the new msgids) ---------------------


def test_a_refused_coverage_file_in_spanish_and_french(i18n_fresh_app):
    es = coverage_answers(i18n_fresh_app, "es")
    assert (
        "El archivo punto.kml no se puede usar: el KML no tiene ningún polígono (contiene: Point); "
        "un área de cobertura debe ser un polígono"
    ) in es["punto.kml"]
    assert (
        "El archivo zona.geojson no se puede usar: el área no es válida (el contorno se cruza a sí mismo en "
        in (es["zona.geojson"])
    )
    assert "y tiene 25.001 vértices, demasiados para repararla con seguridad (como máximo 20.000)" in es["zona.geojson"]
    fr = coverage_answers(i18n_fresh_app, "fr")
    assert (
        "Le fichier punto.kml n'est pas utilisable : le KML n'a aucun polygone (il contient : Point) ; "
        "une zone de couverture doit être un polygone"
    ) in fr["punto.kml"]
    assert "la zone n'est pas valide (le contour se croise lui-même en " in fr["zona.geojson"]
    assert f"et a {number(25_001, 'fr')} sommets, trop pour la réparer sans risque" in fr["zona.geojson"]


def test_a_rejected_import_row_in_spanish_and_french(i18n_fresh_app):
    es = import_preview(i18n_fresh_app, "es")
    assert "la latitud 95 está fuera de -90..90 (¿se invirtieron la longitud y la latitud?)" in es
    assert "'nope' no es una dirección de correo electrónico" in es
    fr = import_preview(i18n_fresh_app, "fr")
    assert "la latitude 95 est hors de -90..90 (longitude et latitude inversées ?)" in fr
    assert "« nope » n'est pas une adresse électronique" in fr


# --- every code, and the command line --------------------------------------------------------------

SAMPLE = {"vertices": 60_001, "limit": 50_000, "area": 13_000_000, "mb": 5, "number": 2, "count": 3, "parts": 2}


def test_every_geo_code_is_said_through_the_catalog_with_the_locales_numbers(app, marked_translations):
    marked = make_app(app.config["SQLALCHEMY_DATABASE_URI"], BABEL_TRANSLATION_DIRECTORIES=str(marked_translations))
    for code in MESSAGES:
        params = {name: SAMPLE.get(name, f"<{name}>") for name in placeholders(code)}
        with marked.test_request_context("/?lang=fr"):
            said = geo_text(GeometryError(code, **params))
        localised = {name: number(value, "fr") if isinstance(value, int) else value for name, value in params.items()}
        assert said == "[fr] " + MESSAGES[code] % localised, code


def test_a_command_says_a_geometry_error_in_the_terminals_language(marked_app, tmp_path, monkeypatch):
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    districts = tmp_path / "districts.geojson"
    link = {"type": "link", "properties": {"href": "http://127.0.0.1:5099/crs"}}
    districts.write_text(json.dumps({"type": "FeatureCollection", "crs": link, "features": []}))
    result = marked_app.test_cli_runner().invoke(args=["import-districts", str(districts)])
    assert result.exit_code != 0
    reference = MESSAGES["geojson_outside_crs"] % {"reference": "http://127.0.0.1:5099/crs"}
    assert f"[es] {reference}" in result.output
    assert "No se cambió nada." in result.output
