// Panels marked data-open-wide (the home page's filters and export options) fold away on a phone
// and start open on a wide screen. Without JavaScript they start folded unless the page opened them.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 48rem)").matches) { return; }
  var panels = document.querySelectorAll("details[data-open-wide]");
  for (var i = 0; i < panels.length; i++) { panels[i].open = true; }
})();
