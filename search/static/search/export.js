// The progress bar's width from its data attribute (CSP: no inline styles).
(function () {
  function paint(root) {
    (root || document).querySelectorAll(".export-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.dataset.percent + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:afterSwap", function () { paint(document); });
})();
