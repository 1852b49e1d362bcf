"""Headers in English, Spanish and French (transfer.headers): the table covers every importable field,
claims no header twice, is documented as it is, and a Spanish or French spreadsheet maps itself and
imports through the web form."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation
from directory_app.transfer.exports import COLUMNS
from directory_app.transfer.headers import HEADERS, LANGUAGES, header_for, markdown_table, normalise, synonyms
from directory_app.transfer.mapping import FIELDS, suggest_mapping
from tests.conftest import login_as
from tests.transfer.web_flow import import_now, preview_upload, suggested_mapping, upload

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-headers.md"


def test_every_importable_field_has_headers_in_three_languages():
    assert set(HEADERS) == set(FIELDS)
    for field, entry in HEADERS.items():
        assert entry.en and entry.es and entry.fr, field


def test_no_header_is_claimed_by_two_fields():
    claims: dict[str, set[str]] = {}
    for field in HEADERS:
        for header in synonyms(field):
            claims.setdefault(normalise(header), set()).add(field)
    assert {key: fields for key, fields in claims.items() if len(fields) > 1} == {}


def test_the_documentation_shows_the_table():
    text = DOC.read_text(encoding="utf-8")
    assert markdown_table() in text, "docs/import-headers.md is out of date: regenerate its table"


def test_headers_match_without_accents_case_spaces_or_punctuation():
    columns = ["  NOMBRE_DE_LA_ORGANIZACION ", "pais", "Longitud", "latitud", "Teléfono", "Código postal"]
    assert suggest_mapping(columns) == {
        "  NOMBRE_DE_LA_ORGANIZACION ": "name",
        "pais": "country_code",
        "Longitud": "lon",
        "latitud": "lat",
        "Teléfono": "phone",
        "Código postal": "postal_code",
    }
    assert suggest_mapping(["Nom de l’organisation", "Latitude (WGS 84)", "x"]) == {
        "Nom de l’organisation": "name",
        "Latitude (WGS 84)": "lat",
        "x": "lon",
    }


def test_nothing_ambiguous_is_guessed():
    # two columns for one field: the person chooses
    assert suggest_mapping(["Nombre", "Nom", "Ciudad"]) == {"Ciudad": "city"}
    # ... unless exactly one of them is the field's own name
    assert suggest_mapping(["name", "Nombre"]) == {"name": "name"}
    assert suggest_mapping(["lon", "Longitud", "x"]) == {"lon": "lon"}


def test_exported_columns_and_each_languages_first_header_map_to_themselves():
    assert suggest_mapping(list(COLUMNS)) == {column: column for column in COLUMNS}
    for language in LANGUAGES:
        headers = {header_for(field, language): field for field in HEADERS}
        assert len(headers) == len(HEADERS), language
        assert suggest_mapping(list(headers)) == headers, language


SPANISH = (
    "Nombre de la organización,Tipo,País,Ciudad,Latitud,Longitud,Servicios,Teléfono\n"
    "Casa Ñandú de Acogida,shelter,MX,Oaxaca,17.0654,-96.7236,food;shelter,+52 951 123 4567\n"
)
FRENCH = (
    "Nom de l'organisation;Type;Pays;Ville;Latitude;Longitude;Services;Langues\n"
    "Clinique juridique Éloïse;legal_clinic;MX;Oaxaca;17.07;-96.72;legal_assistance;fr\n"
)


@pytest.mark.parametrize(
    "content, filename, name, services, lat",
    [
        (SPANISH, "lista.csv", "Casa Ñandú de Acogida", {"food", "shelter"}, 17.0654),
        (FRENCH, "liste.csv", "Clinique juridique Éloïse", {"legal_assistance"}, 17.07),
    ],
    ids=["spanish", "french"],
)
def test_a_spanish_or_french_spreadsheet_maps_itself_and_imports(fresh_app, content, filename, name, services, lat):
    web = login_as(fresh_app.test_client(), "ts_admin")
    response = upload(web, content.encode("utf-8"), filename)
    mapping_page = web.get(response.location).get_data(as_text=True)
    chosen = set(suggested_mapping(mapping_page).values())
    assert {"name", "kind", "country_code", "city", "lat", "lon", "service_categories"} <= chosen
    preview = preview_upload(web, content.encode("utf-8"), filename)
    assert preview.counts["to create"] == 1 and preview.counts["rejected"] == 0, preview.html[-3000:]
    import_now(web, preview)
    with fresh_app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        assert org is not None and org.country_code == "MX"
        assert {s.category_code for s in org.services} == services
        assert org.locations[0].city == "Oaxaca" and org.locations[0].lat == pytest.approx(lat)


def test_the_mapping_page_asks_when_two_columns_name_one_field(client_as):
    web = client_as("ts_admin")
    response = upload(web, "Nombre,Organization name,País\nUno,One,MX\n".encode(), "doble.csv")
    chosen = suggested_mapping(web.get(response.location).get_data(as_text=True))
    assert list(chosen.values()) == ["", "", "country_code"]
