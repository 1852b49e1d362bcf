"""The HSDS part of the import preview as a person uses it: the terms of other taxonomies listed with a
choice each, the category of services that have none, the country of entries that name none, and the
notes of what each record keeps elsewhere or cannot keep."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html import unescape
from pathlib import Path

from tests.transfer.test_views import csrf_token_of
from tests.transfer.web_flow import Preview

_TERM_ROW = re.compile(
    r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*"
    r"<td><select name=\"(term-\d+)\"(.*?)</td>",
    re.S,
)
_SELECTED = re.compile(r'<option value="([^"]*)" selected>')
_NOTE_ROW = re.compile(
    r'<tr class="hsds-(kept|lost)"><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', re.S
)


def terms(html: str) -> list[dict]:
    """The foreign terms the preview lists: taxonomy, code, name, services, form field, chosen category."""
    found = []
    for taxonomy, code, name, services, field, options in _TERM_ROW.findall(html):
        chosen = _SELECTED.search(options)
        found.append(
            {
                "taxonomy": unescape(taxonomy),
                "code": unescape(code),
                "name": unescape(name),
                "services": int(services.replace(",", "")),
                "field": field,
                "chosen": chosen[1] if chosen else "",
                "remembered": "(remembered)" in options,
            }
        )
    return found


def notes(html: str) -> list[dict]:
    """The preview's notes: row, name, part, text, kept (True) or not kept (False)."""
    return [
        {
            "kept": kind == "kept",
            "row": int(row),
            "name": unescape(name),
            "part": unescape(part),
            "text": unescape(text),
        }
        for kind, row, name, part, text in _NOTE_ROW.findall(html)
    ]


def asks_country(html: str) -> bool:
    return 'id="hsds-country"' in html


def choose(web, preview: Preview, *, term_choices=None, category: str = "", country: str = "") -> Preview:
    """Submit the preview's HSDS choices (term_choices: {code: category} or one category for every term)
    and open the preview again."""
    form = preview.html[preview.html.index('class="hsds-choices"') :]
    data = {"csrf_token": csrf_token_of(form), "category": category}
    for term in terms(preview.html):
        chosen = term_choices.get(term["code"], "") if isinstance(term_choices, dict) else (term_choices or "")
        data[term["field"]] = chosen
    if country:
        data["country"] = country
    posted = web.post(preview.url.replace("/preview", "/hsds"), data=data)
    assert posted.status_code == 302, posted.get_data(as_text=True)[-2000:]
    page = web.get(posted.location)
    assert page.status_code == 200
    return Preview(posted.location, page.get_data(as_text=True))


def examples_package(examples: Path) -> bytes:
    """The official CSV example tables zipped with a datapackage.json naming them (the example folder's own
    datapackage.json is a link to the specification's descriptor, which is not shipped with the examples)."""
    tables = sorted((examples / "csv").glob("*.csv"))
    descriptor = {
        "name": "hsds-examples",
        "profile": "tabular-data-package",
        "resources": [{"name": path.stem, "path": path.name, "profile": "tabular-data-resource"} for path in tables],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor))
        for path in tables:
            archive.writestr(path.name, path.read_bytes())
    return out.getvalue()
