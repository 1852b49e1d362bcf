"""Switching language on the public map in a real browser: the legend and the layer control follow
(their labels come from directory_app/maps/assets.py base_config, drawn by static/js/directory-map.js),
and the choice stays for the next page."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from scripts.i18n_catalogs import compile_catalogs
from tests.conftest import make_app

READY = ".folium-map[data-ready='1']"
EXPECTED = {
    "en": ("Organisations per district", "Consular districts", "Organisations"),
    "fr": ("Organisations par circonscription", "Circonscriptions consulaires", "Organisations"),
    "es": ("Organizaciones por distrito", "Distritos consulares", "Organizaciones"),
}


@pytest.fixture(scope="module")
def translated_server(worlds, tmp_path_factory):
    """A server of its own on a copy of the SQLite world, reading the catalogs compiled afresh from
    the committed .po files (the shared live_server reads whatever translations/ holds)."""
    translations = tmp_path_factory.mktemp("translations")
    compile_catalogs(translations)
    target = tmp_path_factory.mktemp("browser-i18n") / "directory.sqlite3"
    with sqlite3.connect(sa.make_url(worlds("sqlite")).database) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    app = make_app(f"sqlite:///{target}", BABEL_TRANSLATION_DIRECTORIES=str(translations))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server-i18n", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()  # its listening socket, else left to the garbage collector (ResourceWarning)
    thread.join(timeout=10)


def map_labels(page) -> tuple[str, list[str]]:
    page.wait_for_selector(READY)
    legend = page.locator(".map-legend summary").first.inner_text()
    layers = [text.strip() for text in page.locator(".leaflet-control-layers label").all_inner_texts()]
    return legend, layers


def test_switching_language_changes_the_map_legend_and_layer_control(
    new_context, translated_server, assert_no_external_requests
):
    page = new_context(base_url=translated_server, locale="en-US").new_page()
    page.goto("/map")
    legend, layers = map_labels(page)
    assert page.get_attribute("html", "lang") == "en"
    assert legend.startswith(EXPECTED["en"][0])
    assert EXPECTED["en"][1] in layers and EXPECTED["en"][2] in layers

    for language, autonym in (("fr", "Français"), ("es", "Español")):
        with page.expect_navigation():
            page.click(f".language-switcher a[hreflang={language}]")
        assert page.get_attribute("html", "lang") == language
        assert page.locator(".language-switcher [aria-current]").inner_text() == autonym
        legend, layers = map_labels(page)
        assert legend.startswith(EXPECTED[language][0]), legend
        assert EXPECTED[language][1] in layers and EXPECTED[language][2] in layers, layers
        assert not any(label in layers for label in EXPECTED["en"][1:] if label not in EXPECTED[language])

    # The choice is remembered: the next page, reached without ?lang=, is still in Spanish although
    # the browser asks for English.
    page.click("header nav a[href='/districts']")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "es"
    page.goto("/map")
    assert map_labels(page)[0].startswith(EXPECTED["es"][0])
    assert_no_external_requests()
