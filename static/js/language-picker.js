/* The service languages' field of the edit form: a text field of names or ISO 639 codes separated by
 * commas, which the server reads (organisations/language_names.py) with or without this script. With
 * it, typing after the last comma offers up to six languages as buttons ("español (es)"), matched
 * without accents or case on their names in Spanish, English and French and their code ("espagnol",
 * "Spanish", "K'iche'", "quc"); choosing one writes "name (code)" in place of what was typed.
 * The options come from the page's JSON element named by the field's data-language-picker
 * ([code, name in the reader's language, folded names]). Rows added by edit-rows.js work too. */
(function () {
  "use strict";

  var MAX = 6;
  var options = null;

  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[ʼ’‘'`´]/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function optionsOf(input) {
    if (options === null) {
      var element = document.getElementById(input.dataset.languagePicker);
      options = element ? JSON.parse(element.textContent) : [];
    }
    return options;
  }

  function boxOf(input) {
    var id = input.id + "-suggestions";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "language-suggestions";
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", input.dataset.suggestionsLabel || "");
      box.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function matches(input, typed) {
    var words = fold(typed).split(" ").filter(Boolean);
    if (!words.length) return [];
    var starts = [], contains = [];
    optionsOf(input).forEach(function (option) {
      var hay = " " + option[2];
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) return;
      (hay.indexOf(" " + words[0]) >= 0 ? starts : contains).push(option);
    });
    return starts.concat(contains).slice(0, MAX);
  }

  function suggest(input) {
    var parts = input.value.split(",");
    var typed = parts[parts.length - 1];
    var box = boxOf(input);
    box.textContent = "";
    matches(input, typed).forEach(function (option) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "language-option";
      button.textContent = option[1] + " (" + option[0] + ")";
      button.dataset.code = option[0];
      button.addEventListener("click", function () {
        parts[parts.length - 1] = (parts.length > 1 ? " " : "") + button.textContent;
        input.value = parts.join(",") + ", ";
        box.textContent = "";
        input.focus();
      });
      box.appendChild(button);
    });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-language-picker]")) suggest(input);
  });
})();
