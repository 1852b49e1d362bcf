/* The filter box of a long list (the coverage editor's admin units): <input data-filter-select="ID">
 * hides the options of <select id="ID"> that do not hold every typed word (accents and case ignored;
 * chosen options stay in sight), and <ul data-selected-list="ID"> lists what is chosen. Not a map. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filterSelect(input) {
    var select = document.getElementById(input.dataset.filterSelect);
    if (!select) return;
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var groupName = fold(group.label);
      var shown = 0;
      Array.prototype.forEach.call(group.children, function (option) {
        var text = groupName + " " + fold(option.textContent);
        var match = option.selected || words.every(function (w) { return text.indexOf(w) >= 0; });
        option.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  }

  function listSelected(select) {
    var list = document.querySelector('[data-selected-list="' + select.id + '"]');
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      list.appendChild(el("li", null, option.textContent));
    });
  }

  function setUpLists() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-select]"), function (input) {
      input.addEventListener("input", function () { filterSelect(input); });
      var select = document.getElementById(input.dataset.filterSelect);
      if (select) select.addEventListener("change", function () { listSelected(select); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpLists);
  else setUpLists();

})();
