/* The coverage editor's checklist of admin units (templates/edit/_coverage_editor.html): a <details>
 * per country, and per state of a country with counties, holding checkboxes named `units`. Without
 * JavaScript it is a plain form. With it:
 * - the filter box <input data-unit-filter="CHECKLIST-ID"> shows only the units whose name (with
 *   their country's and state's, accents and case ignored) holds every typed word, opens the groups
 *   that hold one, and says how many were found; ticked units stay in sight;
 * - the list <ul data-checklist="CHECKLIST-ID"> names what is ticked, each with a button that unticks it.
 * The map of the editor (directory-map-editor.js) listens to the same checkboxes. Not a map. */
(function () {
  "use strict";

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[’‘`´]/g, "'").toLowerCase();
  }

  function groupsOf(node, stop) {
    var names = [];
    for (var parent = node.parentNode; parent && parent !== stop; parent = parent.parentNode) {
      if (parent.tagName === "DETAILS" && parent.dataset.group) names.unshift(parent.dataset.group);
    }
    return names;
  }

  /* The name of a ticked unit on its own: a county with its state ("Los Angeles (California)"). */
  function labelOf(input, checklist) {
    var own = input.parentNode.textContent.trim();
    var groups = groupsOf(input, checklist);
    return groups.length > 1 && input.closest(".unit-state") && own.indexOf(groups[1]) !== 0
      ? own + " (" + groups[1] + ")" : own;
  }

  function setUp(checklist) {
    var items = Array.prototype.map.call(checklist.querySelectorAll("li"), function (li) {
      var input = li.querySelector(":scope > label > input");
      return { li: li, input: input, text: fold(groupsOf(li, checklist).concat([li.textContent]).join(" ")) };
    }).filter(function (item) { return item.input; });
    var groups = Array.prototype.slice.call(checklist.querySelectorAll("details"));
    groups.forEach(function (d) { d.dataset.openAtStart = d.open ? "1" : ""; });
    var filter = document.querySelector('[data-unit-filter="' + checklist.id + '"]');
    var chosen = document.querySelector('[data-checklist="' + checklist.id + '"]');

    function applyFilter() {
      var words = fold(filter.value).split(/\s+/).filter(Boolean);
      var status = document.getElementById(filter.getAttribute("aria-describedby"));
      if (!words.length) {
        items.forEach(function (item) { item.li.hidden = false; });
        groups.forEach(function (d) { d.hidden = false; d.open = d.dataset.openAtStart === "1"; });
        if (status) status.textContent = "";
        return;
      }
      var found = 0;
      items.forEach(function (item) {
        var match = words.every(function (w) { return item.text.indexOf(w) >= 0; });
        if (match) found += 1;
        item.li.hidden = !(match || item.input.checked);
      });
      groups.slice().reverse().forEach(function (d) { // inner groups first
        var shown = Array.prototype.some.call(d.querySelectorAll(":scope > ul > li"), function (li) { return !li.hidden; });
        d.hidden = !shown;
        d.open = shown;
        if (d.parentNode.tagName === "LI") d.parentNode.hidden = !shown;
      });
      if (status) status.textContent = status.dataset.found.replace("{count}", String(found));
    }

    function listChosen() {
      if (!chosen) return;
      chosen.textContent = "";
      items.forEach(function (item) {
        if (!item.input.checked) return;
        var name = labelOf(item.input, checklist);
        var li = document.createElement("li");
        li.appendChild(document.createTextNode(name + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "unit-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", chosen.dataset.remove.replace("{name}", name));
        remove.addEventListener("click", function () {
          item.input.checked = false;
          item.input.dispatchEvent(new Event("change", { bubbles: true }));
        });
        li.appendChild(remove);
        chosen.appendChild(li);
      });
    }

    if (filter) {
      filter.closest("[hidden]") && (filter.closest("[hidden]").hidden = false);
      filter.addEventListener("input", applyFilter);
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault(); // Enter in the box does not send the form
      });
    }
    checklist.addEventListener("change", listChosen);
    listChosen();
  }

  function setUpAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".unit-checklist[id]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
  else setUpAll();
})();
