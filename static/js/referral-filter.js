/* District page: the service chips filter the list in place, without reloading, when the page already
   holds the answer. The page lists, for each service it was rendered for (every service when none was
   chosen), the nearest organisations offering it; each row and card says for which services it is
   listed (data-shortlisted). Choosing services among those, with "any of them", shows exactly the rows
   the server would list: those listed for one of the chosen services. Anything else ("all of them",
   a service the page was not rendered for) needs the server: the Show button stays, and the status
   line says to press it. Without JavaScript the form is a plain GET form. Text comes from the page
   (data-text-*), written with textContent only. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-referral-filter]");
  if (!form) return;
  var part = form.closest(".referrals-part") || document;
  var rendered = (form.getAttribute("data-rendered") || "").split(" ").filter(Boolean);
  var renderedMatch = form.getAttribute("data-rendered-match") || "any";
  var choiceText = part.querySelector(".choice-text");
  var listedText = part.querySelector(".listed-text");
  var totalText = part.querySelector(".total-text");
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;

  function chosen() {
    return Array.prototype.map.call(form.querySelectorAll('input[name="service"]:checked'), function (box) {
      return box.value;
    });
  }

  function labelOf(code) {
    var box = form.querySelector('input[name="service"][value="' + code + '"]');
    var label = box && form.querySelector('label[for="' + box.id + '"]');
    if (!label) return code;
    return label.getAttribute("title") || label.textContent.trim(); /* the full name, as the server writes it */
  }

  function matchAll() {
    var all = form.querySelector('input[name="match"][value="all"]');
    return !!(all && all.checked);
  }

  function canFilterHere(codes) {
    if (renderedMatch !== "any") return false;
    if (matchAll() && codes.length > 1) return false;
    if (!rendered.length) return true; /* rendered for every service */
    if (!codes.length) return false; /* back to every service: the page does not hold them all */
    return codes.every(function (code) {
      return rendered.indexOf(code) >= 0;
    });
  }

  function listedFor(element, codes) {
    if (!codes.length) return true;
    var listed = (element.getAttribute("data-shortlisted") || "").split(" ");
    return codes.some(function (code) {
      return listed.indexOf(code) >= 0;
    });
  }

  function summary(codes) {
    if (!codes.length) return form.getAttribute("data-text-none");
    var names = codes.map(labelOf).join(", ");
    return form.getAttribute(codes.length === 1 ? "data-text-one" : "data-text-any").replace("{}", names);
  }

  function update() {
    var codes = chosen();
    if (!canFilterHere(codes)) {
      choiceText.textContent = form.getAttribute("data-text-press");
      return;
    }
    var shown = 0;
    part.querySelectorAll("tr[data-shortlisted], article[data-shortlisted]").forEach(function (element) {
      var visible = listedFor(element, codes);
      element.hidden = !visible;
      if (visible && element.tagName === "TR") shown += 1;
    });
    part.querySelectorAll("[data-code]").forEach(function (element) {
      element.hidden = codes.length > 0 && codes.indexOf(element.getAttribute("data-code")) < 0;
    });
    part.querySelectorAll(".gaps, .service-totals").forEach(function (block) {
      block.hidden = !block.querySelector("[data-code]:not([hidden])");
    });
    choiceText.textContent = summary(codes);
    var lang = document.documentElement.lang || undefined;
    var which = plural && plural.select(shown) === "one" ? "data-one" : "data-other";
    listedText.textContent = listedText.getAttribute(which).replace("{}", shown.toLocaleString(lang));
    if (totalText) totalText.hidden = codes.join(" ") !== rendered.join(" ");
    var params = new URLSearchParams(location.search);
    params.delete("service");
    params.delete("match");
    codes.forEach(function (code) {
      params.append("service", code);
    });
    var query = params.toString();
    if (window.history && history.replaceState) {
      history.replaceState(null, "", form.getAttribute("action") + (query ? "?" + query : "") + location.hash);
    }
    /* static/js/sheet-tools.js brings the print and share links of this list */
    form.dispatchEvent(new CustomEvent("referrals:filtered", { bubbles: true }));
  }

  form.addEventListener("change", update);
})();
