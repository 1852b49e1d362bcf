/* Site picker of the edit form: a small map under each site's latitude/longitude inputs; a click
   on the map writes the point into the inputs, and typing moves the marker. */
(function () {
  "use strict";
  function parse(value) {
    var n = parseFloat(String(value || "").replace(",", "."));
    return isFinite(n) ? n : null;
  }
  function attach(box) {
    var latInput = document.getElementById(box.getAttribute("data-lat-input"));
    var lonInput = document.getElementById(box.getAttribute("data-lon-input"));
    if (!latInput || !lonInput || typeof L === "undefined") { return; }
    box.hidden = false;
    var map = window.CamminaEditMap.create(box);
    var marker = null;
    function place(lat, lon, pan) {
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return; }
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
      if (pan) { map.setView([lat, lon], Math.max(map.getZoom(), 10)); }
    }
    place(parse(latInput.value), parse(lonInput.value), true);
    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lonInput.value = event.latlng.wrap().lng.toFixed(6);
      place(event.latlng.lat, event.latlng.wrap().lng, false);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () { place(parse(latInput.value), parse(lonInput.value), true); });
    });
  }
  window.CamminaSitePicker = { attach: attach };  // edit-rows.js attaches the pickers of added sites
  document.querySelectorAll(".site-picker").forEach(attach);
})();
