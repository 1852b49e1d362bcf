"""No English on Spanish and French pages: representative pages, rendered as the roles that see them,
show none of the catalog's English msgids whose translation differs (as visible text: tags, scripts
and styles removed; titles, labels and placeholders counted).

A msgid counts when its English words (placeholders aside) are 12 characters or more, so that short
words shared by the languages ("Total", "Service", "Email") and proper names do not count; a
placeholder matches any short text ("proposal %(id)d" is looked for as "proposal 7"). Entry text
(an organisation's name and descriptions, in the language its contact wrote) is not interface text:
it is left out where pages mark it with `lang`."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import CoverageKind, CoveragePart, Organisation, Status
from directory_app.review.models import ChangeProposal
from tests.conftest import login_as
from tests.review.helpers import form_fields, open_form, text

LANGUAGES = ("es", "fr")
MIN_WORDS = 12  # characters of English around the placeholders
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")

PAGES = {
    "public": [
        "/",
        "/statistics",
        "/organisations",
        "/organisations/{uuid}",
        "/districts",
        "/districts/MX-US-HOUSTON",
        "/districts/GT-US-HOUSTON",
        "/districts/sources",
        "/nearest?consulate=GT-US-HOUSTON",
        "/map",
        "/coverage",
        "/contact-points",
        "/login",
        "/password/forgot",
    ],
    "consular": ["/", "/account/password"],
    "country_contact": [
        "/my-entries",
        "/organisations/{uuid}/edit",
        "/organisations/{uuid}/edit/coverage",
        "/review/{proposal}",
        "/account/password",
    ],
    "ts_admin": [
        "/review",
        "/review/{proposal}",
        "/review/stale",
        "/organisations/{uuid}/history",
        "/organisations/{uuid}/history/1/restore",
        "/admin/users",
        "/admin/users/invite",
        "/admin/audit",
    ],
}


def english_msgids(language: str) -> list[tuple[str, re.Pattern]]:
    """(msgid, its pattern) of every message whose translation differs from its English."""
    with open(f"translations/{language}/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po, locale=language)
    found = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not strings or not all(strings) or msgid in strings:
                continue
            literal = _PLACEHOLDER.sub("", msgid)
            if len(literal.strip()) < MIN_WORDS:
                continue
            parts = [re.escape(" ".join(p.split())) for p in _PLACEHOLDER.split(msgid)]
            pattern = r".{1,80}?".join(parts).replace(r"\ ", r"\s+")
            found.append((msgid, re.compile(pattern)))
    return found


class VisibleText(HTMLParser):
    """A page's visible text (and the text of title, aria-label, placeholder, alt and value of
    buttons), without scripts, styles, templates and elements marked with another language."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []  # per open element: skipped
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = bool(self.stack and self.stack[-1]) or tag in self.SKIP
        skipped = skipped or bool(attrs.get("lang")) and not str(attrs["lang"]).startswith(self.language)
        if not skipped:
            for name in ("title", "aria-label", "placeholder", "alt"):
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str, language: str) -> str:
        parser = cls(language)
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def _an_entry(app) -> str:
    """A published Mexican entry with phones and a radius around a site (its edit and coverage pages)."""
    with app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .where(Organisation.phones.any())
            .where(Organisation.coverage_parts.any(CoveragePart.kind == CoverageKind.RADIUS))
            .order_by(Organisation.id)
            .limit(1)
        ).one()


def _propose(app, uuid: str) -> int:
    """The Mexican contact proposes a phone, a service and coverage; the TS edits the entry directly
    once before (a revision to restore). Returns the proposal's id."""
    ts = login_as(app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert ts.post(f"/organisations/{uuid}/edit", data=form | {"email": "info@example.org"}).status_code == 302
    contact = login_as(app.test_client(), "country_contact", "MX")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    blank = max(int(m[1]) for name in form if (m := re.fullmatch(r"services-(\d+)-category", name)))
    form |= {"phones-0-number": "+52 55 5555 0199", f"services-{blank}-category": "shelter", "comment": "Cambios"}
    assert contact.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    page = text(contact.get(f"/organisations/{uuid}/edit/coverage"))
    coverage = form_fields(page, 'class="edit-form coverage-form"')
    radii = {name: "" for name in coverage if re.fullmatch(r"radii-\d+-radius_km", name)}
    units = [*coverage.get("units", []), "unit:MX-TAB"]
    response = contact.post(f"/organisations/{uuid}/edit/coverage", data=coverage | radii | {"units": units})
    assert response.status_code == 302, text(response)[:500]
    with app.app_context():
        return db.session.scalar(select(ChangeProposal.id).order_by(ChangeProposal.id.desc()).limit(1))


@pytest.fixture
def rendered(i18n_fresh_app):
    """{(language, role, path): visible text} of every page of PAGES in Spanish and French."""
    app = i18n_fresh_app
    uuid = _an_entry(app)
    proposal = _propose(app, uuid)
    pages = {}
    for role, paths in PAGES.items():
        client = login_as(app.test_client(), role, "MX" if role == "country_contact" else None)
        for language in LANGUAGES:
            for path in paths:
                url = path.format(uuid=uuid, proposal=proposal)
                response = client.get(f"{url}{'&' if '?' in url else '?'}lang={language}")
                assert response.status_code == 200, (role, url, response.status_code)
                pages[(language, role, url)] = VisibleText.of(text(response), language)
    return pages


def test_no_english_msgid_on_spanish_and_french_pages(rendered):
    found = []
    for language in LANGUAGES:
        msgids = english_msgids(language)
        for (lang, role, url), words in rendered.items():
            if lang != language:
                continue
            for msgid, pattern in msgids:
                hit = pattern.search(words)
                if hit:
                    around = words[max(0, hit.start() - 60) : hit.end() + 60]
                    found.append(f"{language} {role} {url}: {msgid!r} in …{around}…")
    assert not found, "English on translated pages:\n" + "\n".join(sorted(set(found)))


def test_the_check_finds_english():
    """The check itself: an English msgid in a page's text is found, in a title too; text marked
    as another language (an entry written in English) and scripts are not."""
    msgids = dict(english_msgids("es"))
    pattern = msgids["Forgot your password?"]
    assert pattern.search(VisibleText.of('<p><a href="/x">Forgot your   password?</a></p>', "es"))
    assert pattern.search(VisibleText.of('<button title="Forgot your password?">x</button>', "es"))
    assert not pattern.search(VisibleText.of('<p lang="en">Forgot your password?</p>', "es"))
    assert not pattern.search(VisibleText.of("<script>'Forgot your password?'</script>", "es"))


@pytest.mark.parametrize(
    "language,name",
    [
        ("es", "Consulado General de México en Houston"),
        ("en", "Consulate General of Mexico in Houston"),
        ("fr", "Consulat général du Mexique à Houston"),
    ],
)
def test_consulates_are_named_in_the_readers_language(i18n_client, language, name):
    """Consulates have Spanish and English names; a French page says the English name's parts in French
    (geography.consulate_names)."""
    page = text(i18n_client.get(f"/districts/MX-US-HOUSTON?lang={language}"))
    assert name in VisibleText.of(page, language)


def test_every_shipped_consulate_name_is_said_in_french(i18n_app, data_dir):
    """Every consulate of data/consulates.csv has an English name of the shape geography.consulate_names
    says in French, so no French page shows a consulate's English name."""
    import csv

    from flask_babel import force_locale

    from directory_app.geography.consulate_names import consulate_name

    with open(data_dir / "consulates.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with i18n_app.test_request_context(), force_locale("fr"):
        english = [
            row["name_en"] for row in rows if consulate_name(row["name_es"], row["name_en"], "fr") == row["name_en"]
        ]
    assert rows and not english
