// Argo Docs: small behaviours that templates ask for with data- attributes, so that pages carry
// no inline scripts or handlers (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  // <form data-confirm="Вопрос?">: ask before submitting; Cancel keeps the page as it is.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
})();
