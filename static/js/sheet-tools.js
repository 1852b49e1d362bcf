/* A referral sheet's tools (templates/geography/_sheet_tools.html, also on /nearest): the Print button
   is shown and opens the browser's print dialog (static/css/print.css makes the sheet). On a district
   page, when the service chips filter the list in place (static/js/referral-filter.js sends
   "referrals:filtered" after it has put the new address in the location bar), the links that name the
   list (the PDF, the WhatsApp message, the printed address and its QR code) are the server's for that
   address: they are fetched from it and put in place of the old ones, so that the printed and the shared
   list are the one shown, and on paper the cards give the hours of the chosen services only. Nothing of
   an entry is written here: the nodes come from the app's own page. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  /* On paper a card shows the hours of the chosen services only (print.css hides .other-services). */
  function markOtherServices() {
    var codes = [];
    new URLSearchParams(location.search).getAll("service").forEach(function (value) {
      codes = codes.concat(value.split(","));
    });
    document.querySelectorAll(".card-services li[data-codes]").forEach(function (item) {
      var own = item.getAttribute("data-codes").split(" ");
      var other = codes.length > 0 && !own.some(function (code) {
        return codes.indexOf(code) >= 0;
      });
      item.classList.toggle("other-services", other);
    });
  }

  var pending = null;
  function refresh() {
    markOtherServices();
    var address = location.href;
    if (pending) pending.abort();
    pending = window.AbortController ? new AbortController() : null;
    fetch(address, { credentials: "same-origin", signal: pending ? pending.signal : undefined })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html || address !== location.href) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        [".sheet-actions .pdf-link", ".sheet-actions .whatsapp-share"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) now.setAttribute("href", next.getAttribute("href"));
        });
        var head = document.querySelector(".print-head");
        var nextHead = fresh.querySelector(".print-head");
        if (head && nextHead) head.replaceWith(document.importNode(nextHead, true));
      })
      .catch(function () {
        /* aborted by a newer choice, or offline: the server's links stay those of the loaded list */
      });
  }
  document.addEventListener("referrals:filtered", refresh);
})();
