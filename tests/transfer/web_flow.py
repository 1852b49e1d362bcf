"""The web import as a person goes through it: the upload form (multipart, with the form's CSRF token),
the column mapping as suggested, the preview, then "Import now"."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import unescape

from tests.transfer.test_views import csrf_token_of

_SELECT = re.compile(r'<select id="column-\d+" name="(column-\d+)">(.*?)</select>', re.S)
_SELECTED = re.compile(r'<option value="([^"]*)" selected>')
_COUNT = re.compile(r"([\d,]+) (to create|to update|unchanged|rejected)")


@dataclass
class Preview:
    url: str
    html: str

    @property
    def counts(self) -> dict[str, int]:
        """{"to create": n, "to update": n, "unchanged": n, "rejected": n} as the page says them."""
        line = re.search(r'<p class="import-counts" role="status">(.*?)</p>', self.html, re.S)[1]
        return {what: int(n.replace(",", "")) for n, what in _COUNT.findall(unescape(line))}

    @property
    def offers_import(self) -> bool:
        return "Import now" in self.html


def upload(web, content: bytes, filename: str, path: str = "/transfer/import"):
    """POST the file through the upload form, as the browser does."""
    token = csrf_token_of(web.get(path).get_data(as_text=True))
    return web.post(
        path,
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def suggested_mapping(html: str) -> dict[str, str]:
    """The mapping form as the page suggests it (the selected option of every column)."""
    form = {}
    for name, options in _SELECT.findall(html):
        chosen = _SELECTED.search(options)
        form[name] = chosen[1] if chosen else ""
    return form


def preview_upload(web, content: bytes, filename: str) -> Preview:
    """Upload, accept the suggested mapping (files with columns), and open the preview."""
    response = upload(web, content, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    location = response.location
    if "/mapping" in location:
        page = web.get(location)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        posted = web.post(location, data={"csrf_token": csrf_token_of(html)} | suggested_mapping(html))
        assert posted.status_code == 302, posted.get_data(as_text=True)[-3000:]
        location = posted.location
    page = web.get(location)
    assert page.status_code == 200, page.get_data(as_text=True)[-3000:]
    return Preview(location, page.get_data(as_text=True))


def import_now(web, preview: Preview) -> str:
    """Press "Import now" on the preview; the page that answers."""
    assert preview.offers_import, preview.html[-3000:]
    form = preview.html[preview.html.index('action="' + preview.url.replace("/preview", "/commit")) :]
    done = web.post(preview.url.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(form)})
    assert done.status_code == 200, done.get_data(as_text=True)[-3000:]
    return done.get_data(as_text=True)
