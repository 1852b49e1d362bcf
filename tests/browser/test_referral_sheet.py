"""The district page as a referral tool, in Chromium on a 390x844 phone and a 1366x900 screen: the
summary table before the cards, no sideways scrolling, each organisation's card once with a jump link
from the table, and the service chips filtering the list in place (exactly as the server would list it
for the same address), without JavaScript as a plain GET form. The consular officer's journey: from the
start page to Houston, shelter and legal aid chosen, the print preview on two pages, the WhatsApp link."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader

from tests.referrals.houston_sheet import add_full_houston

DISTRICT = "MX-US-LOS-ANGELES"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def row_ids(page, visible_only: bool = True) -> list[str]:
    rows = page.locator("#referral-table tbody tr")
    ids = []
    for i in range(rows.count()):
        row = rows.nth(i)
        if visible_only and not row.is_visible():
            continue
        ids.append(row.locator("th a").get_attribute("href"))
    return ids


def no_sideways_scroll(page) -> None:
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"the page scrolls sideways: {width} px wide in a {client} px window"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_summary_table_first_each_card_once_no_sideways_scroll(new_context, assert_no_external_requests, viewport):
    page = new_context(viewport=viewport).new_page()
    assert page.goto(f"/districts/{DISTRICT}?lang=en").status == 200
    no_sideways_scroll(page)
    table = page.locator("#referral-table").bounding_box()
    cards = page.locator("article.org-card")
    assert cards.count() > 3
    assert table["y"] < cards.first.bounding_box()["y"]
    assert table["y"] < page.locator("#office-title").bounding_box()["y"]  # before "About this office"
    assert table["y"] < page.locator(".district-map").bounding_box()["y"]
    card_ids = [cards.nth(i).get_attribute("id") for i in range(cards.count())]
    assert len(card_ids) == len(set(card_ids))  # each organisation's card once
    assert row_ids(page) == [f"#{i}" for i in card_ids]  # one row per card, in the same order
    assert_no_external_requests()


def test_a_jump_link_brings_the_card_into_view(new_context):
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"/districts/{DISTRICT}?lang=en")
    link = page.locator("#referral-table tbody tr").nth(2).locator("th a")
    target = link.get_attribute("href")
    link.click()
    assert page.url.endswith(target)
    card = page.locator(target)
    box = card.bounding_box()
    assert 0 <= box["y"] < PHONE["height"]


def test_chips_filter_in_place_as_the_server_would(new_context, assert_no_external_requests):
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"/districts/{DISTRICT}?lang=en")
    everyone = row_ids(page)
    page.locator('label[for="chip-shelter"]').click()
    assert re.search(r"\?lang=en&service=shelter$", page.url)
    assert page.locator(".choice-text").inner_text() == "Organisations offering: Shelter"
    shelter = row_ids(page)
    page.locator('label[for="chip-legal_assistance"]').click()
    assert page.url.endswith("service=shelter&service=legal_assistance")
    assert page.locator(".choice-text").inner_text() == "Organisations offering any of: Shelter, Legal assistance"
    either = row_ids(page)
    assert set(shelter) < set(either) <= set(everyone)
    shown = page.locator(".listed-text").inner_text()
    assert shown.startswith(f"{len(either)} organisations listed")
    visible_cards = [c for c in page.locator("article.org-card").all() if c.is_visible()]
    assert [f"#{c.get_attribute('id')}" for c in visible_cards] == either
    # The same address asked of the server lists the same organisations.
    fresh = new_context(viewport=PHONE).new_page()
    fresh.goto(f"/districts/{DISTRICT}?lang=en&service=shelter&service=legal_assistance")
    assert row_ids(fresh) == either
    # "All of them" needs the server: the status says so, Show asks it.
    page.locator('label[for="chip-match-all"]').click()
    assert page.locator(".choice-text").inner_text() == "Press Show to update the list."
    with page.expect_navigation():
        page.locator(".referral-filter button[type=submit]").click()
    assert "match=all" in page.url
    both = row_ids(page)
    assert set(both) <= set(either)
    assert "Organisations offering all of: Shelter, Legal assistance" in page.locator(".sheet-summary").inner_text()
    no_sideways_scroll(page)
    assert_no_external_requests()


def test_without_javascript_the_chips_are_a_get_form(new_context):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"/districts/{DISTRICT}?lang=en")
    page.locator('label[for="chip-food"]').click()
    page.locator('label[for="chip-shelter"]').click()
    with page.expect_navigation():
        page.locator(".referral-filter button[type=submit]").click()
    assert "service=shelter" in page.url and "service=food" in page.url
    assert page.locator("#chip-shelter").is_checked() and page.locator("#chip-food").is_checked()
    assert "Organisations offering any of: Shelter, Food" in page.locator(".sheet-summary").inner_text()


@pytest.fixture(scope="module")
def full_houston(live_server):
    """Houston's sheet for shelter and legal aid as full as it gets (tests/referrals/houston_sheet.py)."""
    add_full_houston(live_server.app)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_officers_journey_prints_two_pages_and_shares_on_whatsapp(
    full_houston, new_context, assert_no_external_requests, viewport
):
    page = new_context(viewport=viewport).new_page()
    page.goto("/?lang=es")
    page.locator("#finder-q").fill("guatemala houston")
    with page.expect_navigation():
        page.click("form.partner-finder button[type=submit]")
    assert re.search(r"/districts/GT-US-HOUSTON$", page.url)
    page.locator('label[for="chip-shelter"]').click()
    page.locator('label[for="chip-legal_assistance"]').click()
    assert page.url.endswith("/districts/GT-US-HOUSTON?service=shelter&service=legal_assistance")
    listed = row_ids(page)
    assert len(listed) == 20
    # The print and share links follow the list chosen in place (fetched from the server for that address).
    live = "/districts/GT-US-HOUSTON?service=shelter&service=legal_assistance&lang=es"
    page.locator(".print-head .live-link").filter(has_text=live).wait_for(state="attached")
    assert page.locator(".print-head svg.qr-code").count() == 1
    href = page.locator("a.whatsapp-share").get_attribute("href")
    assert href.startswith("https://wa.me/?text=")
    message = parse_qs(urlsplit(href).query)["text"][0]
    first = page.locator(f"#referral-table a[href='{listed[0]}']").inner_text()
    assert f"• {first}: +" in message
    assert message.endswith("/districts/GT-US-HOUSTON?service=shelter&service=legal_assistance&lang=es")
    pdf_link = page.locator("a.pdf-link").get_attribute("href")
    assert pdf_link == "/districts/GT-US-HOUSTON/sheet.pdf?service=shelter&service=legal_assistance&lang=es"

    # The Print button opens the browser's print dialog; its preview is two pages on A4 and on Letter.
    button = page.locator("button.print-button")
    assert button.is_visible()
    page.evaluate("window.print = () => { window.printAsked = true; }")
    button.click()
    assert page.evaluate("window.printAsked") is True
    page.emulate_media(media="print")
    assert not page.locator(".sheet-actions").is_visible() and not page.locator(".district-map").is_visible()
    assert page.locator(".print-head").is_visible()
    for paper in ("A4", "Letter"):
        pages = PdfReader(io.BytesIO(page.pdf(format=paper))).pages
        assert 1 <= len(pages) <= 2, paper
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))
    assert first in text
    assert_no_external_requests()
