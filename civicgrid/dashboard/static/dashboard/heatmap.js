/* 上报热力图: the report cells of the dashboard's scope and period (dashboard/heat.py) as a
 * leaflet.heat layer over the micro-grid outlines the page already carries (#dashboard-data). */
(function () {
  "use strict";
  var el = document.getElementById("heat-map");
  if (!el || typeof L === "undefined" || !window.civicgrid || !L.heatLayer) return;
  var cg = window.civicgrid;
  var map = cg.createMap(el, { tileUrl: el.dataset.tileUrl || "" });
  cg.maps[el.id] = map;
  var source = document.getElementById(el.dataset.outlines);
  if (source) {
    var data = JSON.parse(source.textContent);
    if (data.map) {
      cg.drawGrids(map, data.map, {
        style: function () { return { color: "#35607a", weight: 1, fillColor: "#ffffff", fillOpacity: 0.1 }; },
      });
    }
  }
  var total = document.getElementById("heat-total");
  fetch(el.dataset.heatUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
    .then(function (data) {
      el._heat = cg.heatLayer(map, data.points, data.max);
      if (total) total.textContent = el.dataset.totalText.replace("{n}", data.total);
      el.dataset.points = String(data.points.length);
      el.dataset.ready = "1";
    })
    .catch(function () {
      if (total) total.textContent = el.dataset.errorText;
      el.dataset.ready = "error";
    });
})();
