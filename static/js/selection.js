/* « Tout sélectionner sur la page » for the lists with bulk actions.

   Markup: templates/components/selection_form.html, selection_all.html, selection_row.html. The
   header checkbox ticks or unticks every row of its form; it shows « mixed » when some are ticked;
   a live region says how many rows are ticked. Without JavaScript the header checkbox still
   works: the server takes the page's ids when it is ticked. */
(function () {
  "use strict";

  function rowsOf(formId) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[data-select-row][form="' + formId + '"]')
    );
  }

  function refresh(form) {
    var rows = rowsOf(form.id);
    var all = document.querySelector('input[data-select-all][form="' + form.id + '"]');
    var ticked = rows.filter(function (row) { return row.checked; }).length;
    if (all) {
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    var count = form.querySelector("[data-selection-count]");
    if (count) {
      count.textContent = ticked === 0 ? "" :
        (ticked === 1 ? "1 ligne sélectionnée" : ticked + " lignes sélectionnées");
    }
  }

  document.querySelectorAll("form[data-selection]").forEach(function (form) {
    refresh(form);
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) { return; }
    var form = input.form;
    if (!form || !form.hasAttribute("data-selection")) { return; }
    if (input.hasAttribute("data-select-all")) {
      rowsOf(form.id).forEach(function (row) { row.checked = input.checked; });
    }
    if (input.hasAttribute("data-select-all") || input.hasAttribute("data-select-row")) {
      refresh(form);
    }
  });
})();
