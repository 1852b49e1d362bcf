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

  /* Base layers: raster tiles when reachable, and our own boundaries, which need no internet. Returns
   * the loading of the boundaries when they are shown from the start. */
  function addBase(ctx) {
    var config = ctx.config;
    var boundaries = L.layerGroup();
    var loading = null;
    boundaries.on("add", function () {
      if (loading) return;
      loading = fetchJson(config.baseUrl).then(function (data) {
        var areas = data.features.filter(function (f) { return f.properties.label && f.properties.name; }).map(function (f) {
          var p = f.properties;
          return { name: p.name, lat: p.label[1], lon: p.label[0], kind: p.level === 0 ? "country" : "unit" };
        });
        L.geoJSON(data, {
          interactive: false,
          attribution: config.baseAttribution,
          renderer: ctx.baseRenderer,
          style: function (f) {
            return f.properties.level === 0
              ? { color: "#4d4d4d", weight: 1.5, fillColor: "#f2efe9", fillOpacity: 1 }
              : { color: "#9e9e9e", weight: 0.6, fill: false };
          },
        }).addTo(boundaries);
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
    // Panes keep the drawing order whatever layer arrives first: base map, then areas, then markers.
    map.createPane("cammina-base").style.zIndex = 150;
    map.createPane("cammina-areas").style.zIndex = 350;
    map.createPane("cammina-labels").style.zIndex = 390;
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
