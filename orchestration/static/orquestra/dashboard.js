/* The dashboard's chart: executions per day by status (Chart.js, vendored). Drawn on load and again each
   time htmx swaps the chart's tile in. Colours follow the theme's CSS variables. */
(function () {
  "use strict";
  var STATUS_VARS = {
    SUCCEEDED: "--orq-ok", PARTIAL: "--orq-warn", FAILED: "--orq-bad", TIMED_OUT: "--orq-bad",
    CANCELLED: "--orq-idle", SKIPPED: "--orq-idle", RUNNING: "--orq-run", QUEUED: "--orq-run", RETRYING: "--orq-warn"
  };

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw(root) {
    var canvas = (root || document).querySelector("canvas[data-chart]");
    if (!canvas || !window.Chart) { return; }
    var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    var existing = window.Chart.getChart(canvas);
    if (existing) { existing.destroy(); }
    var text = cssVar("--body-fg", "#333");
    var grid = cssVar("--hairline-color", "#ddd");
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset) {
          var colour = cssVar(STATUS_VARS[dataset.status] || "--orq-idle", "#888");
          return { label: dataset.label, data: dataset.data, backgroundColor: colour, borderColor: colour, status: dataset.status };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, ticks: { color: text }, grid: { color: grid } },
          y: { stacked: true, beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } }
        },
        plugins: { legend: { labels: { color: text } } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  // The admin's theme toggle changes the colours: draw again with the new ones.
  new MutationObserver(function () { draw(document); }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();
