"""Fixtures of the API tests: the read-only world served over HTTP for GDAL (werkzeug on 127.0.0.1 at a
free port, in a child process), and the HSDS JSON Schemas for validation."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

HSDS_SCHEMA_DIR = Path(__file__).resolve().parents[3] / "shared" / "standards" / "hsds-3.0" / "schema"


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


@pytest.fixture(scope="session")
def hsds_validators():
    """A function name -> jsonschema validator for the HSDS 3.0 schemas (compiled/organization.json,
    taxonomy.json, ...), with format checks (uuid, email...). The schemas are read from
    ../shared/standards/hsds-3.0 (never copied into the project); when they are missing the tests are
    skipped on a developer's machine and fail under CI=true."""
    if not HSDS_SCHEMA_DIR.is_dir():
        message = f"HSDS 3.0 schemas not found at {HSDS_SCHEMA_DIR}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    resources = [
        (
            path.name,
            Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=_draft()),
        )
        for path in HSDS_SCHEMA_DIR.glob("*.json")
        if path.name != "openapi.json"
    ]
    registry = Registry().with_resources(resources)
    cache: dict[str, Draft202012Validator] = {}

    def validator(name: str) -> Draft202012Validator:
        if name not in cache:
            schema = json.loads((HSDS_SCHEMA_DIR / name).read_text(encoding="utf-8"))
            cache[name] = Draft202012Validator(
                schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return cache[name]

    return validator


def _draft():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012
