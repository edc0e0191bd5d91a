// The route sheet: Enter moves to the next reading field (saving is htmx's job, on change);
// a row whose save failed says so, and Enter in it tries again. No framework.
(function () {
  "use strict";

  function fields() {
    return Array.prototype.slice.call(document.querySelectorAll("input.reading:not([disabled])"));
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("input.reading")) return;
    event.preventDefault();
    var row = input.closest("tr");
    if (row && row.classList.contains("unsaved") && window.htmx) {
      window.htmx.trigger(input, "change");
    }
    var list = fields();
    var next = list[list.indexOf(input) + 1];
    if (next) {
      next.focus();
      next.select();
    } else {
      input.blur();
    }
  });

  function unsaved(event) {
    var source = event.detail && event.detail.elt;
    var row = source && source.closest ? source.closest("tr.entry-row") : null;
    var form = document.querySelector("form.entry");
    if (!row || !form) return;
    row.classList.add("unsaved");
    var status = row.querySelector(".row-status");
    if (status) status.textContent = form.getAttribute("data-unsaved");
  }

  document.addEventListener("htmx:sendError", unsaved);
  document.addEventListener("htmx:responseError", unsaved);
})();
