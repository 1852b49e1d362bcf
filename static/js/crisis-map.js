/* The crisis report's map, mode `crisis` of the directory's map module (directory-map.js starts it once
 * the page is parsed, with the `crisis` part of the page's JSON configuration, built by
 * directory_app/crisis/maps.py): the affected area (GeoJSON in the configuration), the affected consular
 * districts (their outlines fetched from the app), and the organisations' sites as the reader may see
 * them; a site inside the area is drawn in red ("may be affected itself"). Names come from entries: they
 * are only ever written with textContent (tooltips and popups are given elements, never HTML strings).
 */
(function () {
  "use strict";

  var util = window.CamminaMap.util;
  var el = util.el;
  var AREA_STYLE = { color: "#b2182b", weight: 3, dashArray: "8 5", fillColor: "#ef8a62", fillOpacity: 0.25 };
  var DISTRICT_STYLE = { color: "#5e3c99", weight: 1.5, fillColor: "#b2abd2", fillOpacity: 0.15 };

  function sitePopup(base, site, labels) {
    var box = el("div", "org-popup");
    var title = el("strong");
    title.appendChild(util.link(util.withId(base.config.organisationUrl, site.org), site.name));
    box.appendChild(title);
    if (site.inside) box.appendChild(el("div", "crisis-inside", labels.inside));
    if (!base.config.crisis.exact) box.appendChild(el("div", "org-popup-approximate", labels.approximate));
    return box;
  }

  function attach(base) {
    var spec = base.config.crisis;
    var map = base.map, labels = spec.labels;
    var container = map.getContainer();
    var area = L.geoJSON(spec.area, { style: AREA_STYLE, interactive: false, renderer: base.areaRenderer }).addTo(map);
    base.overlays[labels.area] = area;
    if (area.getLayers().length) map.fitBounds(area.getBounds(), { padding: [10, 10], maxZoom: 11 });

    var districts = L.featureGroup().addTo(map);
    base.overlays[labels.districts] = districts;
    var loads = spec.districts.map(function (code) {
      return util.fetchJson(util.withId(spec.districtOutlineUrl, code)).then(function (data) {
        L.geoJSON(data, {
          style: DISTRICT_STYLE, renderer: base.areaRenderer,
          onEachFeature: function (f, layer) {
            layer.bindTooltip(el("span", null, f.properties.name || code), { sticky: true });
          },
        }).addTo(districts);
      });
    });
    area.bringToFront && area.bringToFront();

    var sites = L.featureGroup().addTo(map);
    base.overlays[labels.sites] = sites;
    spec.sites.forEach(function (site) {
      L.circleMarker([site.lat, site.lon], {
        radius: 7, weight: 2, color: "#ffffff", fillColor: site.inside ? "#b2182b" : "#1f5f8b", fillOpacity: 1,
      }).bindTooltip(el("span", null, site.name)).bindPopup(function () { return sitePopup(base, site, labels); }).addTo(sites);
    });
    container.dataset.crisisSites = String(spec.sites.length);
    return Promise.all(loads).catch(function () { util.notice(base, base.config.labels.loadError, "error"); }).then(function () {
      container.dataset.crisisDistricts = String(districts.getLayers().length);
      container.dataset.crisis = "ready";
    });
  }

  window.CamminaMap.modes.crisis = attach;
})();
