/* The CC grid as a spreadsheet: arrows move between cells, Enter goes down (Shift+Enter up), Tab
   goes right; a block pasted from a spreadsheet (tab and newline separated) fills the cells from
   the focused one; each changed cell is saved on its own (POST to data-cell-url, with its
   version) and shows its state: saving, saved, an error, or the other person's value with the
   choice to keep it or overwrite it. Without JavaScript the form saves every valid cell at once. */
(function () {
  "use strict";
  var form = document.getElementById("cc-grid-form");
  var table = document.getElementById("cc-grid");
  var live = document.getElementById("cc-grid-live");
  if (!form || !table || !window.fetch) { return; }
  var url = form.getAttribute("data-cell-url");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var template = document.getElementById("cc-conflict-template");
  var rows = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return Array.prototype.slice.call(row.querySelectorAll("input.cc-input"));
  }).filter(function (cells) { return cells.length; });
  var queue = Promise.resolve();

  // The messages come translated from the page (data-msg-*), French by default.
  function text(name, fallback) {
    return form.getAttribute("data-msg-" + name) || fallback;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".cc-grid-js-help"), function (help) {
    help.hidden = false;
  });

  function header(input) {
    return table.querySelector("#cc-col-" + input.getAttribute("data-column"));
  }

  function versionField(input) {
    return form.querySelector("[name='v-" + input.getAttribute("data-enrolment") + "-" +
      input.getAttribute("data-column") + "']");
  }

  function describe(input) {
    var row = document.getElementById("cc-row-" + input.getAttribute("data-enrolment"));
    return (row ? row.textContent.trim() : "") + ", " + header(input).textContent.trim();
  }

  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function setState(input, state, message) {
    var cell = input.closest("td");
    var status = document.getElementById(input.getAttribute("aria-describedby"));
    cell.setAttribute("data-state", state);
    cell.classList.toggle("cc-cell-error", state === "error" || state === "conflict");
    if (state === "error" || state === "conflict") {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    status.textContent = message || "";
  }

  function position(input) {
    for (var r = 0; r < rows.length; r += 1) {
      var c = rows[r].indexOf(input);
      if (c !== -1) { return [r, c]; }
    }
    return null;
  }

  function cellAt(r, c) {
    return rows[r] && rows[r][c] ? rows[r][c] : null;
  }

  function move(input, dr, dc) {
    var at = position(input);
    var next = at && cellAt(at[0] + dr, at[1] + dc);
    if (next) {
      next.focus();
      next.select();
    }
  }

  function save(input, force) {
    var value = input.value.trim();
    var pending = input.getAttribute("data-pending");
    if (!force && (pending !== null ? value === pending : value === input.getAttribute("data-saved"))) {
      if (pending === null && input.closest("td").getAttribute("data-state") === "error") {
        setState(input, "", "");
      }
      return;
    }
    var th = header(input);
    input.setAttribute("data-pending", value);
    setState(input, "saving", text("saving", "Enregistrement…"));
    queue = queue.then(function () {
      // Read the version now: a save queued before this one may have changed it.
      var body = new FormData();
      body.append("enrolment", input.getAttribute("data-enrolment"));
      body.append("label", th.getAttribute("data-label"));
      body.append("sur", th.getAttribute("data-sur"));
      body.append("value", value);
      body.append("version", versionField(input).value);
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }).then(function (answer) {
        var data = answer.data;
        var last = input.getAttribute("data-pending") === value;
        if (last) { input.removeAttribute("data-pending"); }
        if (answer.status === 200) {
          input.setAttribute("data-saved", data.value);
          versionField(input).value = data.version;
          if (!last) { return; }
          if (input.value.trim() === value) { input.value = data.value; }
          setState(input, "saved", text("saved", "Enregistré"));
          announce(describe(input) + " : " + text("saved", "Enregistré"));
        } else if (answer.status === 409) {
          conflict(input, data);
        } else {
          var message = data.error || text("error", "Erreur : la note n'est pas enregistrée, réessayez.");
          setState(input, "error", message);
          announce(describe(input) + " : " + message);
        }
      }, function () {
        input.removeAttribute("data-pending");
        var message = text("offline", "Connexion perdue : la note n'est pas enregistrée, réessayez.");
        setState(input, "error", message);
        announce(describe(input) + " : " + message);
      });
    });
  }

  function conflict(input, data) {
    var theirs = data.theirs || text("empty", "vide");
    var message = data.error + " " + text("theirs", "Sa valeur :") + " « " + theirs + " ».";
    setState(input, "conflict", "");
    var status = document.getElementById(input.getAttribute("aria-describedby"));
    var box = template.content.firstElementChild.cloneNode(true);
    box.querySelector(".cc-conflict-text").textContent = message;
    status.appendChild(box);
    box.querySelector(".cc-keep").addEventListener("click", function () {
      input.value = data.theirs;
      input.setAttribute("data-saved", data.theirs);
      versionField(input).value = data.version;
      setState(input, "saved", text("kept", "Valeur de l'autre saisie gardée."));
      announce(describe(input) + " : " + text("kept", "Valeur de l'autre saisie gardée."));
      input.focus();
    });
    box.querySelector(".cc-overwrite").addEventListener("click", function () {
      versionField(input).value = data.version;
      save(input, true);
      input.focus();
    });
    announce(describe(input) + " : " + message);
  }

  function atStart(input) {
    return input.selectionStart === 0 && input.selectionEnd === 0 ||
      input.selectionStart === 0 && input.selectionEnd === input.value.length;
  }

  function atEnd(input) {
    return input.selectionEnd === input.value.length &&
      (input.selectionStart === input.value.length || input.selectionStart === 0);
  }

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("cc-input")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (key === "Enter") {
      event.preventDefault();
      save(input);
      move(input, event.shiftKey ? -1 : 1, 0);
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      move(input, key === "ArrowDown" ? 1 : -1, 0);
    } else if (key === "ArrowLeft" && atStart(input)) {
      event.preventDefault();
      move(input, 0, -1);
    } else if (key === "ArrowRight" && atEnd(input)) {
      event.preventDefault();
      move(input, 0, 1);
    }
  });

  table.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("cc-input")) {
      save(event.target);
    }
  });

  table.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("cc-input")) { return; }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\r\n]/.test(text.replace(/[\r\n]+$/, ""))) { return; }
    event.preventDefault();
    var at = position(input);
    var lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    var filled = 0;
    lines.forEach(function (line, dr) {
      line.split("\t").forEach(function (value, dc) {
        var target = cellAt(at[0] + dr, at[1] + dc);
        if (!target) { return; }
        target.value = value.trim();
        save(target);
        filled += 1;
      });
    });
    announce(text("pasted", "Cases collées, enregistrement en cours :") + " " + filled);
  });
})();
