// Polls a background PDF export and reloads the page once it has finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var message = box.querySelector("[data-message]");

  function poll() {
    fetch(box.getAttribute("data-export-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (bar) { bar.value = status.progress; bar.textContent = status.progress + "%"; }
        if (message) { message.textContent = status.message; }
        if (status.state === "ready" || status.state === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
