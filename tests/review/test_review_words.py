"""The review page in words, through the web: a Mexican country contact changes a phone and a
service in the edit form, then the coverage on the coverage page; the Technical Secretariat opens
each proposal and reads every change in words ("Phone: +52 … → +52 …", "Coverage: adds Chiapas and
Tabasco; removes 25 km around Sede …"), never a field path, a code or a coordinate. The history and
the restore preview say the same in words once approved."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import CoverageKind, CoveragePart, Organisation, Status
from directory_app.review.models import ChangeProposal
from tests.review.helpers import any_token, form_fields, open_form, text

RAW = [
    re.compile(r"\b(services|locations|contacts|phones|coverage)\[\d+\]"),  # field paths
    re.compile(r"\b(admin_unit|country_code|radius_km|category|legal_assistance|field-path)\b"),  # codes
    re.compile(r"\b[A-Z]{2}-[A-Z0-9]{2,3}\b"),  # ISO 3166-2 codes (MX-CHP)
    re.compile(r"\[\s*-?\d+\.\d+\s*,\s*-?\d+\.\d+\s*\]"),  # GeoJSON positions
    re.compile(r"\bsite \d+\b"),
]


def visible(html: str) -> str:
    """The page's <main> as a reader sees it: no tags, scripts, styles or JSON data."""
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<span class="visually-hidden">.*?</span>', "", main)  # "Published: " for screen readers
    main = re.sub(r"</?(strong|span|del|ins|em|a|small|code)\b[^>]*>", "", main)  # inline: no space
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def assert_in_words(html: str) -> str:
    words = visible(html)
    for pattern in RAW:
        assert not pattern.search(words), (pattern.pattern, pattern.search(words).group(0), words)
    return words


def an_entry(app) -> tuple[str, str, str]:
    """A published Mexican entry with a phone and a radius around a named site: (uuid, phone, site)."""
    with app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .where(Organisation.phones.any())
            .where(Organisation.coverage_parts.any(CoveragePart.kind == CoverageKind.RADIUS))
            .order_by(Organisation.id)
            .limit(1)
        ).one()
        radius = next(p for p in org.coverage_parts if p.kind == CoverageKind.RADIUS)
        return org.uuid, org.phones[0].number, radius.location.name or radius.location.city


def latest_proposal(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ChangeProposal.id).order_by(ChangeProposal.id.desc()).limit(1))


def test_the_reviewer_reads_every_change_in_words(fresh_app, login_as):
    uuid, old_phone, site = an_entry(fresh_app)
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    ts = login_as(fresh_app.test_client(), "ts_admin")

    form = open_form(contact, f"/organisations/{uuid}/edit?lang=en")
    blank = max(int(m[1]) for name in form if (m := re.fullmatch(r"services-(\d+)-category", name)))
    form |= {
        "phones-0-number": "+52 55 5555 0199",
        f"services-{blank}-category": "legal_assistance",
        f"services-{blank}-name": "Asesoría jurídica en el albergue",
        "comment": "Nuevo teléfono y un servicio",
    }
    assert contact.post(f"/organisations/{uuid}/edit", data=form).status_code == 302
    first = latest_proposal(fresh_app)

    page = text(ts.get(f"/review/{first}?lang=en"))
    words = assert_in_words(page)
    assert f"Phone: {old_phone} → +52 55 5555 0199" in words, words
    assert "Service added: Legal assistance “Asesoría jurídica en el albergue”" in words

    page = contact.get(f"/organisations/{uuid}/edit/coverage?lang=en")
    coverage = form_fields(text(page), 'class="edit-form coverage-form"')
    units = [u for u in coverage.get("units", []) if u not in ("unit:MX-CHP", "unit:MX-TAB")]
    radii = {name: "" for name in coverage if re.fullmatch(r"radii-\d+-radius_km", name)}
    chosen = coverage | radii | {"units": [*units, "unit:MX-CHP", "unit:MX-TAB"], "comment": "Chiapas y Tabasco"}
    response = contact.post(f"/organisations/{uuid}/edit/coverage", data=chosen)
    assert response.status_code == 302 and "/review/" in response.location, text(response)[:2000]
    second = latest_proposal(fresh_app)

    page = text(ts.get(f"/review/{second}?lang=en"))
    words = assert_in_words(page)
    line = re.search(r"Coverage: adds [^;]*; removes [^<]*?(?= Coverage, published| ·|$)", words)
    assert line and "Chiapas and Tabasco" in line.group(0) and f"km around {site}" in line.group(0), words
    # the lists under the map say the same parts, named as the legend names them
    assert "Removed (only in the published entry)" in words and "Added (only in the proposal)" in words
    features = ts.get(f"/review/{second}/coverage.geojson").get_json()["features"]
    changes = {f["properties"]["change"] for f in features}
    assert {"removed", "added"} <= changes
    assert any(f["properties"]["label"] == "Chiapas" for f in features if f["properties"]["change"] == "added")

    # in Spanish: the same change, in Spanish words
    words = assert_in_words(text(ts.get(f"/review/{first}?lang=es")))
    assert f"Teléfono: {old_phone} → +52 55 5555 0199" in words

    # approved, the history and the restore preview say it in words too
    assert ts.post(f"/review/{first}/approve", data={"csrf_token": any_token(ts)}).status_code == 302
    history = text(ts.get(f"/organisations/{uuid}/history?lang=en"))
    assert f"Phone: {old_phone} → +52 55 5555 0199" in assert_in_words(history)
    restore = text(ts.get(f"/organisations/{uuid}/history/1/restore?lang=en"))
    assert f"Phone: +52 55 5555 0199 → {old_phone}" in assert_in_words(restore)
