"""Template injection: text typed into an entry is data, never template source. An organisation whose
every text field (its own, its sites', services', contacts', phones', coverage areas', its network's,
and an additional field's labels and value) holds a Jinja payload is shown literally on every page
that shows it (public pages and maps, the GeoJSON layers, the coverage editor, the edit form, a
country contact's proposal, history, the conflict page, the import's mapping and preview, the
exports and the APIs), on both backends.

Each text is "zq<n> <payload>". Had any of it been run as a template, a page would show "zq<n> 49"
(`{{7*7}}`), the globals of a Jinja module (`{{ lipsum.__globals__ }}`) or fail with a 500 (a
`{% raw %}` never closed, a quote never closed). The coverage editor used to do exactly that: it
wrote the site names into the script folium renders, which branca runs as a template.

Also: additional-field labels on the import's mapping page are escaped (they used to travel in a
lazy_gettext string, which Jinja takes for markup), and the code keeps the patterns that caused both
out (lazy_gettext with variables; templates that mark text safe or translate a variable)."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jinja2 import Environment, nodes
from markupsafe import escape
from sqlalchemy import select

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.extra_fields.services import define_field, set_values
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import CoverageKind, DistrictCoverage, Organisation, Status
from tests.conftest import TEST_USERS, login_as
from tests.python_source import parse
from tests.review.helpers import open_form, stale_edit, text

PAYLOADS = {
    "expression": "{{7*7}}",
    "raw-block": "{% raw %}x",
    "globals": "{{ lipsum.__globals__ }}",
    "broken-quote": "{{ \"a' }}",
}
# What a payload run as a template would have printed.
EVALUATED = re.compile(r"zq\d+ 49\b|__builtins__|&lt;module |<module |generate_lorem_ipsum|&#39;os&#39;")
JSON_ELEMENT = re.compile(r'<script type="application/json" id="([^"]+)-config">(.*?)</script>', re.S)
ROOT = Path(__file__).resolve().parent.parent
EXTRA_CODE = "zq_notes"
EXTRA = f"extra_{EXTRA_CODE}"  # its form field and export column


@dataclass
class Poisoned:
    app: object
    payload: str
    uuid: str
    external_id: str
    lon: float
    lat: float
    districts: list[str]
    texts: dict[str, str] = field(default_factory=dict)
    counter: list[int] = field(default_factory=lambda: [0])

    def new_text(self, key: str, limit: int | None = None) -> str | None:
        """A new "zq<n> <payload>" text for `key`, or the payload alone, or None when neither fits."""
        self.counter[0] += 1
        text = f"zq{self.counter[0]} {self.payload}"
        if limit is not None and len(text) > limit:
            text = self.payload if len(self.payload) <= limit else None
        if text is not None:
            self.texts[key] = text
        return text


def _poison(target: Poisoned, obj, names: tuple[str, ...], prefix: str) -> None:
    for name in names:
        limit = getattr(obj.__table__.columns[name].type, "length", None)
        value = target.new_text(f"{prefix}.{name}", limit)
        if value is not None:
            setattr(obj, name, value)


@pytest.fixture(params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def payload(request) -> str:
    return request.param


@pytest.fixture
def poisoned(fresh_app, payload) -> Poisoned:
    """A published Mexican organisation with sites, services, contacts, phones, a network and district
    coverage, and an additional text field, every text of which holds `payload`."""
    with fresh_app.app_context():
        org = db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED, Organisation.country_code == "MX")
            .where(Organisation.locations.any(), Organisation.contacts.any(), Organisation.services.any())
            .where(Organisation.phones.any(), Organisation.networks.any())
            .where(Organisation.id.in_(select(DistrictCoverage.organisation_id)))
            .order_by(Organisation.id)
        ).first()
        site = org.locations[0]
        target = Poisoned(
            app=fresh_app,
            payload=payload,
            uuid=org.uuid,
            external_id=org.external_id,
            lon=site.public_lon,
            lat=site.public_lat,
            districts=list(
                db.session.scalars(
                    select(ConsularDistrict.code)
                    .join(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
                    .where(DistrictCoverage.organisation_id == org.id)
                    .order_by(DistrictCoverage.share.desc())
                    .limit(2)
                )
            ),
        )
        _poison(target, org, ("name", "alternate_name", "description"), "org")
        for i, service in enumerate(org.services):
            _poison(target, service, ("name", "description", "eligibility", "fees", "schedule"), f"service{i}")
        for i, location in enumerate(org.locations):
            _poison(target, location, ("name", "address", "city", "region", "postal_code"), f"site{i}")
        for i, contact in enumerate(org.contacts):
            _poison(target, contact, ("name", "title", "department"), f"contact{i}")
        for i, phone in enumerate(org.phones):
            _poison(target, phone, ("description",), f"phone{i}")
        for i, part in enumerate(org.coverage_parts):
            _poison(target, part, ("label",), f"{'polygon' if part.kind == CoverageKind.POLYGON else 'coverage'}{i}")
        for i, network in enumerate(org.networks):
            _poison(target, network, ("name", "description"), f"network{i}")
        admin = db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))
        labels = {f"label_{lang}": target.new_text(f"extra.label_{lang}") for lang in ("es", "en", "fr")}
        define_field(admin, {"code": EXTRA_CODE, "field_type": "text", **labels})
        assert set_values(org, {EXTRA_CODE: target.new_text("extra.value")}) == []
        db.session.commit()
    return target


def _assert_literal(body: str, where: str, status: int, expected: tuple[str, ...] = (), *, html: bool = True) -> None:
    """The page answered `status` (never a 500), nothing of the payload was run, and each expected text
    is there as text (HTML-escaped in an HTML page)."""
    assert status != 500, f"500 on {where}"
    found = EVALUATED.search(body)
    assert found is None, f"a payload was run as a template on {where}: {found.group()!r}"
    for value in expected:
        shown = str(escape(value)) if html else value
        assert shown in body, f"{value!r} not shown literally on {where}"


def _get(client, url: str, where: str, expected: tuple[str, ...] = (), status: int = 200) -> str:
    response = client.get(url)
    body = text(response)
    _assert_literal(body, where, response.status_code, expected)
    assert response.status_code == status, f"{where}: {response.status_code}"
    return body


def test_public_pages_and_map_layers_show_the_text_literally(poisoned):
    t, uuid = poisoned.texts, poisoned.uuid
    name, service = t["org.name"], t["service0.name"]
    public = poisoned.app.test_client()
    consular = login_as(poisoned.app.test_client(), "consular")
    for client in (public, consular):
        _get(client, "/", "home")
        _get(client, "/organisations", "directory")
        _get(client, f"/organisations?network={_network_code(poisoned)}&country=MX", "directory by network", (name,))
        page = _get(client, f"/organisations/{uuid}", "organisation page", (name, service, t["network0.name"]))
        config = _map_config(page)
        assert config["title"].endswith(name)  # "Map of <name>", as data
        _get(client, "/map", "public map")
        _get(client, f"/nearest?lat={poisoned.lat}&lon={poisoned.lon}", "nearest", (name,))
        _get(client, "/coverage", "coverage matrix")
        for code in poisoned.districts:
            _get(client, f"/districts/{code}", f"district {code}", (name,))
    layers = [
        "/maps/organisations.geojson",
        f"/maps/organisations/{uuid}/coverage.geojson",
        *(f"/maps/organisations.geojson?district={code}" for code in poisoned.districts),
    ]
    for url in layers:
        response = public.get(url)
        assert response.status_code == 200, url
        _assert_literal(response.get_data(as_text=True), url, 200)
    points = public.get("/maps/organisations.geojson").get_json()["features"]
    assert name in [f["properties"].get("name") for f in points]
    coverage = public.get(f"/maps/organisations/{uuid}/coverage.geojson").get_json()["features"]
    labels = {f["properties"].get("label") for f in coverage}
    assert {value for key, value in t.items() if key.startswith("polygon")} <= labels


def test_the_coverage_editor_carries_site_names_as_data(poisoned):
    """The page that ran `{{ lipsum.__globals__.os.getpid() }}` from a site's name."""
    t = poisoned.texts
    for role in ("ts_admin", "country_contact"):
        web = login_as(poisoned.app.test_client(), role)
        page = _get(web, f"/organisations/{poisoned.uuid}/edit/coverage", f"coverage editor as {role}")
        config = _map_config(page)
        assert config["mode"] == "editor"
        labels = [site["label"] for site in config["points"]]
        assert labels[0] == f"1. {t['site0.name']}"
        scripts = re.findall(r"<script nonce=[^>]*>(.*?)</script>", page, re.S)
        assert scripts and not any("zq" in script for script in scripts)  # no entry text in any script
        assert config["labels"]["locate"] == "Show my location"


def test_editing_review_history_and_conflict_pages_show_the_text_literally(poisoned):
    t, uuid, payload = poisoned.texts, poisoned.uuid, poisoned.payload
    ts = login_as(poisoned.app.test_client(), "ts_admin")
    shown_in_form = tuple(t[k] for k in ("org.name", "site0.name", "contact0.name", "service0.name", "extra.value"))
    _get(ts, f"/organisations/{uuid}/edit", "edit form", (*shown_in_form, t["extra.label_en"]))
    _get(ts, f"/organisations/{uuid}/edit?lang=es", "edit form in Spanish", (t["extra.label_es"],))
    _get(ts, "/admin/extra-fields", "additional fields", (t["extra.label_en"],))

    # A country contact proposes a change; the Technical Secretariat reviews it.
    contact = login_as(poisoned.app.test_client(), "country_contact", "MX")
    form = open_form(contact, f"/organisations/{uuid}/edit")
    proposed = f"zq901 {payload}"
    response = contact.post(f"/organisations/{uuid}/edit", data=form | {"description": proposed, EXTRA: proposed})
    _assert_literal(text(response), "proposal sent", response.status_code)
    assert response.status_code == 302 and "/review/" in response.location, response.status_code
    proposal = response.location.split("/review/")[1].split("?")[0]
    _get(contact, "/my-entries", "my entries", (t["org.name"],))
    _get(contact, f"/review/{proposal}", "own proposal", (proposed, t["org.description"]))
    _get(ts, "/review", "review queue", (t["org.name"],))
    _get(ts, f"/review/{proposal}?lang=en", "proposal diff", (proposed, t["org.description"], t["extra.label_en"]))
    _get(ts, f"/review/{proposal}?lang=fr", "proposal diff in French", (t["extra.label_fr"], t["extra.value"]))

    # Two sessions save the same entry: the second gets the conflict page.
    theirs, yours = f"zq902 {payload}", f"zq903 {payload}"
    _, _, response = stale_edit(poisoned.app, uuid, {"name": theirs, EXTRA: theirs}, {"name": yours, EXTRA: yours})
    body = text(response)
    _assert_literal(body, "conflict page", response.status_code, (theirs, yours))
    assert response.status_code == 409
    _get(ts, f"/organisations/{uuid}/history", "history", (theirs, t["org.name"]))
    _get(ts, f"/organisations/{uuid}/history?lang=fr", "history in French", (t["extra.label_fr"],))
    _get(ts, "/admin/audit", "audit log")
    _get(ts, "/review/stale", "stale report")


def test_import_mapping_and_preview_show_the_file_text_literally(poisoned):
    payload = poisoned.payload
    label = poisoned.texts["extra.label_en"]
    header = f"zq801 {payload}"
    cells = {key: f"zq{800 + i} {payload}" for i, key in enumerate(("name", "description", "city", "extra"), start=2)}
    rows = [
        ["external_id", "name", "description", "kind", "country_code", "city", "lat", "lon", EXTRA] + [header],
        ["zq-import-1", cells["name"], cells["description"], "ngo", "MX", cells["city"], "17.06", "-96.72"]
        + [cells["extra"], f"zq899 {payload}"],
    ]
    web = login_as(poisoned.app.test_client(), "ts_admin")
    mapping_url = _upload_csv(web, rows)
    mapping = _get(web, mapping_url, "mapping page", (header, cells["name"], f"Additional information: {label}"))
    form = {"csrf_token": csrf_token_of(mapping)}
    form.update({f"column-{i}": name for i, name in enumerate(rows[0][:-1])})
    response = web.post(mapping_url, data=form)
    assert response.status_code == 302, response.status_code
    preview = _get(web, response.location, "import preview", (cells["name"],))
    assert "1 to create" in preview
    done = web.post(response.location.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(preview)})
    _assert_literal(text(done), "import done", done.status_code)
    assert done.status_code == 200 and "1 created" in text(done)
    with poisoned.app.app_context():
        imported = db.session.scalar(select(Organisation).where(Organisation.external_id == "zq-import-1"))
        assert (imported.name, imported.description) == (cells["name"], cells["description"])


def test_exports_and_apis_carry_the_text_unchanged(poisoned):
    t, uuid = poisoned.texts, poisoned.uuid
    client = poisoned.app.test_client()
    response = client.get("/transfer/export?format=csv")
    assert response.status_code == 200
    rows = {row["external_id"]: row for row in csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")))}
    row = rows[poisoned.external_id]
    assert (row["name"], row["description"]) == (t["org.name"], t["org.description"])
    assert row[EXTRA] == t["extra.value"]
    assert json.loads(row["locations_json"])[0]["name"] == t["site0.name"]
    assert t["service0.name"] in [service["name"] for service in json.loads(row["services_json"])]

    geojson = client.get("/transfer/export?format=geojson")
    assert geojson.status_code == 200
    mine = [f for f in json.loads(geojson.get_data())["features"] if f["properties"]["name"] == t["org.name"]]
    assert mine and mine[0]["properties"]["description"] == t["org.description"]

    hsds = client.get("/transfer/export?format=hsds")
    assert hsds.status_code == 200
    assert t["org.name"] in _strings(json.loads(hsds.get_data()))

    for url in (f"/hsds/organizations/{uuid}", f"/api/v1/organisations/{uuid}"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_literal(response.get_data(as_text=True), url, 200)
        document = _strings(response.get_json())
        assert t["org.name"] in document and t["service0.name"] in document, url


def test_additional_field_labels_are_escaped_on_the_mapping_page(fresh_app):
    """They reached the page in a lazy_gettext string, which Jinja takes for markup: only the CSP
    stopped the script."""
    img = "<img src=x onerror=alert(1)>"
    with fresh_app.app_context():
        admin = db.session.scalar(select(User).where(User.email == TEST_USERS["ts_admin"].email))
        define_field(admin, {"code": "zq_img", "field_type": "text", "label_es": img, "label_en": img, "label_fr": img})
        db.session.commit()
    web = login_as(fresh_app.test_client(), "ts_admin")
    mapping_url = _upload_csv(web, [["external_id", "name"], ["zq-1", "Casa"]])
    for lang in ("en", "es", "fr"):
        page = text(web.get(f"{mapping_url}?lang={lang}"))
        assert img not in page, lang
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, lang


# The patterns behind both holes, kept out of the code.


def test_no_lazy_translation_takes_variables():
    """lazy_gettext's strings pass for markup (LazyString has __html__), so Jinja prints them as they
    are: with a variable in them, whatever it holds becomes HTML. Interpolate with gettext (a plain
    str, escaped by Jinja) where the text is used."""
    found = []
    for path in sorted((ROOT / "directory_app").rglob("*.py")):
        tree = parse(path.read_text(encoding="utf-8"))
        lazy = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("flask_babel")
            for alias in node.names
            if alias.name.startswith("lazy_")
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in lazy:
                if node.keywords:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"lazy_gettext with variables: {found}"


def test_templates_never_mark_text_safe_nor_translate_a_variable():
    """`|safe` and `{% autoescape false %}` print text as HTML; `_(variable)` in a template returns
    Markup of whatever the variable holds (Jinja's gettext marks its result safe)."""
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        found += [f"{where}:{f.lineno} |safe" for f in tree.find_all(nodes.Filter) if f.name == "safe"]
        found += [f"{where}:{m.lineno} autoescape" for m in tree.find_all(nodes.ScopedEvalContextModifier)]
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in ("_", "gettext", "ngettext"):
                literal = 2 if call.node.name == "ngettext" else 1
                if not all(isinstance(arg, nodes.Const) for arg in call.args[:literal]):
                    found.append(f"{where}:{call.lineno} {call.node.name}(variable)")
    assert not found, found


# Helpers


def _strings(document) -> set[str]:
    """Every string value of a JSON document."""
    if isinstance(document, dict):
        return set().union(*map(_strings, document.values())) if document else set()
    if isinstance(document, list):
        return set().union(*map(_strings, document)) if document else set()
    return {document} if isinstance(document, str) else set()


def _map_config(page: str) -> dict:
    found = JSON_ELEMENT.findall(page)
    assert len(found) == 1, "one map configuration element"
    return json.loads(found[0][1])


def csrf_token_of(html: str) -> str:
    """The CSRF token of the first form of a page, whatever the order of the attributes."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def _network_code(poisoned: Poisoned) -> str:
    with poisoned.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == poisoned.uuid))
        return org.networks[0].code


def _upload_csv(web, rows: list[list[str]]) -> str:
    """Upload `rows` as a CSV through the import form; the mapping page's URL."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    token = csrf_token_of(web.get("/transfer/import").get_data(as_text=True))
    response = web.post(
        "/transfer/import",
        data={"csrf_token": token, "file": (io.BytesIO(buffer.getvalue().encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/mapping" in response.location, response.status_code
    return response.location
