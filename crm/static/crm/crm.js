// CRM pages: a confirmation before destructive submits. Forms opt in with data-confirm="…";
// without JavaScript they still submit (each such action is safe to repeat or undo).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
