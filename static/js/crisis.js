/* The crisis start page (templates/crisis/start.html): the four ways of giving the area are radio buttons
 * over four sections. Without JavaScript every section shows and the chosen radio says which one counts;
 * with it only the chosen section shows (crisis.css: .js-ways), and the drawing map is told to measure
 * itself again when its section appears (Leaflet sizes a map hidden at start as 0 x 0). Nothing of an
 * entry is written here. */
(function () {
  "use strict";
  var form = document.getElementById("crisis-form");
  if (!form) return;
  var radios = Array.prototype.slice.call(form.querySelectorAll("input[name=how]"));
  form.classList.add("js-ways");

  function show() {
    radios.forEach(function (radio) {
      var section = document.getElementById("way-" + radio.value);
      if (section) section.hidden = !radio.checked;
    });
    window.dispatchEvent(new Event("resize"));
  }

  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
