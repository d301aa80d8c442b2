/* Preuves — evidence upload: drag-and-drop and one progress bar per file.
 *
 * Progressive enhancement: without this script the form posts every chosen file at once and the
 * server answers with the page and its errors (each file titled after its name). With it, each
 * chosen file gets its own title field (its name without the extension, editable), and each file
 * is sent on its own request (XMLHttpRequest, for upload progress) with its title and the same
 * description, date and competencies.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var input = form.querySelector('input[type="file"]');
  var dropzone = form.querySelector("[data-dropzone]");
  var list = form.querySelector("[data-progress]");
  var hint = form.querySelector("[data-drop-hint]");
  var titles = form.querySelector("[data-file-titles]");
  var titleList = form.querySelector("[data-file-titles-list]");
  var sharedTitle = form.querySelector("[data-shared-title]");
  var dropped = [];
  var typed = {}; // titles edited by hand, by file, kept when the choice changes

  if (hint) {
    hint.hidden = false;
  }

  function chosenFiles() {
    var files = Array.prototype.slice.call(input.files || []);
    return files.concat(dropped);
  }

  function fileKey(file) {
    return file.name + "/" + file.size;
  }

  function defaultTitle(name) {
    var dot = name.lastIndexOf(".");
    return (dot > 0 ? name.slice(0, dot) : name).replace(/\s+/g, " ").trim() || name;
  }

  function showTitles(files) {
    if (!titles || !titleList) {
      return;
    }
    titleList.innerHTML = "";
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      var label = document.createElement("label");
      var field = document.createElement("input");
      field.type = "text";
      field.id = "file-title-" + index;
      field.maxLength = 200;
      field.setAttribute("data-file-title", fileKey(file));
      field.value = typed[fileKey(file)] || defaultTitle(file.name);
      field.addEventListener("input", function () {
        typed[fileKey(file)] = field.value;
      });
      label.htmlFor = field.id;
      label.textContent = (form.dataset.msgFileTitle || "Titre du fichier « %s »").replace(
        "%s", file.name
      );
      item.appendChild(label);
      item.appendChild(field);
      titleList.appendChild(item);
    });
    titles.hidden = files.length === 0;
    if (sharedTitle) {
      sharedTitle.hidden = files.length > 0;
    }
  }

  function titleOf(file) {
    var fields = titleList ? titleList.querySelectorAll("[data-file-title]") : [];
    for (var i = 0; i < fields.length; i += 1) {
      if (fields[i].getAttribute("data-file-title") === fileKey(file)) {
        return fields[i].value;
      }
    }
    return "";
  }

  function showChosen() {
    var files = chosenFiles();
    var names = files.map(function (file) { return file.name; });
    if (hint && names.length) {
      hint.textContent = names.length + " fichier(s) prêt(s) : " + names.join(", ");
    }
    showTitles(files);
  }

  if (dropzone) {
    ["dragenter", "dragover"].forEach(function (name) {
      dropzone.addEventListener(name, function (event) {
        event.preventDefault();
        dropzone.classList.add("dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      dropzone.addEventListener(name, function (event) {
        event.preventDefault();
        dropzone.classList.remove("dragover");
      });
    });
    dropzone.addEventListener("drop", function (event) {
      var files = event.dataTransfer ? event.dataTransfer.files : [];
      for (var i = 0; i < files.length; i += 1) {
        dropped.push(files[i]);
      }
      showChosen();
    });
  }
  input.addEventListener("change", showChosen);

  function errorText(errors) {
    var parts = [];
    Object.keys(errors || {}).forEach(function (field) {
      (errors[field] || []).forEach(function (message) {
        parts.push(typeof message === "string" ? message : message.message);
      });
    });
    return parts.join(" ") || "L'envoi a échoué. Réessayez.";
  }

  function row(file, index) {
    var item = document.createElement("li");
    var label = document.createElement("span");
    var id = "upload-file-" + index;
    label.id = id;
    label.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-labelledby", id);
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    item.appendChild(label);
    item.appendChild(bar);
    item.appendChild(status);
    list.appendChild(item);
    return { bar: bar, status: status };
  }

  function send(file, ui) {
    return new Promise(function (resolve) {
      var data = new FormData(form);
      data.delete("files");
      data.append("files", file, file.name);
      if (titles && !titles.hidden) {
        data.set("title", titleOf(file));
      }
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action") || window.location.href);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          ui.bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      request.addEventListener("load", function () {
        var answer = {};
        try {
          answer = JSON.parse(request.responseText);
        } catch (error) {
          answer = {};
        }
        if (request.status === 200 && answer.ok) {
          ui.bar.value = 100;
          ui.status.className = "upload-ok";
          ui.status.textContent = " " + (form.dataset.msgAdded || "Ajouté.");
          resolve(true);
        } else {
          ui.bar.hidden = true; // a refused file did not arrive: no full bar beside its error
          ui.status.className = "upload-error";
          ui.status.textContent = " " + errorText(answer.errors);
          resolve(false);
        }
      });
      request.addEventListener("error", function () {
        ui.bar.hidden = true;
        ui.status.className = "upload-error";
        ui.status.textContent =
          " " + (form.dataset.msgNetwork || "La connexion a été interrompue. Réessayez.");
        resolve(false);
      });
      request.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    var files = chosenFiles();
    if (!files.length) {
      return; // let the server say that a file is required, next to the field
    }
    event.preventDefault();
    list.innerHTML = "";
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    var results = [];
    files.reduce(function (previous, file, index) {
      return previous.then(function () {
        return send(file, row(file, index)).then(function (ok) { results.push(ok); });
      });
    }, Promise.resolve()).then(function () {
      button.disabled = false;
      dropped = [];
      if (results.every(Boolean)) {
        window.location.assign(window.location.pathname);
        return;
      }
      var refresh = document.createElement("li");
      var link = document.createElement("a");
      link.href = window.location.pathname + "#preuves";
      link.textContent = "Afficher la liste à jour des preuves";
      refresh.appendChild(link);
      list.appendChild(refresh);
    });
  });
})();
