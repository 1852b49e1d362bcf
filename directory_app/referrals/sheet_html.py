"""The two long parts of a district page, the summary table's rows and the organisation cards, as HTML
built here (templates/geography/_referrals.html prints them; the page and its PDF share them).

Why not Jinja loops and macros: a district page lists up to about 80 organisations, each in a row and a
card with its services, phones (contact_links.phone_link), emails and website; as template loops calling
the `contacts` and `phone_links` macros, with a translation looked up per organisation, that markup cost
about 30 ms of a 50 ms page at 10,000 organisations (docs/benchmarks.md, issue 17). Here the page's fixed
words are translated once, an organisation page's address is built once (url_for) and completed with each
uuid, a date is formatted once per page, and each phone's links once per organisation.

Escaping: every text of an entry (names, services, hours, fees, addresses, phones as written, contacts,
emails, websites) goes through markupsafe.escape; the catalog's words are markup, as in a template (Jinja's
`_()` marks them safe and escapes only the values put into them); links are made of digits, ids, uuids and
checked web addresses (referrals.links.safe_website, organisations.contact_links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from directory_app import vocabulary
from directory_app.i18n import format_day, km_formatter
from directory_app.organisations.contact_links import PhoneLink, phone_link, phone_type_label
from directory_app.organisations.display import is_stale
from directory_app.organisations.service_choice import ServiceChoice, short_labels
from directory_app.referrals.links import reader_language, safe_website

_UUID_SLOT = "00000000-0000-0000-0000-000000000000"


_SPECIAL = re.compile("[&<>\"']")  # what markupsafe.escape replaces


def _e(value) -> str:
    """A value escaped for HTML, as a plain str: adding a str to a Markup would escape the str again.
    A plain str with nothing to escape (most names and numbers) is itself: markupsafe.escape would
    return it unchanged, at the cost of a Markup made and unmade."""
    if type(value) is str and not _SPECIAL.search(value):
        return value
    return str(escape(value))


def _word(translated: str) -> str:
    """A fixed word of the page, translated by `gettext("...")` where it is named (so that the catalog
    extraction finds it), as a template's `_()` gives it (the catalog's text is markup; a template would
    escape the values put into it, and these words take none)."""
    return str(Markup(translated) % {})  # nosec B704: a catalog's text, not an entry's


@dataclass(frozen=True)
class SheetHtml:
    """The summary table's rows (`rows`, the inside of its tbody) and the organisation cards (`cards`)."""

    rows: Markup
    cards: Markup


class _Page:
    """What every row and card of one page share: its words, labels, today and the link pattern."""

    def __init__(self, choice: ServiceChoice):
        lang = reader_language()
        self.choice = choice
        self.today = date.today()
        self.short = {code: _e(label) for code, label in short_labels().items()}
        self.category_names = {t.code: getattr(t, lang).lower() for t in vocabulary.SERVICE_CATEGORIES}
        self.verified = _word(gettext("Last verified"))
        self.never = _word(gettext("never"))
        self.no_site = _word(gettext("no site"))
        self.hours = _word(gettext("Hours"))
        self.fees = _word(gettext("Fees"))
        self.address = _word(gettext("Address"))
        self.withheld = _word(gettext("exact location withheld at the organisation's request"))
        self.phone = _word(gettext("Phone"))
        self.email = _word(gettext("Email"))
        self.website = _word(gettext("Website"))
        self.ext = _word(gettext("ext."))
        self.whatsapp = _word(gettext("WhatsApp"))
        self.whatsapp_to = Markup(gettext("WhatsApp message to %(number)s"))  # nosec B704: the catalog's text
        self.lang = lang
        self.km = km_formatter()
        self.kinds: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        try:
            self.org_url = url_for("organisations.organisation_page", organisation_uuid=_UUID_SLOT)
        except BuildError:  # an app without the organisations blueprint: names without links
            self.org_url = None

    def e(self, text: str) -> str:
        """_e of a text that many organisations share (hours, fees, service names, towns), once a page."""
        escaped = self.texts.get(text)
        if escaped is None:
            escaped = self.texts[text] = _e(text)
        return escaped

    def day(self, day: date) -> str:
        return _day(day, self.lang)

    def kind_label(self, kind: str) -> str:
        if kind not in self.kinds:
            self.kinds[kind] = _e(phone_type_label(kind))
        return self.kinds[kind]

    def phone_html(self, link: PhoneLink) -> str:
        """templates/_contact_links.html's phone_links(link): the tel: link, the extension, and a
        wa.me link for a WhatsApp number or the phone's kind for any other but a voice line."""
        html = f'<span class="contact-actions"><a href="{_e(link.tel)}" class="tel-link">{_e(link.text)}</a>'
        if link.extension:
            html += f" {self.ext} {_e(link.extension)}"
        if link.whatsapp:
            label = str(self.whatsapp_to % {"number": link.text})  # the number escaped by Markup's %
            html += (
                f' <a href="{_e(link.whatsapp)}" class="whatsapp-link" rel="noopener noreferrer" '
                f'aria-label="{label}">{self.whatsapp}</a>'
            )
        elif link.kind != "voice":
            html += f' <span class="phone-kind">({self.kind_label(link.kind)})</span>'
        return html + "</span>"


@lru_cache(maxsize=4096)
def _day(day: date, lang: str) -> str:
    """A day in the reader's language (i18n.format_day), escaped: Babel takes 10-20 us a date, and the
    dates of a sheet come back on every sheet (`lang` is the key: the locale is the reader's language)."""
    return _e(format_day(day))


def sheet_html(sheet) -> SheetHtml:
    """The rows and the cards of a district sheet (referrals.district_referrals.DistrictSheet)."""
    page = _Page(sheet.choice)
    rows, cards = [], []
    for referral in sheet.referrals:
        org = referral.organisation
        phones = {id(p): page.phone_html(_link(p, org.country_code)) for p in org.phones}
        if referral.distance_km is not None:
            distance = _e(page.km(referral.distance_km)) + " km"
        else:
            distance = page.no_site
        verified = page.day(org.last_verified) if org.last_verified else ""
        stale = " stale" if is_stale(org.last_verified, page.today) else ""
        when = (
            f'<time datetime="{org.last_verified.isoformat()}">{verified}</time>' if org.last_verified else page.never
        )
        shortlisted = " ".join(sorted(referral.shortlisted))
        rows.append(_row(page, referral, phones, distance, verified, stale, when, shortlisted))
        cards.append(_card(page, referral, phones, distance, stale, when, shortlisted))
    return SheetHtml(Markup("".join(rows)), Markup("".join(cards)))  # nosec B704: built of escaped parts


def _link(phone, region: str) -> PhoneLink:
    return phone_link(phone.number, phone.extension, phone.type, region)


def _row(page: _Page, referral, phones: dict, distance, verified, stale: str, when, shortlisted: str) -> str:
    org = referral.organisation
    services = ", ".join(page.short.get(code, "") for code in referral.categories)
    phone_cell = "".join(
        phones[id(p)] if i == 0 else f'<span class="more-phones"><br>{phones[id(p)]}</span>'
        for i, p in enumerate(org.summary_phones)
    )
    return (
        f'  <tr data-shortlisted="{shortlisted}">\n'
        f'    <th scope="row"><a href="#org-{org.id}">{_e(org.name)}</a>\n'
        f'      <span class="services-inline">{services}</span>\n'
        f'      <span class="verified-inline{stale}">{page.verified}: {verified or page.never}</span></th>\n'
        f'    <td class="services-col">{services}</td>\n'
        f'    <td class="num">{distance}</td>\n'
        f'    <td class="phone-cell">{phone_cell}</td>\n'
        f'    <td class="verified-col{stale}">{when}</td>\n'
        "  </tr>\n"
    )


def _card(page: _Page, referral, phones: dict, distance, stale: str, when, shortlisted: str) -> str:
    org = referral.organisation
    name = _e(org.name)
    if page.org_url is not None:
        name = f'<a href="{_e(page.org_url.replace(_UUID_SLOT, org.uuid))}">{name}</a>'
    return (
        f'<article class="org-card" id="org-{org.id}" data-shortlisted="{shortlisted}">\n'
        f"  <h3>{name}</h3>\n"
        f'  <p class="card-meta"><span class="distance">{distance}</span>\n'
        f'    · <span class="verified{stale}">{page.verified}: {when}</span></p>\n'
        f'  <ul class="card-services">\n'
        f"  {''.join(_service_group(page, *group) for group in referral.service_groups)}\n"
        "  </ul>\n"
        f"{_contacts(page, org, referral.site, referral.is_exact, phones)}"
        "</article>\n"
    )


def _service_group(page: _Page, lines, schedule: str, schedule_language: str, fees: str) -> str:
    """One line of a card: services with the same hours and fees ("Shelter, Food · Hours: 24 h")."""
    codes = [line.category_code for line in lines]
    other = ' class="other-services"' if page.choice and not any(c in page.choice.codes for c in codes) else ""
    names = []
    for line in lines:
        name = f"<strong>{page.short.get(line.category_code, '')}</strong>"
        if line.name and line.name.lower() != page.category_names.get(line.category_code, ""):
            name += f'<span class="service-name"> ({page.e(line.name)})</span>'
        names.append(name)
    html = f'<li data-codes="{page.e(" ".join(codes))}"{other}>' + ", ".join(names)
    if schedule:
        html += f' · {page.hours}: <span lang="{page.e(schedule_language)}">{page.e(schedule)}</span>'
    if fees:
        html += f" · {page.fees}: {page.e(fees)}"
    return html + "</li>"


def _contacts(page: _Page, org, site, is_exact: bool, phones: dict) -> str:
    """Contacts in full: the address when the reader may see it (else the town, said to be approximate),
    phones with their people and notes, emails, the website (http and https only)."""
    parts = ['<dl class="contacts">\n']
    if site:
        where = f"{_e(site.address)}, " if is_exact and site.address else ""
        where += page.e(site.city) + (f", {page.e(site.region)}" if site.region else "")
        withheld = "" if is_exact else f' <span class="muted">({page.withheld})</span>'
        parts.append(f"  <dt>{page.address}</dt>\n  <dd>{where}{withheld}</dd>\n")
    if org.phones:
        parts.append(f'  <dt>{page.phone}</dt>\n  <dd><ul class="plain">\n')
        for p in org.phones:
            note = ""
            if p.contact_name or p.description:
                between = " · " if p.contact_name and p.description else ""
                note = (
                    f' <span class="muted phone-note">{_e(p.contact_name or "")}{between}{page.e(p.description)}</span>'
                )
            parts.append(f"    <li>{phones[id(p)]}{note}</li>\n")
        parts.append("  </ul></dd>\n")
    if org.email or org.contacts:
        parts.append(f'  <dt>{page.email}</dt>\n  <dd><ul class="plain">\n')
        if org.email:
            email = _e(org.email)
            parts.append(f'    <li><a href="mailto:{email}">{email}</a></li>\n')
        for contact in org.contacts:
            person = _e(contact.name) + (f" ({page.e(contact.title)})" if contact.title else "")
            if contact.email:
                email = _e(contact.email)
                person += f': <a href="mailto:{email}">{email}</a>'
            parts.append(f'    <li class="contact-person">{person}</li>\n')
        parts.append("  </ul></dd>\n")
    website = safe_website(org.website)
    if website:
        website = _e(website)
        link = f'<a href="{website}" rel="noopener noreferrer nofollow">{website}</a>'
        parts.append(f"  <dt>{page.website}</dt>\n  <dd>{link}</dd>\n")
    parts.append("</dl>\n")
    return "".join(parts)
