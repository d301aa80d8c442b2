/* The main navigation as a disclosure menu on narrow screens.

   Without JavaScript the list is always shown (it wraps). With it, the « Menu » button appears
   below 48rem and shows or hides the list; aria-expanded says which. Escape closes the open menu
   and gives the focus back to the button. */
(function () {
  "use strict";

  var nav = document.querySelector("[data-nav]");
  if (!nav) { return; }
  var button = nav.querySelector(".nav-toggle");
  var list = document.getElementById(button && button.getAttribute("aria-controls"));
  if (!button || !list) { return; }

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("nav-open", open);
  }

  nav.classList.add("nav-js");
  button.hidden = false;
  setOpen(false);

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });

  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
