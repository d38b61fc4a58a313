// Intake page, progressive enhancement only: the form works without this file.
// - A fresh page puts the cursor in the MRZ box (the officer scans or pastes first).
// - Pasting an MRZ reads it at once (the same "Read MRZ" submit the button makes).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("id_mrz");
    var button = document.getElementById("read-mrz");
    if (!box || !button) { return; }
    if (!document.querySelector("[data-autofocus]") && !document.getElementById("mrz-status") && !box.value) {
      box.focus();
    }
    box.addEventListener("paste", function () {
      window.setTimeout(function () {
        if (box.value.trim()) { button.click(); }
      }, 50);
    });
  });
})();
