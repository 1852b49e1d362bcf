"""The district page as a referral sheet on paper and in a message, through the test client: the print
date, each organisation's last verified date, the district's provenance, the live address on
PUBLIC_BASE_URL and its QR code (never the request's Host), the Print button, the PDF link and the
WhatsApp message (its text percent-encoded as a whole, entry names included), all in the page's language."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from babel.dates import format_date
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.organisations.services import create_organisation
from tests.conftest import make_app

HOUSTON = "GT-US-HOUSTON"
CHOSEN = "service=shelter&service=legal_assistance"
PAGE = f"/districts/{HOUSTON}?{CHOSEN}"
PUBLIC = "https://directorio.example.org/cammina"


def qr_path(url: str) -> str:
    """The path data of the QR code of `url` as segno draws it (the page's QR code must hold it)."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=2, svgclass="qr-code")
    return re.search(r' d="([^"]+)"', svg).group(1)


def print_head(text: str) -> str:
    return text.split('<div class="print-head">', 1)[1].split("</div>", 1)[0]


def whatsapp_text(text: str) -> str:
    href = html.unescape(re.search(r'<a href="([^"]+)" class="whatsapp-share"', text).group(1))
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/")
    assert list(parse_qs(parts.query)) == ["text"]  # nothing of the text escaped the parameter
    return parse_qs(parts.query)["text"][0]


@pytest.fixture
def public_app(world_url):
    return make_app(world_url, PUBLIC_BASE_URL=PUBLIC)


def test_the_printed_link_and_qr_code_are_on_the_public_address_never_the_host(public_app):
    response = public_app.test_client().get(PAGE + "&lang=en", headers={"Host": "evil.example"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    live = f"{PUBLIC}/districts/{HOUSTON}?{CHOSEN}&lang=en"
    head = print_head(text)
    assert f'<span class="live-link">{html.escape(live)}</span>' in head
    assert '<svg role="img" aria-label="QR code of the link to this page" viewBox=' in head
    assert qr_path(live) in head  # the QR code holds exactly the public address
    assert "evil.example" not in text
    assert whatsapp_text(text).endswith(f"Directory page: {live}")


def test_without_a_public_address_a_forged_host_gets_the_development_address(client):
    text = client.get(PAGE + "&lang=en", headers={"Host": "evil.example"}).get_data(as_text=True)
    live = f"http://127.0.0.1:5000/districts/{HOUSTON}?{CHOSEN}&lang=en"
    assert qr_path(live) in print_head(text)
    assert "evil.example" not in text


def test_print_date_last_verified_and_provenance(client):
    text = client.get(PAGE + "&lang=en").get_data(as_text=True)
    today = format_date(date.today(), "medium", locale="en")
    assert f'<p class="print-date">Referral sheet printed on {today}.</p>' in print_head(text)
    assert "Provenance: approximate: nearest consulate." in text
    rows = re.findall(r'<tr data-shortlisted="[^"]*">(.*?)</tr>', text, re.S)
    assert rows
    for row in rows:  # each organisation's last verified date (or "never") is on the sheet
        verified = r'<td class="verified-col[^"]*">(<time datetime="\d{4}-\d\d-\d\d">[^<]+</time>|never)</td>'
        assert re.search(verified, row)
    css = client.get("/static/css/print.css").get_data(as_text=True)
    hidden = " ".join(rule.split("{")[0] for rule in css.split("}") if "display: none" in rule)
    for shown in (".verified-col", ".print-head", ".notice", ".referral-table", ".org-card "):
        assert shown.strip() not in hidden.split(","), shown
    for gone in (".site-menu", ".sheet-actions", ".district-map", "form"):
        assert gone in hidden


def test_print_button_pdf_link_and_script_without_inline_code(client):
    text = client.get(PAGE + "&lang=en").get_data(as_text=True)
    assert '<button type="button" class="print-button" data-print hidden>Print</button>' in text
    pdf = f"/districts/{HOUSTON}/sheet.pdf?{CHOSEN}&amp;lang=en".replace("&service", "&amp;service")
    assert f'<a href="{pdf}" class="pdf-link" type="application/pdf">Download PDF</a>' in text
    assert '<script src="/static/js/sheet-tools.js" defer></script>' in text
    assert client.get("/static/js/sheet-tools.js").status_code == 200


def test_the_whatsapp_message_lists_each_organisation_with_its_phone(client):
    text = client.get(PAGE + "&lang=en").get_data(as_text=True)
    message = whatsapp_text(text)
    lines = message.split("\n")
    assert lines[0] == "Consulate General of Guatemala in Houston"
    assert lines[1] == "Organisations offering any of: Shelter, Legal assistance"
    names = re.findall(r'<tr data-shortlisted="[^"]*">\s*<th scope="row"><a href="#org-\d+">([^<]+)</a>', text)
    listed = [line for line in lines if line.startswith("• ")]
    assert [line[2:].split(": +")[0] for line in listed] == [html.unescape(n) for n in names][:10]
    assert all(re.fullmatch(r"• .+: \+[\d ]+", line) for line in listed)


def test_names_in_the_message_stay_inside_its_parameter(fresh_app):
    name = 'Casa "Ñ" & Co <b>#1</b> ?text=hola&phone=1'
    with fresh_app.app_context():
        consulate = db.session.scalar(select(Consulate).where(Consulate.code == HOUSTON))
        create_organisation(
            {
                "name": name,
                "kind": "shelter",
                "country_code": "US",
                "status": "published",
                "locations": [{"lon": consulate.lon, "lat": consulate.lat, "city": "Houston"}],  # the nearest
                "services": [{"category": "shelter"}],
                "phones": [{"number": "+1 713 555 0100", "type": "whatsapp"}],
                "coverage": [{"kind": "admin_unit", "unit": "US-48201"}],  # Harris County
            }
        )
        db.session.commit()
    text = fresh_app.test_client().get(f"/districts/{HOUSTON}?service=shelter&lang=en").get_data(as_text=True)
    assert f"• {name}: +1 713 555 0100" in whatsapp_text(text).split("\n")
    assert "<b>#1</b>" not in text
    # its card's WhatsApp number is a wa.me link and its type is not printed in English code
    card = next(c for c in text.split('<article class="org-card"')[1:] if "Casa &#34;Ñ&#34;" in c)
    assert 'href="https://wa.me/17135550100"' in card


def test_a_spanish_sheet_prints_spanish_lines(client):
    text = client.get(PAGE + "&lang=es").get_data(as_text=True)
    head = print_head(text)
    today = format_date(date.today(), "medium", locale="es")
    assert f"Hoja de referencia impresa el {today}." in head
    assert "Lista actualizada en línea:" in head
    assert 'aria-label="Código QR del enlace a esta página"' in head
    assert ">Imprimir</button>" in text and ">Descargar PDF</a>" in text and ">Compartir por WhatsApp</a>" in text
    assert "Procedencia: aproximada: consulado más cercano." in text
    message = whatsapp_text(text)
    assert "Organizaciones que ofrecen alguno de estos servicios: Albergue, Asesoría jurídica" in message
    assert "Página del directorio: " in message
    for english in ("Referral sheet printed", "Current list online", "Directory page:", "Organisations offering"):
        assert english not in text and english not in message


def test_card_phones_act_and_say_their_type_in_the_page_language(client):
    text = client.get(PAGE + "&lang=es").get_data(as_text=True)
    cards = [c.split("</article>")[0] for c in text.split('<article class="org-card"')[1:]]
    assert cards
    tels = re.findall(r'<a href="(tel:[^"]*)" class="tel-link">', "".join(cards))
    assert tels and all(re.fullmatch(r"tel:\+\d{7,15}(,\d+)?", tel) for tel in tels)
    kinds = set(re.findall(r'<span class="phone-kind">\(([^)]+)\)</span>', "".join(cards)))
    assert kinds <= {"móvil", "mensajes de texto", "fax", "línea de ayuda"}, kinds
    for english in (">voice<", " voice", "(cell)", "(mobile)", "(hotline)"):
        assert english not in "".join(cards)
