/* Place suggestions while typing: every <input data-autocomplete="URL"> becomes a WAI-ARIA 1.2 combobox
 * (list autocomplete) over the app's offline gazetteer (/places?q=). templates/_place_combobox.html
 * writes the field, its (empty) listbox and its live region; the combobox's role and states are set
 * here, so that without JavaScript it stays a plain text field whose form the server reads as typed.
 *
 * Keyboard: Down and Up move through the suggestions (Down opens the list), Enter chooses the active
 * one, Escape closes the list (a second Escape clears the field), Tab leaves. The active suggestion is
 * named by aria-activedescendant; the live region says how many places were found. Choosing a place
 * puts its name in the field and its position and full name in hidden fields lat, lon and label (so
 * that the search starts from exactly that place, not from the first place of that name); typing
 * again removes them. With data-submit the form is sent at once. Suggestions are put in the page with
 * textContent only.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MIN_CHARS = 2;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function enhance(input) {
    var listbox = document.getElementById(input.dataset.listbox);
    var status = document.getElementById(input.dataset.status);
    var form = input.form;
    if (!listbox || !status || !form) return;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    var hidden = [];
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0; // the number of the latest request: older answers are dropped

    function announce(count) {
      var text = count === 0 ? input.dataset.countNone : count === 1 ? input.dataset.countOne : input.dataset.countMany;
      status.textContent = (text || "").replace("__N__", String(count));
    }

    function setActive(index) {
      var options = listbox.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      if (!items.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function forgetChoice() {
      hidden.forEach(function (field) { field.remove(); });
      hidden = [];
    }

    function choose(index) {
      var place = items[index];
      if (!place) return;
      forgetChoice();
      input.value = place.name;
      var values = { lat: place.lat, lon: place.lon, label: place.detail ? place.name + ", " + place.detail : place.name };
      Object.keys(values).forEach(function (name) {
        var field = el("input");
        field.type = "hidden";
        field.name = name;
        field.value = String(values[name]);
        input.insertAdjacentElement("afterend", field);
        hidden.push(field);
      });
      close();
      if (input.dataset.submit !== undefined) {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    }

    function render(places) {
      items = places;
      listbox.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      places.forEach(function (place, i) {
        var option = el("li", "place-option");
        option.id = listbox.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(el("span", "place-name", place.name));
        if (place.detail) option.appendChild(el("span", "place-detail", place.detail));
        // mousedown would blur the field (and close the list) before the click
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        listbox.appendChild(option);
      });
      announce(places.length);
      if (places.length) open(); else close();
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_CHARS) {
        items = [];
        close();
        status.textContent = "";
        return;
      }
      var number = ++asked;
      var url = new URL(input.dataset.autocomplete, window.location.href);
      url.searchParams.set("q", text);
      fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (places) { if (number === asked) render(Array.isArray(places) ? places : []); })
        .catch(function () { /* no suggestions: the field still works as typed */ });
    }

    input.addEventListener("input", function () {
      forgetChoice();
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !listbox.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!expanded) { open(); if (items.length) setActive(0); return; }
          setActive(active + 1 < items.length ? active + 1 : 0);
          return;
        case "ArrowUp":
          event.preventDefault();
          if (!expanded) { open(); if (items.length) setActive(items.length - 1); return; }
          setActive(active > 0 ? active - 1 : items.length - 1);
          return;
        case "Enter":
          if (expanded && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          return; // otherwise the form is sent with the text as typed
        case "Escape":
          if (expanded) { event.preventDefault(); close(); }
          else if (input.value) { event.preventDefault(); input.value = ""; forgetChoice(); status.textContent = ""; }
          return;
        default:
          return;
      }
    });

    input.addEventListener("blur", close);
    input.setAttribute("autocomplete", "off");
    input.dataset.combobox = "ready";
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-autocomplete][data-listbox]"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
