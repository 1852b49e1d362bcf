/* Loads a map's scripts when its frame comes near the screen, or at once when it is already there
   (directory_app/embedded_maps.py, render_map): a district or organisation page whose map lies below
   the referral list shows its text without waiting for Leaflet, and a reader who never scrolls to the
   map never pays for it. Scripts come from the app itself (the page's CSP allows 'self'); they are
   inserted in order with async=false, so they download together and run in order, each at most once
   per page even when two maps share them. */
(function () {
  "use strict";
  var inserted = {}; // url -> promise of its load

  function insert(url) {
    if (!inserted[url]) {
      inserted[url] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.async = false;
        script.onload = resolve;
        script.onerror = function () { reject(new Error(url)); };
        document.head.appendChild(script);
      });
    }
    return inserted[url];
  }

  function whenVisible(frame, urls, start) {
    var started = false;
    function go() {
      if (started) return;
      started = true;
      Promise.all(urls.map(insert)).then(start, function (error) {
        frame.setAttribute("data-load-error", error.message);
        if (window.console) console.error("map script not loaded", error);
      });
    }
    if (!("IntersectionObserver" in window)) return go();
    var watch = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        watch.disconnect();
        go();
      }
    }, { rootMargin: "400px 0px" });
    watch.observe(frame);
    window.addEventListener("beforeprint", go); // print.css hides maps, but a print must not wait for one
  }

  window.CamminaMapLoader = { whenVisible: whenVisible };
})();
