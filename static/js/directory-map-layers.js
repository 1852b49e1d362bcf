/* The data layers of the directory's maps, registered in CamminaMap.layers (directory-map.js reads the
 * page's configuration and calls them by their `type`): organisation sites (clustered, with a popup that
 * draws the organisation's coverage), consular districts (with a choropleth and its legend), one
 * district's outline, an organisation's coverage, consulates, click-to-search (the nearest search) and
 * the comparison of a proposal's coverage with the published one (review). All geometry is fetched as
 * GeoJSON from the app; entry text is put in the page with textContent only.
 */
(function () {
  "use strict";

  var util = window.CamminaMap.util;
  var el = util.el, link = util.link, fetchJson = util.fetchJson, withId = util.withId, notice = util.notice;
  var CLASS_COLOURS = ["#f7fcb9", "#addd8e", "#41ab5d", "#238443", "#005a32"]; // ColorBrewer YlGn
  var NONE_COLOUR = "#d9d9d9";
  var COVERAGE_STYLE = { color: "#b35806", weight: 2, fillColor: "#fdb863", fillOpacity: 0.25 };
  /* A proposal's coverage against the published one: what only the published version covers (removed)
   * in orange with a dashed outline, what only the proposal covers (added) in blue with a thick solid
   * outline, what both cover in purple with a thin dotted outline: told apart by line as well as by
   * colour (ColorBrewer PuOr ends and a blue, distinct for the common colour blindnesses). The same
   * styles draw the legend's swatches and the page's lists (static/css/edit.css). */
  var COMPARISON_STYLES = {
    removed: { color: "#b35806", weight: 3, dashArray: "8 6", fillColor: "#fdb863", fillOpacity: 0.35 },
    kept: { color: "#542788", weight: 2, dashArray: "2 4", fillColor: "#b2abd2", fillOpacity: 0.3 },
    added: { color: "#08519c", weight: 4, fillColor: "#6baed6", fillOpacity: 0.35 },
  };

  /* A tel: or wa.me link from the layer (built by the app from digits only: organisations/contact_links.py);
   * anything else is not made a link. */
  function contactLink(href, text, className) {
    if (!/^(tel:\+?[0-9,]+|https:\/\/wa\.me\/[0-9]+)$/.test(href || "")) return el("span", className, text);
    var a = el("a", className, text);
    a.href = href;
    return a;
  }

  function verifiedText(ctx, iso) {
    if (!iso) return ctx.config.labels.neverVerified;
    var day = new Date(iso + "T12:00:00Z");
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "medium", timeZone: "UTC" }).format(day);
    } catch (error) {
      return iso;
    }
  }

  function organisationPopup(ctx, props) {
    var labels = ctx.config.labels;
    var box = el("div", "org-popup");
    var title = el("strong");
    title.appendChild(link(withId(ctx.config.organisationUrl, props.org), props.name));
    box.appendChild(title);
    if (props.city) box.appendChild(el("div", "org-popup-city", props.city));
    if (props.phone) {
      var phone = el("div", "org-popup-phone");
      phone.appendChild(el("span", null, labels.phone + ": "));
      phone.appendChild(contactLink(props.tel, props.phone, "tel-link"));
      if (props.whatsapp) {
        phone.appendChild(document.createTextNode(" "));
        phone.appendChild(contactLink(props.whatsapp, labels.whatsapp, "whatsapp-link"));
      }
      box.appendChild(phone);
    }
    var verified = el("div", "org-popup-verified", labels.lastVerified + ": ");
    var day = el(props.verified ? "time" : "span", null, verifiedText(ctx, props.verified));
    if (props.verified) day.setAttribute("datetime", props.verified);
    verified.appendChild(day);
    box.appendChild(verified);
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

  // The layer comes as [lon, lat, exact (1/0), site id] rows (maps/site_points.py); a site's name,
  // phone and services are fetched when its tooltip or popup first opens, then kept.
  function siteDetails(ctx, siteId) {
    ctx.sites = ctx.sites || {};
    if (!ctx.sites[siteId]) {
      ctx.sites[siteId] = fetchJson(withId(ctx.config.siteUrl, siteId)).then(function (data) {
        return data.features[0].properties;
      });
    }
    return ctx.sites[siteId];
  }

  function showSite(ctx, marker, how) {
    siteDetails(ctx, marker.siteId).then(function (props) {
      if (how === "tooltip") {
        if (!marker.getTooltip()) marker.bindTooltip(el("span", null, props.name));
        if (ctx.map.hasLayer(marker)) marker.openTooltip();
        return;
      }
      if (!marker.getPopup()) {
        marker.bindPopup(organisationPopup(ctx, props));
        marker.on("popupopen", function () { showCoverage(ctx, props.org); });
      }
      marker.openPopup();
    }).catch(function () { notice(ctx, ctx.config.labels.loadError, "error"); });
  }

  function siteMarker(row) {
    var marker = L.circleMarker([row[1], row[0]], {
      radius: 7, weight: 2, color: "#ffffff", fillColor: row[2] ? "#1f5f8b" : "#8c6d1f", fillOpacity: 1,
    });
    marker.siteId = row[3];
    return marker;
  }

  var MARKER_GAP = 44; // px between the centres of two markers: 40 px cluster buttons never overlap

  /* A cluster's marker: its count in a circle sized by the count (a 40 px keyboard-focusable button);
   * `open` runs on a click or Enter. */
  function clusterMarker(ctx, position, count, open) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var shown = count < 1000 ? String(count) : Math.round(count / 100) / 10 + "k";
    var icon = L.divIcon({ html: "<span>" + shown + "</span>", className: "site-cluster site-cluster-" + size, iconSize: L.point(40, 40) });
    var label = ctx.config.labels.clusterSites.replace("{}", String(count));
    var marker = L.marker(position, { icon: icon, title: label, alt: label, keyboard: true });
    marker.on("click", open);
    marker.on("add", function () {
      // Leaflet makes the icon focusable (role button); Enter and Space act as a click does
      L.DomEvent.on(marker.getElement(), "keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") {
          L.DomEvent.preventDefault(e);
          open();
        }
      });
    });
    return marker;
  }

  /* The sites of a cluster that never splits (sites at one place, at the last zoom) listed in a popup,
   * each opening as a marker's would. */
  function listSites(ctx, position, leaves) {
    var list = el("ul", "cluster-sites");
    leaves.forEach(function (leaf) {
      var row = leaf.properties.row;
      var item = el("li");
      var button = el("button", null, "…");
      button.type = "button";
      siteDetails(ctx, row[3]).then(function (props) { button.textContent = props.name; });
      button.addEventListener("click", function () {
        ctx.map.closePopup();
        var single = siteMarker(row).addTo(ctx.map);
        single.on("popupclose", function () { ctx.map.removeLayer(single); });
        showSite(ctx, single, "popup");
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    var box = el("div", "cluster-popup");
    box.appendChild(el("strong", null, ctx.config.labels.sitesHere));
    box.appendChild(list);
    L.popup().setLatLng(position).setContent(box).openOn(ctx.map);
  }

  /* What the index gives for the view, with markers closer than MARKER_GAP joined into one (largest
   * first), so that no two buttons overlap: [{key, position, count, members}] (members: index features). */
  function declutter(map, zoom, features) {
    var items = features.map(function (f) {
      var position = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      var count = f.properties.cluster ? f.properties.point_count : 1;
      return { f: f, position: position, count: count, point: map.latLngToLayerPoint(position) };
    });
    items.sort(function (a, b) { return b.count - a.count; });
    var kept = [];
    items.forEach(function (item) {
      var near = null;
      for (var i = 0; i < kept.length && !near; i++) if (kept[i].point.distanceTo(item.point) < MARKER_GAP) near = kept[i];
      if (near) {
        near.members.push(item.f);
        near.count += item.count;
      } else {
        item.members = [item.f];
        kept.push(item);
      }
    });
    kept.forEach(function (item) {
      item.key = item.members.map(function (f) {
        return f.properties.cluster ? "c" + zoom + ":" + f.properties.cluster_id : "s" + f.properties.row[3];
      }).sort().join("|");
    });
    return kept;
  }

  /* The map's controls (zoom, layers, legend...) as boxes in the map's pixels: a cluster button under
   * one could be neither seen whole nor pressed, so it is not drawn there (panning brings it back). */
  function controlBoxes(container) {
    var frame = container.getBoundingClientRect();
    return Array.prototype.map.call(container.querySelectorAll(".leaflet-control"), function (node) {
      var r = node.getBoundingClientRect();
      return [r.left - frame.left, r.top - frame.top, r.right - frame.left, r.bottom - frame.top];
    });
  }

  function underControl(point, boxes) {
    var half = 22; // the 40 px button and a little room
    return boxes.some(function (b) {
      return point.x + half > b[0] && point.x - half < b[2] && point.y + half > b[1] && point.y - half < b[3];
    });
  }

  /* A worker of static/js/site-clusters-worker.js: ask(message) sends it a message and returns the
   * promise of its answer. */
  function clusterWorker(url) {
    var worker = new Worker(url);
    var waiting = {}, asked = 0;
    worker.onmessage = function (event) {
      var answer = event.data, promise = waiting[answer.id];
      delete waiting[answer.id];
      if (answer.error) promise.reject(new Error(answer.error));
      else promise.resolve(answer.result);
    };
    return {
      ask: function (message) {
        message.id = ++asked;
        return new Promise(function (resolve, reject) {
          waiting[message.id] = { resolve: resolve, reject: reject };
          worker.postMessage(message);
        });
      },
    };
  }

  function markersDrawn() {
    if (window.performance && performance.mark) performance.mark("cammina-markers");
  }

  /* The organisations' sites. Clustered (the default), with Supercluster in a worker
   * (site-clusters-worker.js fetches the rows and builds the index beside the page): only the clusters
   * and sites in view become markers; after each move the markers that stay are kept (an open popup
   * stays open), the others are replaced. With spec.cluster false, a marker per site. */
  function organisationsLayer(ctx, spec) {
    ctx.usesCoverage = true; // a marker's popup draws its organisation's coverage there
    var group = L.featureGroup();
    ctx.overlays[ctx.config.labels.organisations] = group;
    group.addTo(ctx.map);
    group.on("mouseover", function (e) { if (e.layer.siteId && !e.layer.getTooltip()) showSite(ctx, e.layer, "tooltip"); });
    group.on("click", function (e) { if (e.layer.siteId && !e.layer.getPopup()) showSite(ctx, e.layer, "popup"); });
    var map = ctx.map;
    var container = map.getContainer();
    if (spec.cluster === false) {
      return fetchJson(spec.url).then(function (data) {
        var rows = data.points;
        container.dataset.markers = String(rows.length);
        rows.forEach(function (row) { group.addLayer(siteMarker(row)); });
        if (spec.fit && rows.length) {
          map.fitBounds(L.latLngBounds(rows.map(function (row) { return [row[1], row[0]]; })), { maxZoom: 11, padding: [20, 20] });
        }
        markersDrawn();
      });
    }
    var worker = clusterWorker(ctx.config.clusterWorkerUrl);
    var load = worker.ask({
      type: "load",
      url: new URL(spec.url, window.location.href).href,
      library: new URL(ctx.config.clusterLibraryUrl, window.location.href).href,
      options: { radius: 60, maxZoom: map.getMaxZoom(), minPoints: 2 },
    });
    return load.then(function (loaded) {
      container.dataset.markers = String(loaded.count);
      var open = function (item) {
        return function () {
          var f = item.members[0];
          var zoom = map.getZoom();
          var next = item.members.length > 1 ? Promise.resolve(zoom + 2) : worker.ask({ type: "expansionZoom", cluster: f.properties.cluster_id });
          next.then(function (nextZoom) {
            if (nextZoom > zoom && zoom < map.getMaxZoom()) {
              map.setView(item.position, Math.min(nextZoom, map.getMaxZoom()));
              return null;
            }
            return Promise.all(item.members.map(function (m) {
              return m.properties.cluster ? worker.ask({ type: "leaves", cluster: m.properties.cluster_id, limit: 50 }) : [m];
            })).then(function (lists) {
              listSites(ctx, item.position, [].concat.apply([], lists).slice(0, 50));
            });
          }).catch(function () { notice(ctx, ctx.config.labels.loadError, "error"); });
        };
      };
      var shown = {}, asked = 0;
      var redraw = function () {
        if (!map.hasLayer(group)) return Promise.resolve();
        var mine = ++asked;
        var view = map.getBounds().pad(0.25);
        var zoom = Math.round(map.getZoom());
        var box = [Math.max(-180, view.getWest()), Math.max(-85, view.getSouth()), Math.min(180, view.getEast()), Math.min(85, view.getNorth())];
        return worker.ask({ type: "clusters", box: box, zoom: zoom }).then(function (features) {
          if (mine !== asked || !map.hasLayer(group) || Math.round(map.getZoom()) !== zoom) return;
          var next = {};
          var controls = controlBoxes(container);
          declutter(map, zoom, features).forEach(function (item) {
            var single = item.members.length === 1 && !item.members[0].properties.cluster;
            if (!single && underControl(map.latLngToContainerPoint(item.position), controls)) return;
            next[item.key] = shown[item.key] || (single ? siteMarker(item.members[0].properties.row) : clusterMarker(ctx, item.position, item.count, open(item)));
          });
          Object.keys(shown).forEach(function (key) { if (!next[key]) group.removeLayer(shown[key]); });
          Object.keys(next).forEach(function (key) { if (!shown[key]) group.addLayer(next[key]); });
          shown = next;
        });
      };
      map.on("moveend", redraw);
      group.on("add", function () { shown = {}; group.clearLayers(); redraw(); });
      if (spec.fit && loaded.bounds) {
        var b = loaded.bounds;
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 11, padding: [20, 20] });
      }
      return redraw().then(markersDrawn);
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

  /* The legend folds (a <details>: its title is the summary): open on a wide map, closed on a phone's,
   * where it would cover a third of the map; the reader's choice then stays. */
  function legendControl(ctx) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("details", "map-legend");
      box.open = ctx.map.getSize().x >= 600; // Leaflet's measure of the map, taken already (no new layout)
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(ctx.map);
    return control;
  }

  function drawLegend(ctx, control, title, breaks, max) {
    var box = control.getContainer();
    box.textContent = "";
    var summary = el("summary", null, title);
    summary.setAttribute("aria-live", "polite");
    box.appendChild(summary);
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

  /* The consular districts, coloured by organisations per district (spec.choropleth), with a tooltip
   * and a popup each. Drawn at two details (CamminaMap.util.twoDetails: spec.lowUrl at the first
   * zooms, spec.url when zoomed in); the counts are fetched beside the shapes, so that each district
   * is drawn once, in its colour. */
  function districtsLayer(ctx, spec) {
    var labels = ctx.config.labels;
    var counts = {}, breaks = [];
    function style(f) {
      if (!spec.choropleth) return { color: "#5e3c99", weight: 1, fillOpacity: 0.05, fillColor: "#b2abd2" };
      return { color: "#5e3c99", weight: 1, fillOpacity: 0.65, fillColor: colourFor(counts[f.properties.code] || 0, breaks) };
    }
    var layer = L.geoJSON(null, {
      renderer: ctx.areaRenderer,
      detailKey: "districtsDetail",
      style: style,
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
          // where the district comes from: "official, source X, as of DATE" or "approximate: nearest consulate"
          if (f.properties.provenance_text) box.appendChild(el("div", "district-provenance", f.properties.provenance_text));
          else if (f.properties.approximate) box.appendChild(el("div", null, labels.approximateDistrict));
          if (f.properties.code in counts) box.appendChild(el("div", null, counts[f.properties.code] + " " + labels.organisationsCount));
          return box;
        });
      },
    });
    ctx.overlays[labels.districts] = layer;
    layer.addTo(ctx.map);
    var legend = spec.choropleth ? legendControl(ctx) : null;

    function useCounts(data, countsUrl, title) {
      counts = data;
      breaks = classify(data);
      var values = Object.keys(data).map(function (k) { return data[k]; });
      var max = values.length ? Math.max.apply(null, values) : 0;
      drawLegend(ctx, legend, title, breaks, max);
      ctx.map.getContainer().dataset.choropleth = countsUrl;
    }

    function restyle(countsUrl, title) {
      return fetchJson(countsUrl).then(function (data) {
        useCounts(data, countsUrl, title);
        layer.setStyle(style);
      });
    }

    var before = null;
    if (spec.choropleth) {
      before = fetchJson(spec.choropleth.countsUrl).then(function (data) {
        useCounts(data, spec.choropleth.countsUrl, spec.choropleth.title);
      });
    }
    var ready = util.twoDetails(ctx, layer, { low: spec.lowUrl, full: spec.url }, before);
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
    ctx.usesCoverage = true;
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

  /* A proposal's coverage and the published one: features marked `change` (removed, kept, added), one
   * overlay each named by spec.labels, and a legend whose swatches show each line and fill. */
  function comparisonLegend(ctx, spec, counts) {
    var control = legendControl(ctx);
    var box = control.getContainer();
    box.appendChild(el("summary", null, spec.legendTitle || ""));
    Object.keys(spec.labels).forEach(function (name) {
      var style = COMPARISON_STYLES[name];
      var line = el("div", "map-legend-row comparison-" + name);
      var swatch = el("span", "map-legend-swatch comparison-swatch");
      swatch.style.background = style.fillColor;
      swatch.style.border = Math.min(style.weight, 3) + "px " + (style.dashArray ? (style.weight > 2 ? "dashed" : "dotted") : "solid") + " " + style.color;
      line.appendChild(swatch);
      line.appendChild(el("span", null, spec.labels[name] + " (" + counts[name] + ")"));
      box.appendChild(line);
    });
  }

  function comparisonLayer(ctx, spec) {
    return fetchJson(spec.url).then(function (data) {
      var bounds = L.latLngBounds([]);
      var counts = {};
      Object.keys(spec.labels).forEach(function (name) {
        var features = data.features.filter(function (f) { return f.properties.change === name; });
        var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: COMPARISON_STYLES[name],
          renderer: ctx.areaRenderer,
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(el("span", null, spec.labels[name] + ": " + (feature.properties.label || "")), { sticky: true });
          },
        }).addTo(ctx.map);
        ctx.overlays[spec.labels[name]] = layer;
        counts[name] = features.length;
        ctx.map.getContainer().dataset[name + "Features"] = String(features.length);
        if (features.length) bounds.extend(layer.getBounds());
      });
      comparisonLegend(ctx, spec, counts);
      if (bounds.isValid()) ctx.map.fitBounds(bounds, { padding: [10, 10] });
    });
  }

  var layers = window.CamminaMap.layers;
  layers.organisations = organisationsLayer;
  layers.districts = districtsLayer;
  layers.outline = outlineLayer;
  layers.coverage = coverageLayer;
  layers.consulates = consulatesLayer;
  layers.clickToSearch = clickToSearch;
  layers.comparison = comparisonLayer;
})();
