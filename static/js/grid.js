/* Running total of the scoring grid, and the "comment required" hint under half the points.
   Progressive enhancement only: without JavaScript the server computes the total on save. */
(function () {
  "use strict";
  var form = document.getElementById("scoring-form");
  var output = document.getElementById("running-total");
  if (!form || !output) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-points]"));
  var note = document.getElementById("total-note");

  // Work in hundredths so that 0.1 + 0.2 never shows as 0.30000000000000004.
  function hundredths(value) {
    var text = String(value).trim().replace(",", ".");
    if (text === "" || isNaN(Number(text))) { return null; }
    return Math.round(Number(text) * 100);
  }

  function format(cents) {
    return (cents / 100).toLocaleString("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function update() {
    var total = 0;
    inputs.forEach(function (input) {
      var cents = hundredths(input.value);
      var max = hundredths(input.getAttribute("data-max"));
      var box = input.closest("fieldset.criterion");
      var hint = box ? box.querySelector("[data-comment-hint]") : null;
      if (cents !== null) { total += cents; }
      if (hint) { hint.hidden = !(cents !== null && max !== null && cents * 2 < max); }
    });
    output.textContent = format(total);
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  if (note) { note.textContent = ""; }
  update();
})();
