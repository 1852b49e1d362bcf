"""The folium map builders: local assets only, escaped text, no full-page styles."""

import pytest

from geo.geojson import feature, point_feature, safe_json
from geo.maps import MapAssets, add_point, attach_layers, base_map, render_parts

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


def test_a_map_uses_only_the_given_local_assets():
    m = base_map(ASSETS)
    attach_layers(m, ASSETS, {"layers": []})
    parts = render_parts(m)
    assert set(parts.asset_urls) == {
        ASSETS.leaflet_js, ASSETS.leaflet_css, ASSETS.fullscreen_js, ASSETS.fullscreen_css, ASSETS.locate_js,
        ASSETS.locate_css, ASSETS.markercluster_js, *ASSETS.markercluster_css, ASSETS.directory_js,
    }
    html = parts.assets + parts.container + parts.script
    assert "http" not in html
    assert "user-scalable=no" not in html and "html, body" not in html
    assert html.index(ASSETS.leaflet_js) < html.index(ASSETS.markercluster_js)


def test_remote_assets_are_refused():
    m = base_map(ASSETS)
    m.default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
    with pytest.raises(ValueError, match="served locally"):
        render_parts(m)


def test_tooltips_popups_and_layer_config_are_escaped():
    m = base_map(ASSETS)
    add_point(m, -92.1, 14.9, PAYLOAD)
    attach_layers(m, ASSETS, {"title": PAYLOAD, "layers": []})
    parts = render_parts(m)
    assert "<img" not in parts.script and "</script>" not in parts.script
    assert "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{alert(2)}&#92;&#96;" in parts.script
    assert "\\u003cimg" in parts.script  # the layer configuration is HTML-safe JSON


def test_geojson_text_is_html_safe():
    text = feature(1, {"name": PAYLOAD}, None) + point_feature("a", {"name": PAYLOAD}, -90, 15) + safe_json([PAYLOAD])
    assert "<" not in text and ">" not in text and "'" not in text
    assert "\\u003c/script\\u003e" in text
