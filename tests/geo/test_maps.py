"""The folium map shells: local assets only, no full-page styles, configuration as HTML-safe data."""

import folium
import pytest
from jinja2 import TemplateSyntaxError

from geo.geojson import feature, point_feature, safe_json
from geo.maps import MapAssets, base_map, config_element, map_shell, render_parts

ASSETS = MapAssets(
    leaflet_js="/static/vendor/leaflet/leaflet.js",
    leaflet_css="/static/vendor/leaflet/leaflet.css",
    markercluster_js="/static/vendor/markercluster/leaflet.markercluster.js",
    markercluster_css=("/static/vendor/markercluster/MarkerCluster.css", "/static/vendor/markercluster/Default.css"),
    fullscreen_js="/static/vendor/fullscreen/Control.FullScreen.js",
    fullscreen_css="/static/vendor/fullscreen/Control.FullScreen.css",
    locate_js="/static/vendor/locate/L.Control.Locate.min.js",
    locate_css="/static/vendor/locate/L.Control.Locate.min.css",
    directory_js="/static/js/directory-map.js",
)
PAYLOAD = "</script><img src=x onerror=alert(1)>`${alert(2)}\\`"


def _shell():
    return map_shell(ASSETS, center=(15.0, -90.0), zoom=5)


def test_a_map_uses_only_the_given_local_assets():
    parts = _shell()
    assert set(parts.asset_urls) == {
        ASSETS.leaflet_js,
        ASSETS.leaflet_css,
        ASSETS.fullscreen_js,
        ASSETS.fullscreen_css,
        ASSETS.locate_js,
        ASSETS.locate_css,
        ASSETS.markercluster_js,
        *ASSETS.markercluster_css,
        ASSETS.directory_js,
    }
    html = parts.assets + parts.container + parts.script
    assert "http" not in html
    assert "user-scalable=no" not in html and "html, body" not in html
    assert html.index(ASSETS.leaflet_js) < html.index(ASSETS.markercluster_js)
    assert f'getElementById("{parts.name}-config")' in parts.script


def test_the_shell_is_built_once_per_arguments():
    assert _shell() is _shell()
    other = map_shell(ASSETS, center=(16.0, -90.0), zoom=5)
    assert other is not _shell() and "[16.0, -90.0]" in other.script


def test_the_shell_carries_no_text():
    """Not even the locate button's title: directory-map.js takes it from the page's configuration."""
    parts = _shell()
    assert '"strings"' not in parts.script and "Show me" not in parts.script
    assert "title" not in parts.script


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{# x #}", "{{ lipsum.__globals__.os.getpid() }}"])
def test_a_map_given_template_syntax_is_refused_before_it_runs(text):
    """branca runs what each element writes as a template: text handed to folium would run on the server."""
    m = base_map(ASSETS)
    folium.Marker([15.0, -90.0], tooltip=f"name {text}").add_to(m)
    with pytest.raises(ValueError, match="template syntax"):
        render_parts(m)


@pytest.mark.parametrize("text", ["{{ \"a' }}", "{% raw %}x", "{# x"])
def test_a_map_given_broken_template_syntax_fails_loudly(text):
    """branca compiles each element's output as it is written: broken syntax cannot even be compiled."""
    m = base_map(ASSETS)
    folium.Marker([15.0, -90.0], tooltip=f"name {text}").add_to(m)
    with pytest.raises(TemplateSyntaxError):
        render_parts(m)


def test_remote_assets_are_refused():
    m = base_map(ASSETS)
    m.default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
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
