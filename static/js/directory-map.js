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

  /* Names on the offline base map: countries (zoom up to 5), states, provinces and departments (zoom 5
   * to 9) and the gazetteer's cities, the largest first, a population tier more at each zoom step
   * (config.placesUrl, tiers 0-3: fetched when first needed). Labels that would overlap a larger
   * place's are left out; names are DOM text, never HTML. */
  var CITY_TIER_ZOOM = [4, 6, 8, 10]; // the zoom from which each tier is shown
  function addPlaceNames(ctx, group, areas) {
    var map = ctx.map;
    var labels = L.layerGroup().addTo(group);
    var cities = [], tiers = {};
    function fetchTier(tier) {
      if (tiers[tier] || !ctx.config.placesUrl) return;
      tiers[tier] = fetchJson(ctx.config.placesUrl.replace("__TIER__", String(tier))).then(function (data) {
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          cities.push({ name: f.properties.name, rank: f.properties.population, lat: c[1], lon: c[0], kind: "city", tier: tier });
        });
        cities.sort(function (a, b) { return b.rank - a.rank; });
        draw();
      }).catch(function () { delete tiers[tier]; });
    }
    function draw() {
      if (!map.hasLayer(group)) return;
      var zoom = map.getZoom(), bounds = map.getBounds().pad(0.1);
      CITY_TIER_ZOOM.forEach(function (z, tier) { if (zoom >= z) fetchTier(tier); });
      var wanted = [];
      areas.forEach(function (a) { if (a.kind === "country" && zoom <= 5) wanted.push(a); });
      cities.forEach(function (c) { if (zoom >= CITY_TIER_ZOOM[c.tier]) wanted.push(c); });
      areas.forEach(function (a) { if (a.kind === "unit" && zoom >= 5 && zoom <= 9) wanted.push(a); });
      var taken = {}, shown = 0;
      labels.clearLayers();
      wanted.forEach(function (p) {
        if (shown >= 150 || !bounds.contains([p.lat, p.lon])) return;
        var at = map.latLngToContainerPoint([p.lat, p.lon]);
        var cell = Math.floor(at.x / 110) + ":" + Math.floor(at.y / 22);
        if (taken[cell]) return;
        taken[cell] = true;
        shown += 1;
        var text = el("span", "map-place map-place-" + p.kind, p.name);
        L.marker([p.lat, p.lon], {
          icon: L.divIcon({ html: text, className: "map-place-icon", iconSize: null }), interactive: false, keyboard: false,
          pane: "cammina-labels", // under the sites and their clusters, over the areas
        }).addTo(labels);
      });
      map.getContainer().dataset.placeNames = String(shown);
    }
    map.on("zoomend moveend", draw);
    group.on("add", draw);
    draw();
  }

  /* GeoJSON features added to `layer` a few at a time, in slices of SLICE_MS, so that the page answers
   * between slices (the offline base map and the districts drawn in one go blocked a phone's page for a
   * second and more). A feature replaces the one of the same id already drawn (byId: id -> layer), so
   * a layer at another detail takes the place of the former one feature by feature, never leaving a
   * gap nor drawing an area twice. `current()` false stops the slices (a newer detail took over). */
  var SLICE_MS = 5; // ms here; four times that on the slow phone Lighthouse simulates, under its 50 ms
  function addSliced(layer, features, byId, current) {
    var options = layer.options;
    // The shapes take the layer's options but its attribution, which the layer itself gives: one per
    // shape rewrote the attribution control (and the page's layout) hundreds of times.
    var shapeOptions = L.extend({}, options, { attribution: null });
    function addOne(f) {
      var shape = L.GeoJSON.geometryToLayer(f, shapeOptions);
      if (!shape) return;
      shape.feature = L.GeoJSON.asFeature(f);
      shape.defaultOptions = shape.options;
      layer.resetStyle(shape);
      if (options.onEachFeature) options.onEachFeature(f, shape);
      layer.addLayer(shape);
      if (options.atBack && shape.bringToBack) shape.bringToBack();
      if (byId[f.id]) layer.removeLayer(byId[f.id]);
      byId[f.id] = shape;
    }
    var release = holdRedraws(options.renderer);
    // A layer drawn under the others on their canvas (options.atBack: the base map) is added from its
    // last feature to its first, each brought to the back: its own order stays, under everything else.
    var order = options.atBack ? features.slice().reverse() : features;
    return new Promise(function (resolve) {
      var next = 0;
      (function slice() {
        if (!current()) {
          release();
          return resolve(false);
        }
        var until = Date.now() + SLICE_MS;
        while (next < order.length && (Date.now() < until || next === 0)) addOne(order[next++]);
        if (next < order.length) return setTimeout(slice, 0);
        release();
        resolve(true);
      })();
    });
  }

  /* A canvas renderer draws once, when `release()` is called, instead of after each slice: every
   * drawing of a canvas the size of the map is a task of its own on a phone. (Leaflet 1.9's Canvas:
   * _requestRedraw schedules _redraw for the next frame; meanwhile only the bounds to redraw grow.) */
  function holdRedraws(renderer) {
    if (!(renderer instanceof L.Canvas)) return function () {};
    renderer.cammina_held = (renderer.cammina_held || 0) + 1;
    renderer._requestRedraw = function (layer) {
      if (this._map) this._extendRedrawBounds(layer);
    };
    return function release() {
      renderer.cammina_held -= 1;
      if (renderer.cammina_held) return;
      delete renderer._requestRedraw; // Leaflet's own again
      if (renderer._map && renderer._redrawBounds) {
        renderer._redrawRequest = renderer._redrawRequest || L.Util.requestAnimFrame(renderer._redraw, renderer);
      }
    };
  }

  /* A GeoJSON layer served at two details (maps.views, `detail=low`): urls.low while the map's zoom is
   * config.lowZoom or less (its first views: a third of the vertices), urls.full beyond; each fetched
   * when first needed, then kept. `before` (optional) is a promise to wait for before drawing (the
   * choropleth's counts); `first(data)` runs once the first detail is drawn. Returns that drawing. */
  function twoDetails(ctx, layer, urls, before, first) {
    var map = ctx.map, fetched = {}, shown = null, generation = 0, byId = {};
    var settle = {};
    var firstDrawn = new Promise(function (resolve, reject) { settle = { resolve: resolve, reject: reject }; });
    function wanted() { return urls.low && map.getZoom() <= ctx.config.lowZoom ? "low" : "full"; }
    function show() {
      var detail = wanted();
      if (detail === shown || !map.hasLayer(layer)) return;
      shown = detail;
      var mine = ++generation;
      fetched[detail] = fetched[detail] || fetchJson(detail === "low" ? urls.low : urls.full);
      Promise.all([fetched[detail], before]).then(function (results) {
        var data = results[0];
        return addSliced(layer, data.features, byId, function () { return mine === generation; }).then(function (complete) {
          if (!complete) return;
          map.getContainer().dataset[layer.options.detailKey || "detail"] = detail;
          if (first) first(data);
          first = null;
          settle.resolve();
        });
      }).catch(function (error) {
        delete fetched[detail];
        if (shown === detail) shown = null; // tried again at the next zoom
        settle.reject(error);
        if (!first) notice(ctx, ctx.config.labels.loadError, "error"); // the first failure is the caller's
      });
    }
    map.on("zoomend", show);
    layer.on("add", show);
    if (!map.hasLayer(layer)) settle.resolve();
    show();
    return firstDrawn;
  }

  /* Base layers: raster tiles when reachable, and our own boundaries, which need no internet. Returns
   * the loading of the boundaries when they are shown from the start. */
  function addBase(ctx) {
    var config = ctx.config;
    var boundaries = L.layerGroup();
    var loading = null;
    boundaries.on("add", function () {
      if (loading) return;
      var shapes = L.geoJSON(null, {
        interactive: false,
        attribution: config.baseAttribution,
        renderer: ctx.baseRenderer,
        atBack: true,
        detailKey: "baseDetail",
        style: function (f) {
          return f.properties.level === 0
            ? { color: "#4d4d4d", weight: 1.5, fillColor: "#f2efe9", fillOpacity: 1 }
            : { color: "#9e9e9e", weight: 0.6, fill: false };
        },
      }).addTo(boundaries);
      loading = twoDetails(ctx, shapes, { low: config.baseLowUrl, full: config.baseUrl }, null, function (data) {
        var areas = data.features.filter(function (f) { return f.properties.label && f.properties.name; }).map(function (f) {
          var p = f.properties;
          return { name: p.name, lat: p.label[1], lon: p.label[0], kind: p.level === 0 ? "country" : "unit" };
        });
        addPlaceNames(ctx, boundaries, areas);
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
    // Panes keep the drawing order whatever layer arrives first: areas, then place names, then markers.
    // The offline base map is drawn on the areas' canvas, under them (atBack): one canvas the size of
    // the map to draw and hand to the compositor instead of two.
    map.createPane("cammina-areas").style.zIndex = 350;
    map.createPane("cammina-labels").style.zIndex = 390;
    var areaRenderer = L.canvas({ pane: "cammina-areas" });
    var ctx = {
      map: map, config: config, baseLayers: {}, overlays: {}, coverage: L.featureGroup().addTo(map), usesCoverage: false,
      baseRenderer: areaRenderer, areaRenderer: areaRenderer,
    };
    nameControls(container, config.labels);
    // The first view is set before the base map is drawn, at once: the base map's detail follows the zoom.
    if (config.fit) map.fitBounds(config.fit, { maxZoom: 12, animate: false });
    var base = addBase(ctx);
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
      var collapsed = window.innerWidth < 700 || map.getSize().y < 300;
      L.control.layers(ctx.baseLayers, ctx.overlays, { collapsed: collapsed }).addTo(map);
      container.dataset.ready = "1";
    });
    return ctx;
  }

  window.CamminaMap = {
    start: start,
    layers: LAYERS, // type -> function (ctx, spec), returning a promise when it fetches
    modes: MODES, // name -> function (ctx), run once the page is parsed
    util: { el: el, link: link, fetchJson: fetchJson, withId: withId, notice: notice, twoDetails: twoDetails },
  };
})();
