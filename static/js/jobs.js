/* Progress of background jobs (templates/jobs/_progress.html): poll each unfinished job's JSON
   status and update its bar, its status text (an aria-live region, changed only when the
   status changes), its result link and its error, then stop once the job is finished.
   Progressive enhancement only: without JavaScript the "Actualiser" link reloads the page. */
(function () {
  "use strict";
  if (window.preuvesJobsStarted) { return; }  // the include may appear several times
  window.preuvesJobsStarted = true;
  var INTERVAL_MS = 1500;
  var RETRY_MS = 5000;

  function follow(box) {
    var url = box.getAttribute("data-job-status");
    var bar = box.querySelector("progress");
    var counts = box.querySelector("[data-job-counts]");
    var text = box.querySelector("[data-job-text]");
    var result = box.querySelector("[data-job-result]");
    var link = box.querySelector("[data-job-link]");
    var linkLabel = box.querySelector("[data-job-link-label]");
    var error = box.querySelector("[data-job-error]");
    var refresh = box.querySelector("[data-job-refresh]");
    if (refresh) { refresh.hidden = true; }

    function show(status) {
      if (status.total) {
        bar.max = status.total;
        bar.value = status.done;
        bar.textContent = status.percent + " %";
        counts.textContent = status.done + " / " + status.total;
      } else if (status.finished) {
        bar.max = 1;
        bar.value = 1;
      }
      var line = status.state_label.charAt(0).toUpperCase() + status.state_label.slice(1) +
        (status.message ? " — " + status.message : "");
      if (text.textContent !== line) { text.textContent = line; }
      if (status.state === "done" && status.result && status.result.url) {
        link.href = status.result.url;
        linkLabel.textContent = status.result.label || "";
        result.hidden = false;
      }
      if (status.state === "failed") {
        error.textContent = status.error;
        error.hidden = false;
      }
    }

    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (status) {
          show(status);
          if (!status.finished) { window.setTimeout(tick, INTERVAL_MS); }
        })
        .catch(function () {
          if (refresh) { refresh.hidden = false; }
          window.setTimeout(tick, RETRY_MS);
        });
    }

    window.setTimeout(tick, INTERVAL_MS);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-job-polling]"), follow);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
