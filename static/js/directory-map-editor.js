/* The coverage editor, mode `editor` of the directory's map module (directory-map.js starts it with the
 * `editor` part of the page's JSON configuration, built by directory_app/organisations/maps.py): draw,
 * reshape and delete polygons on the map (Leaflet.draw 1.0.4, served locally) and keep the form's hidden
 * field filled with them as a GeoJSON FeatureCollection.
 *
 * The drawn areas start from the hidden field (what the server will save), the rest of the coverage
 * (units, countries, radii) is fetched from config.coverageUrl and shown for reference only, in the
 * map's coverage overlay; the organisation's sites are the configuration's points. Labels of areas come
 * from entries: they are only ever written with textContent.
 *
 * The units and countries ticked in the form's checklist (templates/edit/_coverage_editor.html) are
 * drawn as they are ticked (config.units: their outlines from /maps/units/<code>.geojson and
 * /maps/countries/<code>.geojson); a tap on the map, when not drawing, asks /api/v1/locate which units
 * hold the point and ticks the unit there (or unticks the ticked one), which the checklist and this
 * map then show.
 *
 * Polygons saved earlier carry a `keep` reference: while unchanged they are sent back as that
 * reference alone (geometry null), so a large uploaded area does not travel with every save
 * (organisations/coverage_drawn.py says why).
 */
(function () {
  "use strict";

  var DRAWN_STYLE = { color: "#1f5f8b", weight: 3, fillColor: "#4a90c2", fillOpacity: 0.3 };
  var CHOSEN_STYLE = { color: "#0b6e4f", weight: 2.5, fillColor: "#41ab5d", fillOpacity: 0.2 };
  var REFERENCE_STYLE = { color: "#b35806", weight: 2, dashArray: "6 4", fillColor: "#fdb863", fillOpacity: 0.15 };

  var util = window.CamminaMap.util;
  var el = util.el;

  function localise(labels) {
    var draw = L.drawLocal.draw, edit = L.drawLocal.edit;
    draw.toolbar.buttons.polygon = labels.drawPolygon;
    draw.toolbar.actions.title = draw.toolbar.actions.text = labels.cancel;
    draw.toolbar.finish.title = draw.toolbar.finish.text = labels.finish;
    draw.toolbar.undo.title = draw.toolbar.undo.text = labels.deleteLastPoint;
    draw.handlers.polygon.tooltip = { start: labels.startPolygon, cont: labels.continuePolygon, end: labels.endPolygon };
    draw.handlers.polyline.error = labels.crossing;
    edit.toolbar.buttons.edit = edit.toolbar.buttons.editDisabled = labels.editLayers;
    edit.toolbar.buttons.remove = edit.toolbar.buttons.removeDisabled = labels.removeLayers;
    edit.toolbar.actions.save.title = edit.toolbar.actions.save.text = labels.save;
    edit.toolbar.actions.cancel.title = edit.toolbar.actions.cancel.text = labels.cancel;
    edit.toolbar.actions.clearAll.title = edit.toolbar.actions.clearAll.text = labels.clearAll;
  }

  function polygonsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    if (geometry.type === "GeometryCollection") {
      return geometry.geometries.reduce(function (all, g) { return all.concat(polygonsOf(g)); }, []);
    }
    return [];
  }

  /* Each polygon of the field's features becomes one editable layer that keeps its label. */
  function loadField(ctx) {
    var text = ctx.input.value.trim();
    if (!text) return;
    var data;
    try { data = JSON.parse(text); } catch (error) { return; }
    var features = data.type === "FeatureCollection" ? data.features : [data.type === "Feature" ? data : { geometry: data }];
    (features || []).forEach(function (feature) {
      var props = feature.properties || {};
      var rings = polygonsOf(feature.geometry);
      rings.forEach(function (polygon) {
        var layer = L.polygon(L.GeoJSON.coordsToLatLngs(polygon, 1), L.extend({ renderer: ctx.renderer }, DRAWN_STYLE));
        // A saved polygon keeps its reference until it is reshaped (then it travels in full).
        layer.feature = { type: "Feature", properties: { label: props.label || "", keep: rings.length === 1 ? props.keep : null } };
        ctx.drawn.addLayer(layer);
      });
    });
  }

  function areaKm2(layer) {
    var rings = layer.getLatLngs();
    var outer = Array.isArray(rings[0]) ? rings[0] : rings;
    var area = L.GeometryUtil.geodesicArea(outer);
    for (var i = 1; Array.isArray(rings[0]) && i < rings.length; i++) area -= L.GeometryUtil.geodesicArea(rings[i]);
    return area / 1e6;
  }

  function vertexCount(layer) {
    return L.LineUtil.isFlat(layer.getLatLngs()) ? layer.getLatLngs().length
      : layer.getLatLngs().reduce(function (n, ring) { return n + ring.length; }, 0);
  }

  /* One row of the list beside the map: a name that can be changed, the area and the vertices. */
  function listItem(ctx, layer, number) {
    var labels = ctx.config.labels;
    var item = el("li");
    var name = el("input", "coverage-area-name");
    name.type = "text";
    name.maxLength = 200;
    name.value = layer.feature.properties.label || "";
    name.placeholder = labels.drawnArea;
    name.setAttribute("aria-label", labels.areaName + " " + number);
    name.addEventListener("change", function () {
      layer.feature.properties.label = name.value.trim();
      writeField(ctx);
    });
    item.appendChild(name);
    item.appendChild(el("span", null, " ≈ " + Math.round(areaKm2(layer)).toLocaleString() + " " + labels.km2 +
      " · " + vertexCount(layer) + " " + labels.vertices));
    return item;
  }

  /* The hidden field and the list beside the map say the same as the map. */
  function writeField(ctx) {
    var features = [];
    var list = document.getElementById(ctx.config.list);
    if (list) list.textContent = "";
    ctx.drawn.eachLayer(function (layer) {
      var props = (layer.feature && layer.feature.properties) || {};
      var label = props.label || "";
      var feature = props.keep
        ? { type: "Feature", geometry: null, properties: { label: label, keep: props.keep } }
        : L.extend(layer.toGeoJSON(), { properties: { label: label } });
      features.push(feature);
      if (list) list.appendChild(listItem(ctx, layer, features.length));
    });
    if (list && !features.length) list.appendChild(el("li", "empty", ctx.config.labels.noArea));
    ctx.input.value = features.length ? JSON.stringify({ type: "FeatureCollection", features: features }) : "";
    ctx.input.dispatchEvent(new Event("change", { bubbles: true }));
    ctx.map.getContainer().dataset.drawnAreas = String(features.length);
  }

  function loadReference(ctx, base) {
    if (!ctx.config.coverageUrl) return;
    util.fetchJson(ctx.config.coverageUrl).then(function (data) {
      // Drawn areas are in the field, ticked units and countries in the checklist's layer: the rest here.
      var shown = ctx.config.units ? ["polygon", "admin_unit", "country"] : ["polygon"];
      var others = data.features.filter(function (f) { return shown.indexOf(f.properties.kind) < 0; });
      L.geoJSON({ type: "FeatureCollection", features: others }, { style: REFERENCE_STYLE, interactive: false })
        .addTo(ctx.reference);
      ctx.map.getContainer().dataset.referenceFeatures = String(others.length);
    }).catch(function () { util.notice(base, ctx.config.labels.loadError, "error"); });
  }

  /* The ticked units and countries, drawn as they are ticked; a tap on the map ticks or unticks the
   * unit there. `spec` is config.units: the checklist's id, the outline URLs and the locate URL. */
  function chosenUnits(ctx, base) {
    var spec = ctx.config.units;
    var checklist = spec && document.getElementById(spec.checklist);
    if (!checklist) return;
    var layer = L.featureGroup().addTo(ctx.map);
    var shapes = {}; // value -> layer (or a pending promise)
    var container = ctx.map.getContainer();
    base.overlays[spec.labels.chosen] = layer;

    function inputs() { return Array.prototype.slice.call(checklist.querySelectorAll("input[name=units]")); }

    function outlineUrl(value) {
      var parts = value.split(":");
      return util.withId(parts[0] === "country" ? spec.countryUrl : spec.unitUrl, parts[1]);
    }

    function draw() {
      var wanted = {};
      var pending = [];
      inputs().forEach(function (input) { if (input.checked) wanted[input.value] = true; });
      Object.keys(shapes).forEach(function (value) {
        if (!wanted[value]) { if (shapes[value].remove) layer.removeLayer(shapes[value]); delete shapes[value]; }
      });
      Object.keys(wanted).forEach(function (value) {
        if (shapes[value]) return;
        shapes[value] = {};
        pending.push(util.fetchJson(outlineUrl(value)).then(function (data) {
          if (!shapes[value]) return; // unticked meanwhile
          var shape = L.geoJSON(data, { style: CHOSEN_STYLE, interactive: false, renderer: base.areaRenderer });
          shapes[value] = shape;
          layer.addLayer(shape);
        }).catch(function () { delete shapes[value]; util.notice(base, ctx.config.labels.loadError, "error"); }));
      });
      container.dataset.chosenUnits = "…";
      return Promise.all(pending).then(function () {
        container.dataset.chosenUnits = String(Object.keys(shapes).filter(function (v) { return shapes[v].remove; }).length);
      });
    }

    function say(text) {
      var status = document.getElementById(spec.status);
      if (status) status.textContent = text;
    }

    /* Which unit a tap means: the deepest ticked unit at the point (untick it), else the deepest one
     * the checklist offers (tick it). */
    function toggleAt(latlng) {
      var url = new URL(spec.locateUrl, window.location.href);
      url.searchParams.set("lon", latlng.wrap().lng.toFixed(5));
      url.searchParams.set("lat", latlng.lat.toFixed(5));
      return util.fetchJson(url.toString()).then(function (found) {
        var byValue = {};
        inputs().forEach(function (input) { byValue[input.value] = input; });
        var units = (found.admin_units || []).slice().sort(function (a, b) { return b.level - a.level; })
          .map(function (u) { return byValue["unit:" + u.code]; }).filter(Boolean);
        if (!units.length) { say(spec.labels.noUnit); return; }
        var ticked = units.filter(function (input) { return input.checked; });
        var input = ticked.length ? ticked[0] : units[0];
        input.checked = !ticked.length;
        var name = input.parentNode.textContent.trim();
        say((input.checked ? spec.labels.added : spec.labels.removed).replace("{name}", name));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }).catch(function () { util.notice(base, ctx.config.labels.loadError, "error"); });
    }

    var busy = false; // drawing, reshaping or deleting areas: taps belong to Leaflet.draw
    ["DRAWSTART", "EDITSTART", "DELETESTART"].forEach(function (e) { ctx.map.on(L.Draw.Event[e], function () { busy = true; }); });
    ["DRAWSTOP", "EDITSTOP", "DELETESTOP"].forEach(function (e) {
      ctx.map.on(L.Draw.Event[e], function () { setTimeout(function () { busy = false; }, 0); });
    });
    ctx.map.on("click", function (event) { if (!busy) toggleAt(event.latlng); });
    checklist.addEventListener("change", function (event) { if (event.target.name === "units") draw(); });
    return draw();
  }

  /* `base` is the map's context (directory-map.js): its coverage overlay, in the layer control, holds
   * the reference layer. */
  function attach(base) {
    var map = base.map, config = base.config.editor;
    var input = document.getElementById(config.field);
    if (!input || !L.Control.Draw) return;
    localise(config.labels);
    base.usesCoverage = true;
    var ctx = {
      map: map, config: config, input: input, renderer: L.svg({ padding: 0.5 }),
      drawn: L.featureGroup().addTo(map), reference: base.coverage,
    };
    loadField(ctx);
    loadReference(ctx, base);
    chosenUnits(ctx, base);
    map.addControl(new L.Control.Draw({
      position: "topright",
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: L.extend({ renderer: ctx.renderer }, DRAWN_STYLE) },
        polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false,
      },
      edit: { featureGroup: ctx.drawn, poly: { allowIntersection: false } },
    }));
    map.on(L.Draw.Event.CREATED, function (event) {
      event.layer.feature = { type: "Feature", properties: { label: "" } };
      ctx.drawn.addLayer(event.layer);
      writeField(ctx);
    });
    map.on(L.Draw.Event.EDITED, function (event) {
      event.layers.eachLayer(function (layer) { if (layer.feature) layer.feature.properties.keep = null; });
      writeField(ctx);
    });
    map.on(L.Draw.Event.DELETED, function () { writeField(ctx); });
    writeField(ctx);
    if (ctx.drawn.getLayers().length) map.fitBounds(ctx.drawn.getBounds(), { padding: [20, 20], maxZoom: 11 });
    map.getContainer().dataset.editor = "ready";
  }

  window.CamminaMap.modes.editor = attach;
})();
