"""Security headers: a nonce-based Content-Security-Policy on every page, and the usual hardening."""

import re

import pytest


@pytest.mark.parametrize("url", ["/", "/map", "/organisations", "/districts", "/login", "/maps/districts.geojson"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9_-]{20,}'", csp)
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "connect-src 'self'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_inline_scripts_carry_this_responses_nonce_even_from_the_page_cache(client):
    for _ in range(2):  # the second answer comes from memory
        response = client.get("/map")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        body = response.get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", body)
        assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert response.headers.get("X-Page-Cache") == "hit"


def test_nonces_differ_per_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_the_public_map_can_be_embedded_elsewhere_on_request(client):
    response = client.get("/map?embed=1")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://directory.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_tile_server_allowed_for_images_only(app):
    from tests.conftest import make_app

    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
    csp = other.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org" in csp
    assert "tiles.example.org" not in csp.split("img-src", 1)[0]
