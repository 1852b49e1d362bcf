/* The directory's map layers, fetched by the browser as GeoJSON from the app itself.
 *
 * geo/maps.py (folium) writes the map and calls CamminaMap.attach(map, config) with the layers
 * to draw, read from the page's JSON element (the map script itself holds no text, not even the
 * controls' titles: nameControls sets them). Text from entries (names, cities) arrives in feature
 * properties and the configuration, and is only ever put in the page with textContent or as DOM
 * nodes, never as HTML: Leaflet's bindPopup and bindTooltip treat strings as HTML, so they are
 * always given elements here.
 */
(function () {
  "use strict";

  var CLASS_COLOURS = ["#f7fcb9", "#addd8e", "#41ab5d", "#238443", "#005a32"]; // ColorBrewer YlGn
  var NONE_COLOUR = "#d9d9d9";
  var COVERAGE_STYLE = { color: "#b35806", weight: 2, fillColor: "#fdb863", fillOpacity: 0.25 };

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
    var box = ctx.map.getContainer().parentNode.querySelector(".map-notice");
    if (!box) {
      box = el("p", "map-notice");
      box.setAttribute("role", "status");
      ctx.map.getContainer().parentNode.insertBefore(box, ctx.map.getContainer());
    }
    box.textContent = text;
    box.dataset.kind = kind || "info";
  }

  /* Base layers: raster tiles when reachable, and our own boundaries, which need no internet. */
  function addBase(ctx) {
    var config = ctx.config;
    var boundaries = L.layerGroup();
    var loaded = false;
    boundaries.on("add", function () {
      if (loaded) return;
      loaded = true;
      fetchJson(config.baseUrl).then(function (data) {
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
      return;
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
  }

  function organisationPopup(ctx, props) {
    var labels = ctx.config.labels;
    var box = el("div", "org-popup");
    var title = el("strong");
    title.appendChild(link(withId(ctx.config.organisationUrl, props.org), props.name));
    box.appendChild(title);
    if (props.city) box.appendChild(el("div", "org-popup-city", props.city));
    if (props.services && props.services.length) {
      var list = el("ul", "org-popup-services");
      props.services.forEach(function (code) { list.appendChild(el("li", null, ctx.config.services[code] || code)); });
      box.appendChild(list);
    }
    if (!props.exact) box.appendChild(el("p", "org-popup-approximate", labels.approximate));
    box.appendChild(link(withId(ctx.config.organisationUrl, props.org), labels.details));
    return box;
  }

  function showCoverage(ctx, organisationId) {
    ctx.coverage.clearLayers();
    fetchJson(withId(ctx.config.coverageUrl, organisationId)).then(function (data) {
      L.geoJSON(data, { style: COVERAGE_STYLE, interactive: false, renderer: ctx.areaRenderer }).addTo(ctx.coverage);
      ctx.map.getContainer().dataset.coverageFeatures = String(data.features.length);
    }).catch(function () { notice(ctx, ctx.config.labels.loadError, "error"); });
  }

  function organisationsLayer(ctx, spec) {
    var group = spec.cluster === false ? L.featureGroup() : L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    ctx.overlays[ctx.config.labels.organisations] = group;
    group.addTo(ctx.map);
    return fetchJson(spec.url).then(function (data) {
      var markers = data.features.map(function (f) {
        var c = f.geometry.coordinates;
        var marker = L.circleMarker([c[1], c[0]], {
          radius: 7, weight: 2, color: "#ffffff", fillColor: f.properties.exact ? "#1f5f8b" : "#8c6d1f", fillOpacity: 1,
        });
        // Contents are built when first shown (functions), not for every marker up front.
        marker.bindTooltip(function () { return el("span", null, f.properties.name); });
        marker.bindPopup(function () { return organisationPopup(ctx, f.properties); });
        marker.on("popupopen", function () { showCoverage(ctx, f.properties.org); });
        return marker;
      });
      group.addLayers ? group.addLayers(markers) : markers.forEach(function (m) { group.addLayer(m); });
      var container = ctx.map.getContainer();
      container.dataset.markers = String(markers.length);
      if (spec.fit && markers.length) ctx.map.fitBounds(group.getBounds(), { maxZoom: 11, padding: [20, 20] });
      if (window.performance && performance.mark) performance.mark("cammina-markers");
    });
  }

  function classify(counts) {
    var values = Object.keys(counts).map(function (k) { return counts[k]; }).filter(function (v) { return v > 0; });
    values.sort(function (a, b) { return a - b; });
    if (!values.length) return [];
    var breaks = [];
    for (var i = 1; i < CLASS_COLOURS.length; i++) {
      breaks.push(values[Math.min(values.length - 1, Math.floor((i * values.length) / CLASS_COLOURS.length))]);
    }
    var unique = [];
    breaks.forEach(function (b) { if (unique.indexOf(b) < 0) unique.push(b); });
    return unique; // upper bounds (exclusive) of every class but the last
  }

  function colourFor(count, breaks) {
    if (!count) return NONE_COLOUR;
    var index = 0;
    while (index < breaks.length && count >= breaks[index]) index += 1;
    return CLASS_COLOURS[Math.round((index * (CLASS_COLOURS.length - 1)) / Math.max(1, breaks.length))];
  }

  function legendControl(ctx) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", "map-legend");
      box.setAttribute("aria-live", "polite");
      return box;
    };
    control.addTo(ctx.map);
    return control;
  }

  function drawLegend(ctx, control, title, breaks, max) {
    var box = control.getContainer();
    box.textContent = "";
    box.appendChild(el("strong", null, title));
    var rows = [[0, 0, ctx.config.labels.noData]];
    var lower = 1;
    breaks.concat([max + 1]).forEach(function (upper) {
      if (upper <= lower) return;
      rows.push([lower, upper - 1, upper - 1 > lower ? lower + "–" + (upper - 1) : String(lower)]);
      lower = upper;
    });
    rows.forEach(function (row) {
      var line = el("div", "map-legend-row");
      var swatch = el("span", "map-legend-swatch");
      swatch.style.background = colourFor(row[0], breaks);
      line.appendChild(swatch);
      line.appendChild(el("span", null, row[2]));
      box.appendChild(line);
    });
  }

  function districtsLayer(ctx, spec) {
    var labels = ctx.config.labels;
    var counts = {};
    var layer = L.geoJSON(null, {
      renderer: ctx.areaRenderer,
      style: function () { return { color: "#5e3c99", weight: 1, fillOpacity: spec.choropleth ? 0.65 : 0.05, fillColor: "#b2abd2" }; },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(function () {
          var text = f.properties.name + (f.properties.code in counts ? " · " + counts[f.properties.code] + " " + labels.organisationsCount : "");
          return el("span", null, text);
        }, { sticky: true });
        lyr.bindPopup(function () {
          var box = el("div", "district-popup");
          var title = el("strong");
          title.appendChild(link(withId(ctx.config.districtUrl, f.properties.code), f.properties.name));
          box.appendChild(title);
          if (f.properties.approximate) box.appendChild(el("div", null, labels.approximateDistrict));
          if (f.properties.code in counts) box.appendChild(el("div", null, counts[f.properties.code] + " " + labels.organisationsCount));
          return box;
        });
      },
    });
    ctx.overlays[labels.districts] = layer;
    layer.addTo(ctx.map);
    var legend = spec.choropleth ? legendControl(ctx) : null;

    function restyle(countsUrl, title) {
      return fetchJson(countsUrl).then(function (data) {
        counts = data;
        var values = Object.keys(data).map(function (k) { return data[k]; });
        var breaks = classify(data);
        var max = values.length ? Math.max.apply(null, values) : 0;
        layer.setStyle(function (f) {
          return { color: "#5e3c99", weight: 1, fillOpacity: 0.65, fillColor: colourFor(data[f.properties.code] || 0, breaks) };
        });
        drawLegend(ctx, legend, title, breaks, max);
        ctx.map.getContainer().dataset.choropleth = countsUrl;
      });
    }

    var ready = fetchJson(spec.url).then(function (data) {
      layer.addData(data);
      if (spec.choropleth) return restyle(spec.choropleth.countsUrl, spec.choropleth.title);
    });
    if (spec.choropleth && spec.choropleth.select) {
      var select = document.getElementById(spec.choropleth.select);
      if (select) {
        select.addEventListener("change", function () {
          var option = select.options[select.selectedIndex];
          restyle(option.dataset.countsUrl, option.dataset.legendTitle);
          var url = new URL(window.location.href);
          if (select.value) url.searchParams.set(select.name, select.value); else url.searchParams.delete(select.name);
          window.history.replaceState(null, "", url);
        });
      }
    }
    return ready;
  }

  function outlineLayer(ctx, spec) {
    return fetchJson(spec.url).then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#5e3c99", weight: 2.5, fillColor: "#b2abd2", fillOpacity: 0.2 }, interactive: false, renderer: ctx.areaRenderer,
      });
      ctx.overlays[spec.label || ctx.config.labels.district] = layer;
      layer.addTo(ctx.map);
      if (spec.fit && data.features.length) ctx.map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      ctx.map.getContainer().dataset.outline = "1";
    });
  }

  function coverageLayer(ctx, spec) {
    ctx.coverage.clearLayers();
    return fetchJson(spec.url).then(function (data) {
      L.geoJSON(data, { style: COVERAGE_STYLE, interactive: false, renderer: ctx.areaRenderer }).addTo(ctx.coverage);
      ctx.map.getContainer().dataset.coverageFeatures = String(data.features.length);
      if (spec.fit && data.features.length) ctx.map.fitBounds(ctx.coverage.getBounds(), { padding: [10, 10], maxZoom: 10 });
    });
  }

  function consulatesLayer(ctx, spec) {
    var layer = L.featureGroup();
    ctx.overlays[ctx.config.labels.consulates] = layer;
    if (spec.show !== false) layer.addTo(ctx.map);
    return fetchJson(spec.url).then(function (data) {
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { radius: 5, weight: 1, color: "#ffffff", fillColor: "#7b2d8b", fillOpacity: 1 })
          .bindTooltip(el("span", null, f.properties.name))
          .addTo(layer);
      });
    });
  }

  function clickToSearch(ctx, spec) {
    ctx.map.on("click", function (event) {
      var url = new URL(spec.url, window.location.href);
      url.searchParams.set("lat", event.latlng.lat.toFixed(5));
      url.searchParams.set("lon", event.latlng.wrap().lng.toFixed(5));
      window.location.assign(url.toString());
    });
    ctx.map.getContainer().title = ctx.config.labels.nearestHere;
  }

  var POINT_COLOURS = { consulate: "#7b2d8b", origin: "#c0392b", site: "#1f5f8b" };

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

  var LAYERS = {
    organisations: organisationsLayer,
    districts: districtsLayer,
    outline: outlineLayer,
    coverage: coverageLayer,
    consulates: consulatesLayer,
    clickToSearch: clickToSearch,
  };

  window.CamminaMap = {
    attach: function (map, config) {
      var container = map.getContainer();
      container.setAttribute("role", "region");
      container.setAttribute("aria-label", config.title || "Map");
      // Panes keep the drawing order whatever layer arrives first: base map, then areas, then markers.
      map.createPane("cammina-base").style.zIndex = 150;
      map.createPane("cammina-areas").style.zIndex = 350;
      var ctx = {
        map: map, config: config, baseLayers: {}, overlays: {}, coverage: L.featureGroup().addTo(map),
        baseRenderer: L.canvas({ pane: "cammina-base" }), areaRenderer: L.canvas({ pane: "cammina-areas" }),
      };
      nameControls(container, config.labels);
      addBase(ctx);
      if (config.fit) map.fitBounds(config.fit, { maxZoom: 12 });
      if (config.points && config.points.length) addPoints(ctx, config.points);
      var pending = (config.layers || []).map(function (spec) {
        return Promise.resolve(LAYERS[spec.type](ctx, spec)).catch(function (error) {
          notice(ctx, config.labels.loadError, "error");
          if (window.console) console.error(error);
        });
      });
      ctx.overlays[config.labels.coverage] = ctx.coverage;
      Promise.all(pending).then(function () {
        L.control.layers(ctx.baseLayers, ctx.overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
        container.dataset.ready = "1";
      });
      return ctx;
    },
  };
})();
