/* The drop-off points on a map, each a dot coloured by its estate's last inspection score
 * (the colour comes with the data: sorting.reports.points_map). Uses civicgrid's map helper. */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("points-map");
    if (!el || !window.civicgrid || !window.L) return;
    var source = document.getElementById(el.dataset.points);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var map = window.civicgrid.createMap(el);
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        return L.circleMarker(latlng, { radius: 7, color: "#333", weight: 1, fillColor: p.color, fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, lyr) {
        var p = feature.properties || {};
        lyr.bindTooltip(p.label || p.name || "");
        lyr.on("click", function () { window.location.href = "./" + p.id + "/"; });
      },
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 17 });
    el.dataset.ready = "1";
    el.dataset.count = String(data.features.length);
    // What is drawn (on a canvas), for the page's tests and assistive tools.
    el.dataset.colors = data.features.map(function (f) { return f.properties.color; }).join(",");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
