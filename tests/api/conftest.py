"""Fixtures of the API tests: the read-only world served over HTTP for GDAL (werkzeug on 127.0.0.1 at a
free port, in a child process). The HSDS JSON Schemas: `hsds_validators` in tests/conftest.py."""

from __future__ import annotations

import multiprocessing

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app


def _serve(database_url: str, ports) -> None:
    """In a child process: serve the app on a free port of 127.0.0.1 and report the port."""
    server = make_server("127.0.0.1", 0, make_app(database_url), threaded=True)
    ports.put(server.server_port)
    server.serve_forever()


@pytest.fixture(scope="module")
def api_server(world_url):
    """The world of the current backend served by werkzeug at a free port of 127.0.0.1; yields the
        base URL. The server runs in a child process, not a thread: GDAL (pyogrio) keeps the GIL while it
        reads, so a server thread of the test process would never answer. Module-scoped: the server (and any
    database connection it holds) is gone before other modules copy the world (PostgreSQL refuses a
    template database that someone is connected to). Read-only: the tests only read."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    process = context.Process(target=_serve, args=(world_url, ports), name="api-live-server", daemon=True)
    process.start()
    try:
        port = ports.get(timeout=120)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join(timeout=10)
