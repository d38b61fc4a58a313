// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Focus the error summary on load so screen readers and keyboard users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  });
  // htmx does not swap error responses: tell the user in the alert region.
  document.addEventListener("htmx:responseError", function () {
    var region = document.getElementById("alert-region");
    if (region) { region.textContent = document.documentElement.lang === "en"
      ? "The request failed. Check your connection and try again."
      : "Permintaan gagal. Periksa koneksi lalu coba lagi."; }
  });
  document.addEventListener("htmx:sendError", function () {
    document.dispatchEvent(new Event("htmx:responseError"));
  });
  // "Copy" buttons next to identifiers.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(button.getAttribute("data-copy"));
    var status = document.getElementById("status");
    if (status) { status.textContent = document.documentElement.lang === "en" ? "Copied" : "Disalin"; }
  });
})();
