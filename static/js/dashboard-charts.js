// Draws the dashboard's charts with Chart.js (static/vendor/chartjs) from the figures each chart's
// JSON block holds (glossary.dashboard.Chart). The table under each chart holds the same numbers,
// so without JavaScript, or for a screen reader, nothing is lost.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  // Colours a reader can tell apart, also with the common colour-vision deficiencies (Okabe–Ito).
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
  var DASHES = [[], [6, 4], [2, 3], [8, 3, 2, 3]];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function datasets(data) {
    return data.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      var set = { label: series.name, data: series.values, backgroundColor: colour, borderColor: colour };
      if (data.kind === "line") {
        set.borderDash = DASHES[index % DASHES.length];
        set.pointStyle = ["circle", "rect", "triangle", "rectRot"][index % 4];
        set.pointRadius = 3;
        set.tension = 0;
        set.fill = false;
      }
      return set;
    });
  }

  var figures = document.querySelectorAll("figure[data-chart]");
  for (var i = 0; i < figures.length; i++) {
    var figure = figures[i];
    var source = document.getElementById(figure.getAttribute("data-chart"));
    if (!source) { continue; }
    var data = JSON.parse(source.textContent);
    var stacked = data.kind === "stacked";
    var horizontal = data.kind !== "line";
    figure.classList.add("chart-drawn");  // shown first, so the chart measures its room
    new window.Chart(figure.querySelector("canvas"), {
      type: data.kind === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets(data) },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: data.series.length > 1, position: "bottom" } },
        scales: {
          x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 },
               title: { display: horizontal, text: data.unit } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 },
               title: { display: !horizontal, text: data.unit } }
        }
      }
    });
  }
})();
