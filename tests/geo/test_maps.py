"""The folium map shells: local assets only, no full-page styles, nothing but the shell's own elements
(checked before anything is rendered), configuration as HTML-safe data."""

import os

import folium
import pytest
from branca.element import Element

from geo.geojson import feature, point_feature, safe_json
from geo.maps import MapAssets, base_map, config_element, map_shell, render_parts

ASSETS = MapAssets(
    js=(
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/fullscreen/Control.FullScreen.js",
        "/static/vendor/locate/L.Control.Locate.min.js",
        "/static/js/directory-map.js",
    ),
    css=("/static/vendor/leaflet/leaflet.css", "/static/vendor/locate/L.Control.Locate.min.css"),
)
PAYLOAD = "</script><img src=x onerror=alert(1)>`${alert(2)}\\`"
# Sets an environment variable when run as a Jinja template: proof that it ran.
RAN = "CAMMINA_TEST_TEMPLATE_RAN"
RUNS = "{{ lipsum.__globals__.os.environ.setdefault('" + RAN + "', 'yes') }}"


@pytest.fixture(autouse=True)
def _nothing_ran(monkeypatch):
    monkeypatch.delenv(RAN, raising=False)
    yield
    assert RAN not in os.environ, "a template handed to folium ran"


def _shell():
    return map_shell(ASSETS, center=(15.0, -90.0), zoom=5)


def test_a_map_uses_only_the_given_local_assets_in_their_order():
    parts = _shell()
    assert parts.asset_urls == [*ASSETS.js, *ASSETS.css]
    html = parts.assets + parts.container + parts.script
    assert "http" not in html
    assert "user-scalable=no" not in html and "html, body" not in html and "L_NO_TOUCH" not in html
    positions = [parts.assets.index(f'<script src="{url}">') for url in ASSETS.js]
    assert positions == sorted(positions)  # Leaflet first, the module last
    assert f"CamminaMap.start({parts.name});" in parts.script
    assert f'id="{parts.name}"' in parts.container


def test_the_shell_is_built_once_per_arguments():
    assert _shell() is _shell()
    other = map_shell(ASSETS, center=(16.0, -90.0), zoom=5)
    assert other is not _shell() and "[16.0, -90.0]" in other.script


def test_the_shell_carries_no_text():
    """Not even the locate button's title: directory-map.js takes it from the page's configuration."""
    parts = _shell()
    assert '"strings"' not in parts.script and "Show me" not in parts.script
    assert "title" not in parts.script


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{# x #}", RUNS, "{{ \"a' }}", "{% raw %}x", "{# x"])
def test_a_map_given_text_in_an_element_is_refused_before_it_runs(text):
    """branca runs what each element writes as a template: a tooltip (or any element but the shell's
    own) is refused before anything is rendered, so nothing of it runs, not even broken syntax."""
    m = base_map(ASSETS)
    folium.Marker([15.0, -90.0], tooltip=f"name {text}").add_to(m)
    with pytest.raises(ValueError, match=r"only its own elements, not \['Marker', 'Tooltip'\]"):
        render_parts(m)


def test_an_element_put_in_the_page_header_is_refused():
    m = base_map(ASSETS)
    m.get_root().header.add_child(Element("<script>x()</script>"), name="extra")
    with pytest.raises(ValueError, match="header: extra"):
        render_parts(m)


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{% if 1 %}x{% endif %}", RUNS])
def test_template_syntax_in_the_map_settings_is_refused_before_it_runs(text):
    m = base_map(ASSETS)
    m.options["title"] = text  # a Leaflet option that would be written into the script
    with pytest.raises(ValueError, match="map's options holds template syntax"):
        render_parts(m)


def test_a_shell_is_rendered_once():
    m = base_map(ASSETS)
    render_parts(m)
    with pytest.raises(ValueError, match="already rendered"):
        render_parts(m)


def test_remote_assets_are_refused():
    m = base_map(ASSETS)
    m.default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
    with pytest.raises(ValueError, match="served locally"):
        render_parts(m)
    m = base_map(ASSETS)
    m.default_css = [("leaflet_css", "//cdn.example.org/leaflet.css")]
    with pytest.raises(ValueError, match="served locally"):
        render_parts(m)


def test_the_page_configuration_is_inert_data():
    parts = _shell()
    element = config_element(parts, {"title": PAYLOAD, "points": [{"label": PAYLOAD, "lon": -90, "lat": 15}]})
    assert element.startswith(f'<script type="application/json" id="{parts.name}-config">')
    body = element.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "`" not in body and "$" not in body


def test_geojson_text_is_html_safe():
    text = feature(1, {"name": PAYLOAD}, None) + point_feature("a", {"name": PAYLOAD}, -90, 15) + safe_json([PAYLOAD])
    assert "<" not in text and ">" not in text and "'" not in text and "`" not in text
    assert "\\u003c/script\\u003e" in text
