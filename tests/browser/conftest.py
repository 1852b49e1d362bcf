"""Browser tests: headless Debian Chromium driven by Playwright, against the SQLite demo world served
over HTTP on 127.0.0.1.

Fixtures and helpers:
- `live_server` (session): a private copy of the SQLite world (test users included, see tests/conftest.py)
  served by werkzeug on 127.0.0.1 at a free port; `live_server.url` is the base URL. Tests may write
  (sign out, save forms): the copy belongs to the browser tests of this worker alone.
- `browser` (session): Chromium from /usr/bin/chromium (CHROMIUM to override) with the flags known to
  work headless here. Playwright never downloads a browser: do not run `playwright install`.
- `new_context()` (factory) and `context`: browser contexts with base_url set to the live server and a
  fixed 1280x800 viewport. Every request of every context of a test is recorded in `request_log`;
  requests to any host other than 127.0.0.1 are recorded and then aborted (so a test never waits on
  the internet).
- `page`: a page of `context`: `page.goto("/districts")`.
- `assert_no_external_requests()`: fails when any request of the test went to another host.
- `screenshot(name, page=None)`: saves docs/img/<name>.png (the pictures of the README).
- `sign_in(page, role, country=None)`: signs in through the real form as a test user of tests/conftest.py.
- `show_map(page)`: scrolls the page's first map into view, as a reader does (a map that only shows
  loads its scripts when it comes near the screen), and waits until it has drawn its layers.

When Chromium is missing the tests are skipped on a developer's machine and fail under CI=true
(scripts/test.sh installs Debian's chromium when it can). Every test here is marked `browser` and put
in the xdist group "browser"; under `-n 2` each worker starts its own server and Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD, TEST_USERS, make_app, user_key

HERE = Path(__file__).resolve().parent
SCREENSHOT_DIR = HERE.parent.parent / "docs" / "img"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
NETWORKLESS_SCHEMES = ("data", "blob", "about")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM} (Debian package chromium; scripts/test.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run under CI=true: {message}")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(worlds, tmp_path_factory):
    """The SQLite demo world, copied, served on 127.0.0.1 at a free port in a background thread."""
    source = sa.make_url(worlds("sqlite")).database
    target = tmp_path_factory.mktemp("browser") / "directory.sqlite3"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    app = make_app(f"sqlite:///{target}")
    server = make_server(LOCAL_HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://{LOCAL_HOST}:{server.server_port}", app=app)
    server.shutdown()
    server.server_close()  # its listening socket, else left to the garbage collector (ResourceWarning)
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    """True for a request that stays on this machine's 127.0.0.1 (or needs no network at all)."""
    parts = urlsplit(url)
    return parts.scheme in NETWORKLESS_SCHEMES or parts.hostname == LOCAL_HOST


@pytest.fixture
def request_log() -> list[str]:
    """The URL of every request made by the browser contexts of this test, in order."""
    return []


@pytest.fixture
def new_context(browser, live_server, request_log):
    """A factory of browser contexts (a new, empty cookie jar each) that record their requests."""
    contexts = []

    def make(**options):
        options = {"base_url": live_server.url, "viewport": {"width": 1280, "height": 800}, "locale": "en-US"} | options
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.on("request", lambda request: request_log.append(request.url))
        context.route(re.compile(r".*"), _keep_local)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _keep_local(route) -> None:
    if is_local(route.request.url):
        route.continue_()
    else:
        route.abort("blockedbyclient")


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def assert_no_external_requests(request_log):
    """A check to call at the end of a test: every request went to 127.0.0.1."""

    def check() -> None:
        assert request_log, "the browser made no request at all"
        external = [url for url in request_log if not is_local(url)]
        assert not external, f"requests left 127.0.0.1: {external}"

    return check


@pytest.fixture
def screenshot(page):
    """screenshot(name, page=None): a PNG of the page (the viewport) at docs/img/<name>.png."""

    def take(name: str, of_page=None) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise ValueError(f"screenshot name {name!r}: use lowercase letters, digits and dashes")
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        (of_page or page).screenshot(path=str(path), animations="disabled")
        return path

    return take


def sign_in(page, role: str, country: str | None = None, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real form as the test user of `role` and wait for the page after it."""
    user = TEST_USERS[user_key(role, country)]
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")


MAP_READY = ".folium-map[data-ready='1']"


def show_map(page) -> None:
    """Scroll the page's first map into view and wait until it has drawn its layers (READY)."""
    page.locator(".folium-map").first.scroll_into_view_if_needed()
    page.wait_for_selector(MAP_READY)
