"""What a district's referral sheet hands out besides itself: the live page's address, its QR code, the
PDF of the sheet, a text to share on WhatsApp, and the day it was printed.

The live address is built on PUBLIC_BASE_URL (public_links.public_url), never on the request's Host: a
printed sheet and a forwarded message outlive the request, and a forged Host must not put someone
else's server on paper. It keeps the chosen services and the reader's language, so whoever scans the
code or follows the link sees the same list in the same language. The QR code is drawn here (segno, as
inline SVG: nothing is fetched, the page's CSP allows it). The WhatsApp text is plain text made of
entry data (organisation names, phones) and is percent-encoded as a whole into the wa.me URL, so no
character of a name can end the parameter or add another."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import quote

import segno
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from directory_app.i18n import format_day
from directory_app.organisations.contact_links import first_phone
from directory_app.organisations.service_choice import ServiceChoice, choice_summary
from directory_app.public_links import public_url

WHATSAPP_SHARE = "https://wa.me/"
# A shared message lists at most this many organisations (nearest first), then says how many more the
# live page holds: a message is read on a phone, and wa.me links are kept short.
SHARED_ORGANISATIONS = 10


@dataclass(frozen=True)
class SheetLinks:
    """The sheet's links for its page: `live` (absolute, on PUBLIC_BASE_URL), `qr` (inline SVG),
    `pdf` (the PDF of the same sheet, relative), `whatsapp` (a wa.me link with the text) and the
    print day in the reader's locale (`printed`, `printed_iso`)."""

    live: str
    qr: Markup
    pdf: str
    whatsapp: str
    printed: str
    printed_iso: str


def live_url(district_code: str, choice: ServiceChoice, language: str) -> str:
    """The district page with these services, in this language, on the public address."""
    return public_url("referrals.district_page", code=district_code, **choice.url_args(), lang=language)


@lru_cache(maxsize=1024)
def _qr_paths(url: str) -> str:
    """segno's SVG of `url`, kept per address, as a district page with the same services always links to
    the same one: drawing it takes segno 4-6 ms, about a sixth of a district page's first view. Kept in
    this process and, with the page cache in Redis, in Redis for every worker (main.pagecache's
    fragments): an edit changes no address, so the first view after an edit finds it drawn."""
    cache = current_app.extensions.get("page_cache")
    if cache is None or not hasattr(cache, "fragment"):
        return _draw_qr(url)
    return cache.fragment("qr:" + hashlib.sha256(url.encode()).hexdigest(), lambda: _draw_qr(url))


def _draw_qr(url: str) -> str:
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2, svgclass="qr-code")


def qr_svg(url: str, label: str) -> Markup:
    """A QR code of `url` as an inline SVG image (scales with CSS: a viewBox, no fixed size)."""
    svg = _qr_paths(url)
    # segno writes only path data (the URL is encoded as modules, never as text); the label is escaped
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # nosec B704


def whatsapp_text(title: str, choice: ServiceChoice, referrals, link: str) -> str:
    """The message: the district, the services, each organisation (nearest first, at most
    SHARED_ORGANISATIONS) with its first phone, and the live link; in the reader's language."""
    lines = [title, choice_summary(choice)]
    for referral in list(referrals)[:SHARED_ORGANISATIONS]:
        card = referral.organisation
        phone = first_phone(card.phones, card.country_code)
        lines.append(_("• %(name)s: %(phone)s", name=card.name, phone=phone.text) if phone else f"• {card.name}")
    more = len(referrals) - SHARED_ORGANISATIONS
    if more > 0:
        lines.append(
            ngettext("%(num)s more organisation on the page.", "%(num)s more organisations on the page.", more)
        )
    lines.append(_("Directory page: %(url)s", url=link))
    return "\n".join(lines)


def whatsapp_url(text: str) -> str:
    """https://wa.me/?text=<the text, every reserved character percent-encoded>."""
    return f"{WHATSAPP_SHARE}?text={quote(text, safe='')}"


def sheet_links(district, title: str, sheet, language: str, today: date | None = None) -> SheetLinks:
    """Every link of a district's sheet for the services it lists (see SheetLinks)."""
    live = live_url(district.code, sheet.choice, language)
    day = today or date.today()
    return SheetLinks(
        live=live,
        qr=qr_svg(live, _("QR code of the link to this page")),
        pdf=url_for("referrals.district_sheet_pdf", code=district.code, **sheet.choice.url_args(), lang=language),
        whatsapp=whatsapp_url(whatsapp_text(title, sheet.choice, sheet.referrals, live)),
        printed=format_day(day),
        printed_iso=day.isoformat(),
    )
