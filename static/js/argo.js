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

// <div data-fill-target="#id_x" data-fill-value="2026-12-21">: a proposed value (the control date
// of the chosen counterparty's route). It fills the input while the person has not typed there.
(function () {
  "use strict";
  function fill(root) {
    root.querySelectorAll("[data-fill-target]").forEach(function (hint) {
      var input = document.querySelector(hint.getAttribute("data-fill-target"));
      if (!input) return;
      if (input.value === "" || input.getAttribute("data-filled") === "1") {
        input.value = hint.getAttribute("data-fill-value");
        input.setAttribute("data-filled", "1");
      }
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.removeAttribute) event.target.removeAttribute("data-filled");
  }, true);
  document.addEventListener("DOMContentLoaded", function () { fill(document); });
  document.addEventListener("htmx:afterSettle", function () { fill(document); });
})();

// <textarea data-shown-when="decision=reply">: the field (its whole form group) is shown only
// while the radio or select «decision» of the same form has the value «reply».
(function () {
  "use strict";
  function group(field) {
    return field.closest(".mb-3") || field.parentElement;
  }
  function update(form) {
    form.querySelectorAll("[data-shown-when]").forEach(function (field) {
      var rule = field.getAttribute("data-shown-when").split("=");
      var chosen = form.querySelector('[name="' + rule[0] + '"]:checked') ||
        form.querySelector('select[name="' + rule[0] + '"]');
      group(field).hidden = !(chosen && chosen.value === rule[1]);
    });
  }
  function all() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-shown-when]")) update(form);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.form) update(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
})();

// <select data-searchable>: a search box above the list hides the options that do not match
// (a long list of people or letters stays one list, found by typing part of a name).
(function () {
  "use strict";
  function enhance(select) {
    if (select.getAttribute("data-search-ready")) return;
    select.setAttribute("data-search-ready", "1");
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.getAttribute("data-search-placeholder") || "Поиск…";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("data-testid", "select-search-" + select.name);
    select.parentElement.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.text.toLowerCase();
        option.hidden = option.value !== "" && !option.selected &&
          !words.every(function (word) { return text.indexOf(word) !== -1; });
      });
    });
  }
  function all() { document.querySelectorAll("select[data-searchable]").forEach(enhance); }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
})();

// <div data-phone-tabs> with a .phone-tabs-nav and parts marked data-phone-tab="document|route|
// history": on a phone only the chosen part shows (CSS does it below 768 px); the choice stays in
// the address (#tab-route) so «back» and a reload keep it.
(function () {
  "use strict";
  function show(box, name) {
    box.querySelectorAll("[data-phone-tab]").forEach(function (part) {
      part.classList.toggle("phone-tab-active", part.getAttribute("data-phone-tab") === name);
    });
    box.querySelectorAll("[data-phone-tab-show]").forEach(function (button) {
      var on = button.getAttribute("data-phone-tab-show") === name;
      button.classList.toggle("active", on);
      button.setAttribute("aria-selected", on ? "true" : "false");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-phone-tabs]").forEach(function (box) {
      box.classList.add("phone-tabs-on");
      var wanted = (window.location.hash.match(/^#tab-(document|route|history)$/) || [])[1];
      show(box, wanted || "document");
      box.addEventListener("click", function (event) {
        var button = event.target.closest("[data-phone-tab-show]");
        if (!button) return;
        var name = button.getAttribute("data-phone-tab-show");
        show(box, name);
        if (window.history.replaceState) window.history.replaceState(null, "", "#tab-" + name);
      });
    });
  });
})();
