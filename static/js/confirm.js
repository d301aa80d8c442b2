/* Confirmation before an irreversible action, in an accessible <dialog>.

   Markup (templates/components/confirm_dialog.html, from an accounts.confirm.Confirmation):
     <form id="F" method="post" data-confirm="D"> ... <button type="submit">Publier</button></form>
     <dialog id="D" class="confirm-dialog" aria-labelledby="D-title" aria-describedby="D-summary">
       <h2 id="D-title">…</h2><div id="D-summary">what will happen</div>
       <div class="dialog-actions">
         <button type="button" class="button secondary" data-confirm-cancel>Annuler</button>
         <button type="submit" class="button" form="F" name="confirmed" value="1">Confirmer</button>
       </div>
     </dialog>
   Submitting F by any other button opens D instead (focus on « Annuler »); Annuler and Escape
   close it and give the focus back to the button that opened it. When only one of the form's
   buttons is irreversible, that button carries data-confirm="D" instead of the form.
   « Confirmer » sends the form with the name and value of the button that opened the dialog
   (e.g. action=absent) and confirmed=1, once: a second click sends nothing more.

   The server refuses the action unless the POST carries confirmed=1, so without JavaScript
   nothing irreversible happens in one click either: the page then shows the same summary with
   its confirm button. */
(function () {
  "use strict";

  var CARRY = "data-confirm-carry";

  function dialogFor(form, submitter) {
    var id = (submitter && submitter.getAttribute("data-confirm")) ||
      (form.hasAttribute("data-confirm") && form.getAttribute("data-confirm"));
    return id ? document.getElementById(id) : null;
  }

  function isConfirmation(submitter) {
    return submitter && submitter.name === "confirmed" && submitter.value === "1";
  }

  /* Send the opener's name=value along with the confirmation, which replaces it as submitter. */
  function carry(form, opener) {
    var old = form.querySelectorAll("input[" + CARRY + "]");
    for (var i = 0; i < old.length; i++) { old[i].remove(); }
    if (!opener || !opener.name || opener.form !== form || opener.type !== "submit") { return; }
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = opener.name;
    input.value = opener.value;
    input.setAttribute(CARRY, "");
    form.appendChild(input);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var submitter = event.submitter;
    if (isConfirmation(submitter)) {
      var open = submitter.closest("dialog");
      if (!open) { return; }  // a confirmation page's own button: nothing to add
      if (form.getAttribute("data-confirm-sent")) { event.preventDefault(); return; }
      carry(form, open.confirmOpener);
      return;
    }
    var dialog = dialogFor(form, submitter);
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    dialog.confirmOpener = submitter || null;
    dialog.returnFocusTo = submitter || document.activeElement;
    dialog.showModal();
    var cancel = dialog.querySelector("[data-confirm-cancel]");
    if (cancel) { cancel.focus(); }
  }, true);

  /* A confirmation is sent once: marked last, on the window, so that a script that held the
     submission back (grid.js waiting for a field's save, then submitting again with the same
     button) is not taken for a second click. */
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
    if (isConfirmation(event.submitter) && event.submitter.closest("dialog")) {
      form.setAttribute("data-confirm-sent", "1");
    }
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-confirm-cancel]");
    if (!cancel) { return; }
    var dialog = cancel.closest("dialog");
    if (dialog) { dialog.close("cancel"); }
  });

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog instanceof HTMLDialogElement && dialog.returnFocusTo) {
      var back = dialog.returnFocusTo;
      dialog.returnFocusTo = null;
      dialog.confirmOpener = null;
      back.focus();
    }
  }, true);

  /* Back from the next page (bfcache): the form may be confirmed again. */
  window.addEventListener("pageshow", function () {
    var sent = document.querySelectorAll("form[data-confirm-sent]");
    for (var i = 0; i < sent.length; i++) { sent[i].removeAttribute("data-confirm-sent"); }
  });
})();
