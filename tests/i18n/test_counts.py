"""Counts in sentences follow the count (ngettext: "1 district", "2 districts") and show it with the
locale's digit grouping ("1,234", "1.234", "1 234"), in pages, import reports and commands.

The new plural msgids may not be in the catalogs yet: the assertions on Spanish and French pages
look at the grouped number, not at the words around it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import render_template

GROUPED = {"en": "1,234", "es": "1.234", "fr": "1\u202f234"}


def _render(app, lang: str, template: str, **context) -> str:
    with app.test_request_context(f"/?lang={lang}"):
        return render_template(template, **context)


def _status(html: str) -> str:
    """The text of the page's import-counts paragraph, on one line."""
    found = re.search(r'<p class="import-counts" role="status">(.*?)</p>', html, re.S)
    assert found, html
    return re.sub(r"[ \n]+", " ", found.group(1)).strip()  # not str.split: it eats the narrow no-break space


def _counts(create=0, update=0, unchanged=0, reject=0) -> dict:
    return {"create": create, "update": update, "unchanged": unchanged, "reject": reject}


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_import_preview_counts_are_grouped(i18n_app, lang):
    report = SimpleNamespace(counts=_counts(1234, 1, 0, 2), rejected=[], rows=[])
    note = SimpleNamespace(name="casas.csv", format="csv")
    status = _status(_render(i18n_app, lang, "transfer/preview.html", token="t", note=note, report=report))
    assert status.startswith(GROUPED[lang] + " ")
    if lang == "en":
        assert status == "1,234 to create, 1 to update, 0 unchanged, 2 rejected."


def test_import_done_counts_singular_and_plural(i18n_app):
    note = SimpleNamespace(name="casas.csv")
    report = SimpleNamespace(counts=_counts(1, 1234, 2))
    sent = _status(_render(i18n_app, "en", "transfer/done.html", report=report, note=note, proposed=True))
    assert sent == (
        "casas.csv: 1 new organisation and 1,234 changed organisations sent to the Technical Secretariat"
        " for review; 2 unchanged."
    )
    done = _status(_render(i18n_app, "en", "transfer/done.html", report=report, note=note, proposed=False))
    assert done == "casas.csv: 1 created, 1,234 updated, 2 unchanged."
    french = _status(_render(i18n_app, "fr", "transfer/done.html", report=report, note=note, proposed=False))
    assert GROUPED["fr"] in french and "1234" not in french


def test_districts_import_counts(i18n_app):
    report = SimpleNamespace(
        districts=1,
        units=1234,
        unchanged=0,
        warnings=[],
        changes=[],
        count=lambda action: {"create": 1, "update": 0, "remove": 2}[action],
    )
    note = SimpleNamespace(name="oficiales.csv")
    context = {"token": "t", "note": note, "report": report, "done": False}
    html = _render(i18n_app, "en", "transfer/districts_preview.html", **context)
    assert _status(html) == (
        "oficiales.csv defines 1 district with 1,234 admin units: 1 new district, 0 changed districts,"
        " 0 unchanged districts, 2 approximate districts emptied."
    )
    spanish = _render(i18n_app, "es", "transfer/districts_preview.html", **context)
    assert GROUPED["es"] in _status(spanish)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_ogc_items_page_counts(i18n_app, lang):
    info = SimpleNamespace(title="Organisations", id="organisations", properties=[])
    document = {"features": [], "numberReturned": 10, "numberMatched": 1234, "links": []}
    html = _render(
        i18n_app, lang, "ogc/items.html", info=info, title="OGC", query=SimpleNamespace(offset=1000), document=document
    )
    assert f"{GROUPED[lang]} " in html and "1234" not in html
    if lang == "en":
        assert "<p>1,001 to 1,010 of 1,234 features.</p>" in html


def test_district_pages_say_singular_and_plural(i18n_client):
    listing = i18n_client.get("/districts?lang=en").get_data(as_text=True)
    assert re.search(r"<p>\d[\d,]* districts\.</p>", listing)
    district = i18n_client.get("/districts/MX-US-LOS-ANGELES?lang=en").get_data(as_text=True)
    assert re.search(r"km² · \d[\d,]* administrative units?</dd>", district)
    assert "%(" not in listing and "%(" not in district


def test_public_map_table_count(i18n_client):
    html = i18n_client.get("/map?lang=en").get_data(as_text=True)
    assert re.search(r"<summary>Table of the \d[\d,]* consular districts</summary>", html)


@pytest.mark.parametrize("lang,grouped", [("en_US.UTF-8", "1,234"), ("fr_FR.UTF-8", "1\u202f234")])
def test_rebuild_coverage_says_the_count_in_the_terminal_language(i18n_fresh_app, monkeypatch, lang, grouped):
    import directory_app.organisations.coverage as coverage

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", lang)
    monkeypatch.setattr(coverage, "recompute_coverage", lambda progress=None: 1234)
    with i18n_fresh_app.app_context():
        result = i18n_fresh_app.test_cli_runner().invoke(args=["rebuild-coverage"])
    assert result.exit_code == 0, result.output
    assert grouped in result.output
    if lang.startswith("en"):
        assert "Coverage rebuilt for 1,234 organisations." in result.output
    monkeypatch.setattr(coverage, "recompute_coverage", lambda progress=None: 1)
    with i18n_fresh_app.app_context():
        result = i18n_fresh_app.test_cli_runner().invoke(args=["rebuild-coverage"])
    if lang.startswith("en"):
        assert "Coverage rebuilt for 1 organisation." in result.output
