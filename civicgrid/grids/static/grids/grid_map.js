// The grid's boundary on the admin change page (a plain background: no base-map tiles offline).
// A file, not an inline script, so the Content-Security-Policy can forbid inline scripts.
(function () {
  var data = document.getElementById("grid-geometry");
  if (typeof L === "undefined" || !data) { return; }
  var geometry = JSON.parse(data.textContent);
  var map = L.map("grid-map", {attributionControl: false});
  var layer = L.geoJSON(geometry, {style: {color: "#c0392b", weight: 2, fillOpacity: 0.15}}).addTo(map);
  map.fitBounds(layer.getBounds(), {padding: [20, 20]});
})();
