/* 上报热力图: the report cells of the dashboard's scope and period (dashboard/heat.py) as a
 * leaflet.heat layer over the micro-grid outlines the page already carries (#dashboard-data,
 * which comes later in the page than this section: hence the wait for the whole document). */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("heat-map");
    if (!el || typeof L === "undefined" || !window.civicgrid || !L.heatLayer) return;
    var cg = window.civicgrid;
    var map = cg.createMap(el);
    cg.maps[el.id] = map;
    var outlined = false;
    var source = document.getElementById(el.dataset.outlines);
    if (source) {
      var data = JSON.parse(source.textContent);
      if (data.map && data.map.features && data.map.features.length) {
        cg.drawGrids(map, data.map, {
          style: function () { return { color: "#35607a", weight: 1, fillColor: "#ffffff", fillOpacity: 0.1 }; },
        });
        outlined = true;
      }
    }
    var total = document.getElementById("heat-total");
    civicgridJSON(el.dataset.heatUrl)
      .then(function (data) {
        el._heat = cg.heatLayer(map, data.points, data.max);
        if (!outlined && data.points.length) {
          map.fitBounds(L.latLngBounds(data.points.map(function (p) { return [p[0], p[1]]; })), { padding: [20, 20] });
        }
        if (total) total.textContent = el.dataset.totalText.replace("{n}", data.total);
        el.dataset.points = String(data.points.length);
        el.dataset.ready = "1";
      })
      .catch(function (error) {
        if (window.console) console.error(error);
        if (total) total.textContent = el.dataset.errorText;
        el.dataset.ready = "error";
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
