/* The campaign's checkpoints on a map: green when the latest inspection reaches the target, red
 * below it, grey when not inspected yet. Uses civicgrid's map helper (web/map.js); no inline
 * script (CSP). */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("checkpoints-map");
    if (!el || !window.civicgrid || !window.L) return;
    var source = document.getElementById(el.dataset.points);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var map = window.civicgrid.createMap(el);
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        var color = p.percent === null ? "#98a2b3" : p.ready ? "#1e8e3e" : "#d92d20";
        return L.circleMarker(latlng, { radius: 5, color: "#333", weight: 1, fillColor: color, fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, lyr) {
        lyr.bindTooltip((feature.properties || {}).label || "");
      },
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 17 });
    el.dataset.ready = "1";
    el.dataset.count = String(data.features.length);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
