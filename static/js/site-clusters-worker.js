/* The organisations layer's clusters, computed in a worker (directory-map-layers.js asks for them):
 * the worker fetches the layer's rows ([lon, lat, exact, site id], maps/site_points.py), builds the
 * Supercluster index and answers for the clusters in a view, a cluster's expansion zoom and its sites.
 * Parsing 10,000 rows and indexing them for every zoom took a phone's page 300 ms and more of
 * blocking script; here it runs beside the page. Messages: {id, type, ...} in, {id, result} or
 * {id, error} out. The script and Supercluster come from the app (no other origin). */
/* global Supercluster */
"use strict";

var index = null;

function load(message) {
  importScripts(message.library);
  return fetch(message.url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
    if (!r.ok) throw new Error(message.url + ": HTTP " + r.status);
    return r.json();
  }).then(function (data) {
    var rows = data.points;
    index = new Supercluster(message.options);
    index.load(rows.map(function (row) {
      return { type: "Feature", geometry: { type: "Point", coordinates: [row[0], row[1]] }, properties: { row: row } };
    }));
    var bounds = null;
    rows.forEach(function (row) {
      if (!bounds) bounds = [row[0], row[1], row[0], row[1]];
      bounds = [Math.min(bounds[0], row[0]), Math.min(bounds[1], row[1]), Math.max(bounds[2], row[0]), Math.max(bounds[3], row[1])];
    });
    return { count: rows.length, bounds: bounds };
  });
}

var ANSWERS = {
  load: load,
  clusters: function (m) { return index.getClusters(m.box, m.zoom); },
  expansionZoom: function (m) { return index.getClusterExpansionZoom(m.cluster); },
  leaves: function (m) { return index.getLeaves(m.cluster, m.limit); },
};

self.onmessage = function (event) {
  var message = event.data;
  Promise.resolve().then(function () { return ANSWERS[message.type](message); }).then(function (result) {
    self.postMessage({ id: message.id, result: result });
  }, function (error) {
    self.postMessage({ id: message.id, error: String(error && error.message || error) });
  });
};
