/* The directory's map module: the one entry of every map (public map, organisation, district, nearest
 * search, coverage editor, review, site picker).
 *
 * geo/maps.py (folium) writes the map shell and calls CamminaMap.start(map); everything else comes from
 * the page's JSON element `<map id>-config` (directory_app/embedded_maps.py builds it): the base layers,
 * a few points, the view to fit, the data layers to fetch (types registered by directory-map-layers.js)
 * and the mode (`editor`, `picker`: plugins in directory-map-editor.js and directory-map-picker.js,
 * loaded with the shell of their mode, which register in CamminaMap.modes and never look for a map
 * themselves). The shell holds no text, not even the controls' titles (nameControls sets them).
 * Text from entries (names, cities) arrives in the configuration and the GeoJSON layers and is only
 * ever put in the page with textContent or as DOM nodes, never as HTML: Leaflet's bindPopup and
 * bindTooltip treat strings as HTML, so they are always given elements.
 */
(function () {
  "use strict";

  var LAYERS = {};
  var MODES = {};
  var POINT_COLOURS = { consulate: "#7b2d8b", origin: "#c0392b", site: "#1f5f8b" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text) {
    var a = el("a", null, text);
    a.href = href; // always an app URL built from a template, never a value from an entry
    return a;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  function withId(template, id) {
    return template.replace("__ID__", encodeURIComponent(id));
  }

  function notice(ctx, text, kind) {
    var frame = ctx.map.getContainer().parentNode;
    var box = frame.querySelector(".map-notice");
    if (!box) {
      box = el("p", "map-notice");
      box.setAttribute("role", "status");
      frame.insertBefore(box, ctx.map.getContainer());
    }
    box.textContent = text;
    box.dataset.kind = kind || "info";
  }

  function whenPageParsed(fn) {
    return new Promise(function (resolve) {
      if (document.readyState !== "loading") resolve(fn());
      else document.addEventListener("DOMContentLoaded", function () { resolve(fn()); });
    });
  }

  /* Base layers: raster tiles when reachable, and our own boundaries, which need no internet. Returns
   * the loading of the boundaries when they are shown from the start. */
  function addBase(ctx) {
    var config = ctx.config;
    var boundaries = L.layerGroup();
    var loading = null;
    boundaries.on("add", function () {
      if (loading) return;
      loading = fetchJson(config.baseUrl).then(function (data) {
        L.geoJSON(data, {
          interactive: false,
          renderer: ctx.baseRenderer,
          style: function (f) {
            return f.properties.level === 0
              ? { color: "#4d4d4d", weight: 1.5, fillColor: "#f2efe9", fillOpacity: 1 }
              : { color: "#9e9e9e", weight: 0.6, fill: false };
          },
        }).addTo(boundaries);
      }).catch(function () { notice(ctx, config.labels.loadError, "error"); });
    });
    ctx.baseLayers[config.labels.base] = boundaries;
    if (!config.tiles) {
      boundaries.addTo(ctx.map);
      return loading;
    }
    var tiles = L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 });
    var failures = 0, successes = 0;
    tiles.on("tileload", function () { successes += 1; });
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures === 4 && successes === 0) {
        ctx.map.removeLayer(tiles);
        boundaries.addTo(ctx.map);
        notice(ctx, config.labels.offline, "info");
      }
    });
    ctx.baseLayers[config.labels.tiles] = tiles;
    tiles.addTo(ctx.map);
    return null;
  }

  /* Points the page knows (a consulate, a search origin, an organisation's sites). */
  function addPoints(ctx, points) {
    var layer = L.featureGroup();
    points.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], {
        radius: 9, weight: 2, color: "#ffffff", fillColor: POINT_COLOURS[p.kind] || POINT_COLOURS.site, fillOpacity: 1,
      }).bindTooltip(el("span", null, p.label)).addTo(layer);
    });
    layer.addTo(ctx.map);
    return layer;
  }

  /* The controls folium writes carry no text (geo/maps.py says why): their words come from here. */
  function nameControls(container, labels) {
    var locate = container.querySelector(".leaflet-control-locate a");
    if (locate && labels.locate) {
      locate.title = labels.locate;
      locate.setAttribute("aria-label", labels.locate);
    }
  }

  function configOf(map) {
    var element = document.getElementById(map.getContainer().id + "-config");
    return JSON.parse(element.textContent);
  }

  function start(map) {
    var config = configOf(map);
    var container = map.getContainer();
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", config.title || "Map");
    // Panes keep the drawing order whatever layer arrives first: base map, then areas, then markers.
    map.createPane("cammina-base").style.zIndex = 150;
    map.createPane("cammina-areas").style.zIndex = 350;
    var ctx = {
      map: map, config: config, baseLayers: {}, overlays: {}, coverage: L.featureGroup().addTo(map), usesCoverage: false,
      baseRenderer: L.canvas({ pane: "cammina-base" }), areaRenderer: L.canvas({ pane: "cammina-areas" }),
    };
    nameControls(container, config.labels);
    var base = addBase(ctx);
    if (config.fit) map.fitBounds(config.fit, { maxZoom: 12 });
    if (config.points && config.points.length) addPoints(ctx, config.points);
    var pending = (config.layers || []).map(function (spec) {
      return Promise.resolve(LAYERS[spec.type](ctx, spec)).catch(function (error) {
        notice(ctx, config.labels.loadError, "error");
        if (window.console) console.error(error);
      });
    });
    if (base) pending.push(base);
    if (config.mode) {
      // A mode may work with the rest of the page (the form's fields): it starts once the page is parsed.
      pending.push(whenPageParsed(function () { return MODES[config.mode](ctx); }));
    }
    Promise.all(pending).then(function () {
      if (ctx.usesCoverage) ctx.overlays[config.labels.coverage] = ctx.coverage;
      var collapsed = window.innerWidth < 700 || container.clientHeight < 300;
      L.control.layers(ctx.baseLayers, ctx.overlays, { collapsed: collapsed }).addTo(map);
      container.dataset.ready = "1";
    });
    return ctx;
  }

  window.CamminaMap = {
    start: start,
    layers: LAYERS, // type -> function (ctx, spec), returning a promise when it fetches
    modes: MODES, // name -> function (ctx), run once the page is parsed
    util: { el: el, link: link, fetchJson: fetchJson, withId: withId, notice: notice },
  };
})();
