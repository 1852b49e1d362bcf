/* Shared by the editing maps (site picker, proposal coverage): a Leaflet map with the directory's
   own boundary layer (works offline) or tiles when the page gives a tile URL. No HTML is built from
   data: labels go through textContent only. */
(function () {
  "use strict";
  window.CamminaEditMap = {
    create: function (container) {
      var map = L.map(container).setView([18, -95], 4);
      var tiles = container.getAttribute("data-tiles");
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
      }
      var base = container.getAttribute("data-base-url");
      if (base) {
        fetch(base, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (data) {
              L.geoJSON(data, { interactive: false, style: { color: "#8795a1", weight: 1, fill: false } }).addTo(map);
            }
          })
          .catch(function () { /* the map still works without its base layer */ });
      }
      return map;
    },
    textTooltip: function (text) {
      var span = document.createElement("span");
      span.textContent = text;
      return span;
    },
  };
})();
