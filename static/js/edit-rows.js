/* "Add another ..." on the edit form: copies the list's last row (the blank one the server offers)
   as a new blank row with the next index (services-3-name ...), so that several services, sites,
   people or phones can be added in one save. Without JavaScript the buttons stay hidden and each
   save offers one new blank row per list. Only attributes are copied and renamed: no HTML is built. */
(function () {
  "use strict";
  var RENAMED = ["name", "id", "for", "aria-describedby", "data-lat-input", "data-lon-input"];

  function renumber(row, list, from, to) {
    var pattern = new RegExp("^" + list + "-" + from + "-");
    [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (el) {
      RENAMED.forEach(function (attribute) {
        var value = el.getAttribute(attribute);
        if (value && pattern.test(value)) { el.setAttribute(attribute, value.replace(pattern, list + "-" + to + "-")); }
      });
    });
  }

  function clear(row) {
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    row.querySelectorAll("[aria-describedby]").forEach(function (el) { el.removeAttribute("aria-describedby"); });
    row.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") { input.checked = false; }
      else if (input.tagName === "SELECT") { input.selectedIndex = input.multiple ? -1 : 0; }
      else { input.value = ""; }
    });
    row.querySelectorAll("details").forEach(function (el) { el.open = false; });
  }

  document.querySelectorAll("button.add-row").forEach(function (button) {
    var list = button.getAttribute("data-list");
    var fieldset = button.closest("fieldset");
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = fieldset.querySelectorAll(":scope > .edit-row");
      var last = rows[rows.length - 1];
      var named = last.querySelector("[name^='" + list + "-']");
      var index = named ? parseInt(named.getAttribute("name").split("-")[1], 10) : rows.length - 1;
      var row = last.cloneNode(true);
      renumber(row, list, index, index + 1);
      var picker = row.querySelector(".site-picker");
      if (picker) {  // a fresh, empty slot for the site picker: the copied one may hold the map itself
        var fresh = picker.cloneNode(false);
        fresh.className = "site-picker";
        fresh.hidden = true;
        picker.replaceWith(fresh);
      }
      row.querySelectorAll(".remove-field").forEach(function (el) { el.remove(); });
      clear(row);
      var heading = row.querySelector("h3");
      if (heading && button.hasAttribute("data-heading")) { heading.textContent = button.getAttribute("data-heading"); }
      last.after(row);
      row.dispatchEvent(new CustomEvent("edit-row-added", { bubbles: true }));  // the site picker listens
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
