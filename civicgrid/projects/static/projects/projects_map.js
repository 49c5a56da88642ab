/* The campaign's projects on a map: recommended ones in red, the other proposals in grey.
 * Uses civicgrid's map helper (web/map.js); no inline script (CSP). */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("projects-map");
    if (!el || !window.civicgrid || !window.L) return;
    var source = document.getElementById(el.dataset.points);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var map = window.civicgrid.createMap(el);
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        var color = p.recommended ? "#d92d20" : "#98a2b3";
        return L.circleMarker(latlng, { radius: p.recommended ? 8 : 5, color: "#333", weight: 1, fillColor: color, fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, lyr) {
        var p = feature.properties || {};
        lyr.bindTooltip(p.label || "");
        lyr.on("click", function () { window.location.href = "./" + p.id + "/"; });
      },
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 17 });
    el.dataset.ready = "1";
    el.dataset.count = String(data.features.length);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
