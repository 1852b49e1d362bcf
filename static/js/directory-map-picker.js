/* The site picker, mode `picker` of the directory's map module (directory-map.js starts it with the
 * `picker` part of the page's JSON configuration, built by directory_app/organisations/maps.py).
 *
 * One map serves every site of the edit form. Each site row has a slot (config.slots, e.g.
 * `.site-picker`, whose data-lat-input and data-lon-input name the row's fields); the map sits in the
 * slot of the site being placed, and the other slots offer a button that brings it there. A click on
 * the map writes the point into that site's fields; typing in them moves the marker. A row added by
 * edit-rows.js (event `edit-row-added`) gets its slot, and the map, at once.
 */
(function () {
  "use strict";

  var util = window.CamminaMap.util;

  function parse(value) {
    var n = parseFloat(String(value || "").replace(",", "."));
    return isFinite(n) ? n : null;
  }

  function start(ctx) {
    var config = ctx.config.picker;
    var map = ctx.map;
    var frame = map.getContainer().parentNode; // the .map-frame that moves from slot to slot
    var adopted = [];
    var active = null;
    var marker = null;

    function fields(slot) {
      return {
        lat: document.getElementById(slot.getAttribute("data-lat-input")),
        lon: document.getElementById(slot.getAttribute("data-lon-input")),
      };
    }

    function showPosition(pan) {
      var f = fields(active);
      var lat = parse(f.lat.value), lon = parse(f.lon.value);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        if (marker) { map.removeLayer(marker); marker = null; }
        return;
      }
      if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon]).addTo(map);
      if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 10));
    }

    function activate(slot) {
      if (active === slot) return;
      if (active) active.querySelector(".site-picker-button").hidden = false;
      active = slot;
      slot.querySelector(".site-picker-button").hidden = true;
      slot.appendChild(frame);
      map.invalidateSize();
      showPosition(true);
    }

    function adopt(slot) {
      var f = fields(slot);
      if (adopted.indexOf(slot) >= 0 || !f.lat || !f.lon) return false;
      adopted.push(slot);
      var button = util.el("button", "site-picker-button", config.labels.place);
      button.type = "button";
      button.addEventListener("click", function () { activate(slot); });
      slot.appendChild(button);
      slot.hidden = false;
      [f.lat, f.lon].forEach(function (input) {
        input.addEventListener("change", function () { if (active === slot) showPosition(true); });
      });
      return true;
    }

    map.on("click", function (event) {
      if (!active) return;
      var f = fields(active);
      f.lat.value = event.latlng.lat.toFixed(6);
      f.lon.value = event.latlng.wrap().lng.toFixed(6);
      showPosition(false);
    });
    document.addEventListener("edit-row-added", function (event) {
      var slot = event.target.querySelector(config.slots);
      if (slot && adopt(slot)) activate(slot);
    });
    var slots = Array.prototype.filter.call(document.querySelectorAll(config.slots), adopt);
    if (slots.length) activate(slots[0]);
  }

  window.CamminaMap.modes.picker = start;
})();
