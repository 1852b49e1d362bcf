"""The referral sheet as a PDF (/districts/<code>/sheet.pdf): at most two pages for Houston with shelter
and legal aid listing the most it lists (20 organisations with full entries: tests/referrals/houston_sheet),
on Letter and on A4, with every listed organisation's name and the print date, in the page's language;
its fetcher reads nothing but the app's own static files."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from babel.dates import format_date
from pypdf import PdfReader

from directory_app.referrals.sheet_pdf import static_files_only
from tests.referrals.houston_sheet import add_full_houston

HOUSTON = "GT-US-HOUSTON"
CHOSEN = "service=shelter&service=legal_assistance"


def pdf_text(reader: PdfReader) -> str:
    """The PDF's text with its line breaks and hyphenation undone (names may wrap in a table cell)."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def listed_names(client, lang: str) -> list[str]:
    page = client.get(f"/districts/{HOUSTON}?{CHOSEN}&lang={lang}").get_data(as_text=True)
    names = re.findall(r'<tr data-shortlisted="[^"]*">\s*<th scope="row"><a href="#org-\d+">([^<]+)</a>', page)
    return [html.unescape(name) for name in names]


def test_houston_with_two_services_fits_on_two_pages(fresh_app):
    add_full_houston(fresh_app)
    client = fresh_app.test_client()
    names = listed_names(client, "en")
    assert len(names) == 20
    for paper in ("letter", "a4"):
        check_pdf(client, paper, names)


def check_pdf(client, paper: str, names: list[str]) -> None:
    response = client.get(f"/districts/{HOUSTON}/sheet.pdf?{CHOSEN}&lang=en&paper={paper}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="(sample-data-)?referral-sheet-GT-US-HOUSTON\.pdf"',
        response.headers["Content-Disposition"],
    )
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert 1 <= len(reader.pages) <= 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == ((612, 792) if paper == "letter" else (595, 842))
    text = pdf_text(reader)
    for name in names:
        assert name in text, name
    assert f"Referral sheet printed on {format_date(date.today(), 'medium', locale='en')}." in text
    assert "Provenance: approximate: nearest consulate." in text


def test_the_pdf_is_in_the_page_language_and_links_to_the_public_address(client):
    response = client.get(f"/districts/{HOUSTON}/sheet.pdf?{CHOSEN}&lang=es", headers={"Host": "evil.example"})
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = pdf_text(reader)
    assert "Organizaciones que atienden el distrito" in text
    assert "Procedencia: aproximada: consulado más cercano." in text
    assert "evil.example" not in text
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    ]
    assert links and not [link for link in links if "evil.example" in link]


def test_unknown_district_service_or_paper_is_not_found(client):
    assert client.get("/districts/NOPE/sheet.pdf").status_code == 404
    assert client.get(f"/districts/{HOUSTON}/sheet.pdf?service=nonsense").status_code == 404
    assert client.get(f"/districts/{HOUSTON}/sheet.pdf?paper=a3").status_code == 404


def test_the_fetcher_reads_only_the_apps_static_files(app):
    with app.test_request_context("/"):
        fetcher = static_files_only(app.static_folder, "https://directorio.example.org/", "/static/")
        response = fetcher("https://directorio.example.org/static/css/print.css")
        assert response.content_type == "text/css"
        assert b"@page" in response.read()
        response.close()
        assert fetcher("data:text/css,p%7Bcolor:red%7D").read() == b"p{color:red}"
        for refused in (
            "https://tile.openstreetmap.org/1/0/0.png",  # another host
            "http://directorio.example.org/static/css/print.css",  # another scheme
            "https://directorio.example.org/organisations",  # not a static file
            "https://directorio.example.org/static/../directory_app/config.py",  # out of the folder
            "https://directorio.example.org/static/%2e%2e/directory_app/config.py",
            "https://directorio.example.org/static/css/none.css",
            "file:///etc/passwd",
            "ftp://directorio.example.org/static/css/print.css",
        ):
            with pytest.raises(ValueError):
                fetcher(refused)


def test_pdfs_are_rate_limited_per_client(world_url):
    """A PDF costs a second or more of CPU: one client gets PDF_RATE_LIMIT of them, then 429; the HTML
    page stays open to them."""
    from tests.conftest import make_app

    client = make_app(world_url, PDF_RATE_LIMIT="2/minute").test_client()
    url = "/districts/GT-US-HOUSTON/sheet.pdf?paper=none"  # refused at once (404), and counted all the same
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get("/districts/GT-US-HOUSTON").status_code == 200
