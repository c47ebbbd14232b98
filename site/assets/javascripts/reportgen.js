/* The review site's own script: draws the charts and lets tables be sorted.

   Each chart is a <div class="rg-chart"> holding its Plotly figure as JSON
   (reportgen/report/charts.py writes it); plotly.min.js ships with the site, so charts
   draw offline. A click on a column heading sorts the table by that column; a row whose
   first cell is bold (a total) stays last. */
(function () {
  "use strict";

  function drawCharts(root) {
    root.querySelectorAll(".rg-chart").forEach(function (box) {
      if (box.getAttribute("data-drawn")) return;
      var source = box.querySelector('script[type="application/json"]');
      if (!source || typeof Plotly === "undefined") return;
      var spec = JSON.parse(source.textContent);
      var target = document.createElement("div");
      target.className = "rg-plot";
      box.appendChild(target);
      Plotly.newPlot(target, spec.data, spec.layout, spec.config);
      box.setAttribute("data-drawn", "1");
    });
  }

  // "1,234.50", "61.7 days", "-3.2 pp", "84.9 %", "1.53×" -> a number; "—" and text -> null
  function numberIn(text) {
    var match = text.replace(/,/g, "").match(/^[▲▼\s]*([+\-±]?\d+(?:\.\d+)?)/);
    return match ? parseFloat(match[1].replace("±", "")) : null;
  }

  function sortBy(table, column, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var pinned = rows.filter(function (r) { return r.cells[0] && r.cells[0].querySelector("strong"); });
    var sorted = rows.filter(function (r) { return pinned.indexOf(r) < 0; });
    sorted.sort(function (a, b) {
      var x = a.cells[column] ? a.cells[column].textContent.trim() : "";
      var y = b.cells[column] ? b.cells[column].textContent.trim() : "";
      var nx = numberIn(x), ny = numberIn(y), order;
      if (nx !== null && ny !== null) order = nx - ny;
      else if (nx !== null) order = -1;
      else if (ny !== null) order = 1;
      else order = x.localeCompare(y);
      return descending ? -order : order;
    });
    sorted.concat(pinned).forEach(function (r) { body.appendChild(r); });
  }

  function sortableTables(root) {
    root.querySelectorAll("article table").forEach(function (table) {
      if (!table.tHead || !table.tBodies.length || table.getAttribute("data-sortable")) return;
      table.setAttribute("data-sortable", "1");
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        th.classList.add("rg-sortable");
        th.addEventListener("click", function () {
          var descending = th.getAttribute("aria-sort") === "ascending";
          Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
            other.removeAttribute("aria-sort");
          });
          th.setAttribute("aria-sort", descending ? "descending" : "ascending");
          sortBy(table, column, descending);
        });
      });
    });
  }

  drawCharts(document);
  sortableTables(document);
})();
