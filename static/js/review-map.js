/* Proposal page: the published coverage and the proposed coverage as two GeoJSON layers on one map. */
(function () {
  "use strict";
  var box = document.querySelector(".review-map");
  if (!box || typeof L === "undefined") { return; }
  var map = window.CamminaEditMap.create(box);
  var styles = {
    current: { color: "#5b6770", weight: 2, dashArray: "6 4", fillOpacity: 0.15 },
    proposed: { color: "#0b6e4f", weight: 2, fillOpacity: 0.25 },
  };
  fetch(box.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layers = {};
      ["current", "proposed"].forEach(function (name) {
        var features = data.features.filter(function (f) { return f.properties.layer === name; });
        layers[name] = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: styles[name],
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(window.CamminaEditMap.textTooltip(String(feature.properties.label || "")), { sticky: true });
          },
        }).addTo(map);
      });
      var overlays = {};
      overlays[box.getAttribute("data-label-current")] = layers.current;
      overlays[box.getAttribute("data-label-proposed")] = layers.proposed;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      var bounds = layers.current.getBounds().extend(layers.proposed.getBounds());
      if (bounds.isValid()) { map.fitBounds(bounds); }
    })
    .catch(function () { box.classList.add("map-error"); });
})();
