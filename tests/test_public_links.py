"""Absolute links carry PUBLIC_BASE_URL, never the request's Host header (directory_app.public_links):
the password-reset and invitation emails, the JSON API's `url`, HSDS `uri` and links, HSDS exports
(web and command line), the OGC API's links and OpenAPI servers. In production a request with any other
Host gets a 400, and the app refuses to start without PUBLIC_BASE_URL. Both backends."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from directory_app import create_app
from directory_app.config import ConfigurationError, Settings
from directory_app.extensions import db
from tests.accounts.helpers import post_form
from tests.conftest import PG_ADMIN_URL, TEST_USERS, login_as

PUBLIC = "https://directory.example.org/directorio"  # with a path prefix: the proxy strips it
EVIL = "evil.example"
MAILED_LINK = re.compile(r"https?://\S+?/(?:password/reset|invite)/[A-Za-z0-9_.\-]+")
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "p" * 64,
    "DATABASE_URL": "postgresql+psycopg://cammina@db.internal/cammina",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "PUBLIC_BASE_URL": "https://directory.example.org",
}


def forged(client):
    """The client sends `Host: evil.example` with every request (its cookies follow that host)."""
    send = client.open

    def open_on_evil_host(*args, **kwargs):
        kwargs.setdefault("base_url", f"http://{EVIL}")
        return send(*args, **kwargs)

    client.open = open_on_evil_host
    return client


def test_the_forged_client_really_sends_the_forged_host(app):
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    assert forged(app.test_client()).get("/organisations").request.host == EVIL


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def mailed_links(caplog) -> list[str]:
    return [m.group(0) for record in caplog.records for m in MAILED_LINK.finditer(record.getMessage())]


def test_reset_email_points_to_the_public_address_whatever_the_host(fresh_app, mail_log):
    fresh_app.config["PUBLIC_BASE_URL"] = PUBLIC
    response = post_form(forged(fresh_app.test_client()), "/password/forgot", {"email": TEST_USERS["consular"].email})
    assert response.status_code == 200
    [link] = mailed_links(mail_log)
    assert link.startswith(f"{PUBLIC}/password/reset/")
    assert not any(EVIL in record.getMessage() for record in mail_log.records)
    # the link works (the proxy in front strips the path prefix)
    assert fresh_app.test_client().get(link.removeprefix(PUBLIC)).status_code == 200


def test_invitation_email_points_to_the_public_address_whatever_the_host(fresh_app, mail_log):
    fresh_app.config["PUBLIC_BASE_URL"] = PUBLIC
    admin = login_as(forged(fresh_app.test_client()), "ts_admin")
    fields = {"email": "invited@example.org", "name": "Invitada", "role": "consular", "country": ""}
    assert post_form(admin, "/admin/users/invite", fields).status_code == 302
    [link] = mailed_links(mail_log)
    assert link.startswith(f"{PUBLIC}/invite/")
    assert "invited@example.org" in fresh_app.test_client().get(link.removeprefix(PUBLIC)).get_data(as_text=True)


def test_without_public_base_url_a_forged_host_gets_the_local_default(fresh_app, mail_log):
    """Development and tests: only a loopback Host is followed; any other gets http://127.0.0.1:5000."""
    assert not fresh_app.config.get("PUBLIC_BASE_URL")
    post_form(forged(fresh_app.test_client()), "/password/forgot", {"email": TEST_USERS["consular"].email})
    post_form(fresh_app.test_client(), "/password/forgot", {"email": TEST_USERS["consular"].email})
    forged_link, local_link = mailed_links(mail_log)
    assert forged_link.startswith("http://127.0.0.1:5000/password/reset/")
    assert local_link.startswith("http://localhost/password/reset/")  # the test client's own loopback host


def _uuid_of_an_organisation(client) -> str:
    return client.get("/api/v1/organisations?per_page=1").get_json()["organisations"][0]["id"]


def _absolute_urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_api_links_carry_the_public_address(app):
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    client = forged(app.test_client())
    uuid = _uuid_of_an_organisation(client)
    found = client.get("/api/v1/organisations?per_page=3").get_json()["organisations"]
    assert found and all(entry["url"].startswith(f"{PUBLIC}/organisations/") for entry in found)
    assert client.get(f"/api/v1/organisations/{uuid}").get_json()["url"] == f"{PUBLIC}/organisations/{uuid}"
    assert client.get("/api/v1/openapi.json").get_json()["servers"] == [{"url": f"{PUBLIC}/api/v1"}]
    assert f"{PUBLIC}/api/v1/openapi.json" in client.get("/api/v1/docs").get_data(as_text=True)
    info = client.get("/hsds/").get_json()
    assert info["links"]["organizations"] == f"{PUBLIC}/hsds/organizations"
    organisations = client.get("/hsds/organizations?per_page=3&full=true").get_json()["contents"]
    assert organisations and all(org["uri"].startswith(f"{PUBLIC}/organisations/") for org in organisations)
    assert client.get(f"/hsds/organizations/{uuid}").get_json()["uri"] == f"{PUBLIC}/organisations/{uuid}"


OGC_PAGES = [
    "/ogc/?f=json",
    "/ogc/?f=html",
    "/ogc/api?f=json",
    "/ogc/api?f=html",
    "/ogc/collections?f=json",
    "/ogc/collections/organisations?f=json",
    "/ogc/collections/organisations/items?f=json&limit=2&offset=2",
    "/ogc/collections/consulates/items?f=html&limit=2",
]


@pytest.mark.parametrize("path", OGC_PAGES)
def test_ogc_links_carry_the_public_address(app, path):
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    response = forged(app.test_client()).get(path)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert EVIL not in text
    # the OGC's own identifiers (link relations, CRS and conformance URIs) are no addresses of ours
    ours = [url for url in _absolute_urls(text) if "/ogc" in url and not url.startswith("http://www.opengis.net/")]
    assert ours and all(url.startswith(f"{PUBLIC}/ogc") for url in ours)
    if "items?f=json" in path:
        rels = {link["rel"]: link["href"] for link in response.get_json()["links"]}
        assert rels["next"].startswith(f"{PUBLIC}/ogc/collections/organisations/items?")
        assert rels["self"].startswith(f"{PUBLIC}/ogc/collections/organisations/items?")


def test_hsds_export_links_carry_the_public_address(app):
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    response = forged(app.test_client()).get("/transfer/export?format=hsds&country=MX")
    assert response.status_code == 200
    documents = json.loads(response.get_data(as_text=True))
    assert documents and all(doc["uri"].startswith(f"{PUBLIC}/organisations/") for doc in documents)
    assert EVIL not in response.get_data(as_text=True)


def test_command_line_export_links_carry_the_public_address(app):
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["export-organisations", "--format", "hsds", "--filter", "country=GT"]
        )
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert documents and all(doc["uri"].startswith(f"{PUBLIC}/organisations/") for doc in documents)


def test_no_link_is_built_from_the_request_host():
    """Absolute links come from public_links only: nothing else asks Flask or the request for a host."""
    root = Path(__file__).resolve().parents[1]
    patterns = ("_external=True", "request.host", "request.url_root", "host_url", "request.base_url")
    offenders = [
        f"{path.relative_to(root)}: {pattern}"
        for folder in ("directory_app", "templates")
        for path in sorted((root / folder).rglob("*"))
        if path.suffix in (".py", ".html", ".txt") and path.name != "public_links.py"
        for pattern in patterns
        if pattern in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.fixture
def production_app(world_url):
    """A factory: the app with production settings (extra environment as keywords) on the world. Its
    engine keeps a pool, as in production: disposed after the test, or a connection would be left to
    the garbage collector (ResourceWarning)."""
    apps = []

    def make(**extra_env):
        config = Settings.from_env({**PRODUCTION, **extra_env}).as_flask_config()
        config.update(SQLALCHEMY_DATABASE_URI=world_url, TESTING=True, MAP_TILE_URL="")
        apps.append(create_app(config))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_production_answers_400_to_an_untrusted_host(production_app, mail_log):
    client = production_app().test_client()
    assert client.get("https://directory.example.org/organisations").status_code == 200
    for path in ("/organisations", "/healthz", "/api/v1/organisations", "/password/forgot"):
        response = client.get(f"https://{EVIL}{path}")
        assert response.status_code == 400 and b"unknown host" in response.data, path
    attack = client.post(f"https://{EVIL}/password/forgot", data={"email": TEST_USERS["consular"].email})
    assert attack.status_code == 400 and b"unknown host" in attack.data and mailed_links(mail_log) == []
    spoofed = client.get("https://directory.example.org/healthz", headers={"Host": f"{EVIL}:443"})
    assert spoofed.status_code == 400 and b"unknown host" in spoofed.data


def test_production_accepts_the_extra_trusted_hosts(production_app):
    client = production_app(TRUSTED_HOSTS="10.0.0.7, lb.internal").test_client()
    assert client.get("http://10.0.0.7/healthz").status_code == 200  # a load balancer's health check by IP
    assert client.get("http://lb.internal:8000/healthz").status_code == 200
    assert client.get("http://10.0.0.8/healthz").status_code == 400


def test_a_malformed_public_base_url_stops_the_start_in_any_environment(tmp_path):
    for value in ("directory.example.org", "ftp://directory.example.org", "https://x.org/?next=1"):
        with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL must be the address readers use"):
            Settings.from_env({"PUBLIC_BASE_URL": value, "INSTANCE_DIR": str(tmp_path)})
    settings = Settings.from_env({"PUBLIC_BASE_URL": "https://example.org/directorio/", "INSTANCE_DIR": str(tmp_path)})
    assert settings.public_base_url == "https://example.org/directorio"
    assert settings.as_flask_config()["TRUSTED_HOSTS"] is None  # development: no Host check unless asked


def test_production_process_refuses_to_start_without_public_base_url():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "TRUSTED_HOSTS"}
    env.update({**PRODUCTION, "DATABASE_URL": PG_ADMIN_URL})
    del env["PUBLIC_BASE_URL"]
    command = [sys.executable, "-c", "from directory_app import create_app; create_app()"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and "PUBLIC_BASE_URL is missing" in result.stderr
