/* The marking grids (evaluator's, tutor's): running total read the French way (« 11,5 »), the
   "comment required" hint under half the points, the error summary at the top, and each field
   saved as soon as it is left (autosave), its state shown beside it and announced.
   Progressive enhancement only: without JavaScript the form's buttons save everything, and the
   server computes the total and lists the errors. */
(function () {
  "use strict";

  var NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;
  var TEXT = {
    saving: "Enregistrement…",
    saved: "Enregistré",
    error: "Erreur : ",
    offline: "Erreur : l'enregistrement n'a pas abouti (connexion ?). Réessayez ou utilisez le bouton « Enregistrer le brouillon ».",
  };

  // « 11,5 », « 11.5 », « 1 234,5 » → hundredths (integer), null when blank, NaN when unreadable.
  function hundredths(value) {
    var text = String(value || "").replace(/[\s\u00a0\u202f]/g, "");
    if (text === "") { return null; }
    if (!NUMBER.test(text)) { return NaN; }
    return Math.round(Number(text.replace(",", ".")) * 100);
  }

  function format(cents) {
    return (cents / 100).toLocaleString("fr-FR", { minimumFractionDigits: 0, maximumFractionDigits: 2 });
  }

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      target.focus();
      var box = target.closest(".field, fieldset") || target;
      box.scrollIntoView({ block: "center" });
    });
  }

  function runningTotal(form) {
    var outputs = Array.prototype.slice.call(document.querySelectorAll("#running-total, [data-running-total]"));
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-points]"));
    if (!outputs.length || !inputs.length) { return; }
    var note = document.getElementById("total-note");
    function update() {
      var total = 0;
      inputs.forEach(function (input) {
        var cents = hundredths(input.value);
        var max = hundredths(input.getAttribute("data-max"));
        var box = input.closest("fieldset.criterion");
        var hint = box ? box.querySelector("[data-comment-hint]") : null;
        var readable = cents !== null && !isNaN(cents);
        if (readable) { total += cents; }
        if (hint) { hint.hidden = !(readable && max !== null && cents * 2 < max); }
      });
      outputs.forEach(function (output) { output.textContent = format(total); });
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    if (note) { note.textContent = ""; }
    update();
  }

  function fieldLabel(input) {
    var label = input.labels && input.labels.length ? input.labels[0].textContent : "";
    var group = input.closest("fieldset.evidence-choices");
    if (group) { label = group.querySelector("legend").textContent; }
    var box = input.closest("fieldset.criterion");
    var number = box ? box.querySelector(".criterion-number") : null;
    label = label.replace("*", "").trim();
    return number ? number.textContent.trim() + ", " + label.toLowerCase() : label;
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var live = document.getElementById("autosave-live");
    if (!url || !token || !window.fetch) { return; }
    var pending = {};

    function members(name) {
      return Array.prototype.slice.call(form.querySelectorAll("[data-field='" + name + "']"));
    }

    function statusFor(name, first) {
      var id = "autosave-" + name;
      var status = document.getElementById(id);
      if (status) { return status; }
      status = document.createElement("p");
      status.id = id;
      status.className = "autosave-status";
      var group = first.closest("fieldset.evidence-choices");
      var box = first.closest(".field") || first;
      if (group) { group.appendChild(status); } else { box.parentNode.insertBefore(status, box.nextSibling); }
      members(name).forEach(function (input) {
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(id) < 0) { described.push(id); }
        input.setAttribute("aria-describedby", described.join(" "));
      });
      return status;
    }

    function show(name, state, message) {
      var inputs = members(name);
      if (!inputs.length) { return; }
      var status = statusFor(name, inputs[0]);
      status.setAttribute("data-state", state);
      status.textContent = state === "error" ? TEXT.error + message : TEXT[state];
      inputs.forEach(function (input) {
        if (state === "error") { input.setAttribute("aria-invalid", "true"); }
        else if (state === "saved") { input.removeAttribute("aria-invalid"); }
      });
      if (live && state !== "saving") { live.textContent = fieldLabel(inputs[0]) + " : " + status.textContent; }
    }

    function send(name) {
      var inputs = members(name);
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token.value);
      body.append("field", name);
      body.append("expected", inputs[0].getAttribute("data-saved") || "");
      inputs.forEach(function (input) {
        if (input.type === "checkbox") { if (input.checked) { body.append("value", input.value); } }
        else { body.append("value", input.value); }
      });
      show(name, "saving");
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
      }).then(function (response) {
        return response.json().then(function (data) {
          if (data.ok) {
            inputs.forEach(function (input) { input.setAttribute("data-saved", data.saved); });
            show(name, "saved");
          } else {
            show(name, "error", data.error || "");
          }
        });
      }).catch(function () {
        var status = statusFor(name, inputs[0]);
        status.setAttribute("data-state", "error");
        status.textContent = TEXT.offline;
        if (live) { live.textContent = fieldLabel(inputs[0]) + " : " + TEXT.offline; }
      });
    }

    var inflight = [];
    form.addEventListener("change", function (event) {
      var name = event.target.getAttribute && event.target.getAttribute("data-field");
      if (!name) { return; }
      // One request at a time per field, in the order of the changes.
      pending[name] = (pending[name] || Promise.resolve()).then(function () { return send(name); });
      var done = pending[name];
      inflight.push(done);
      done.then(function () { inflight.splice(inflight.indexOf(done), 1); });
    });

    // A form posted while a field is still being saved (the tutor's final submission) waits for
    // that save: what is submitted is what was typed.
    document.addEventListener("submit", function (event) {
      if (event.defaultPrevented || !inflight.length || event.target === form) { return; }
      var target = event.target;
      var submitter = event.submitter;
      event.preventDefault();
      Promise.all(inflight.slice()).then(function () {
        if (submitter) { target.requestSubmit(submitter); } else { target.requestSubmit(); }
      });
    });
  }

  var form = document.querySelector("form[data-grid]");
  focusSummary();
  if (!form) { return; }
  runningTotal(form);
  autosave(form);
})();
