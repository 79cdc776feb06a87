// Polls a background PDF export, shows how far it got, and downloads the PDF once it is ready.
// The link to it is shown too, for a browser that blocks the download.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var message = box.querySelector("[data-message]");

  function show(status) {
    if (bar) {
      // Typst lays the pages out in one call that reports nothing until done: an indeterminate bar.
      if (status.stage === "layout") { bar.removeAttribute("value"); } else { bar.value = status.progress; }
      bar.textContent = status.progress + "%";
    }
    if (message) { message.textContent = status.message; }
  }

  function ready(status) {
    var heading = box.querySelector("[data-heading]");
    var working = box.querySelector("[data-working]");
    var link = box.querySelector("[data-ready]");
    if (heading) { heading.textContent = "Your PDF is ready"; }
    if (working) { working.hidden = true; }
    if (message) { message.textContent = "Ready: downloading the PDF."; }
    if (link) { link.hidden = false; }
    window.location.assign(status.download_url);
  }

  function poll() {
    fetch(box.getAttribute("data-export-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        show(status);
        if (status.state === "ready") {
          ready(status);
        } else if (status.state === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
