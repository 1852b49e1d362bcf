"""A district's referral sheet as a PDF: the page's own HTML, laid out by WeasyPrint with the same print
stylesheet a browser uses (WeasyPrint renders for print media), on Letter paper (the RCM countries'
usual size) or A4.

Nothing is fetched from the network: the fetcher serves only the app's own static files (the
stylesheets the page links), read from the static folder, plus `data:` URIs; any other URL (a website
typed into an entry, a tile server, another host) is refused, and WeasyPrint leaves it out. Links in the
PDF point at the public address (PUBLIC_BASE_URL), the base the HTML is read on.

WeasyPrint is imported when a PDF is asked for: it loads Debian's Pango then, and a machine without it
still runs the directory (the PDF answers 503, PdfUnavailable)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, url_for
from werkzeug.security import safe_join

from directory_app.public_links import public_base_url

PAPER_SIZES = {"letter": "letter", "a4": "A4"}
DEFAULT_PAPER = "letter"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (Pango is missing)."""


def static_files_only(static_folder: str, base_url: str, static_path: str):
    """A WeasyPrint URL fetcher that answers from the app's static folder (`static_path`, "/static/"
    with the app's prefix, on the origin of `base_url`) and `data:` URIs only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = urlsplit(base_url)
    origin = (base.scheme, base.netloc)

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)  # decoded in memory, no network
            if (parts.scheme, parts.netloc) != origin or not parts.path.startswith(static_path):
                raise ValueError(f"not one of the directory's static files: {url}")
            path = safe_join(static_folder, unquote(parts.path[len(static_path) :]))
            if path is None or not Path(path).is_file():
                raise ValueError(f"no such static file: {url}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly(allowed_protocols=("http", "https", "data"), allow_redirects=False)


def sheet_pdf(html: str, paper: str = DEFAULT_PAPER) -> bytes:
    """The PDF of a rendered district page on `paper` (a key of PAPER_SIZES; see the module docstring)."""
    try:
        from weasyprint import CSS, HTML
    except OSError as error:  # Pango's shared libraries are missing
        raise PdfUnavailable(str(error)) from error
    base_url = public_base_url() + "/"
    fetcher = static_files_only(current_app.static_folder, base_url, url_for("static", filename=""))
    page = CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}")
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(stylesheets=[page])
