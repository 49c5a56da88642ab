/* The service-point form's place picker: a click on the map fills 经度/纬度 and moves the marker; typed
 * coordinates move it too. Uses civicgrid's map helper (web/map.js); no inline script (CSP). */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("party-point-map");
    var lon = document.getElementById("id_lng");
    var lat = document.getElementById("id_lat");
    if (!el || !lon || !lat || !window.civicgrid || !window.L) return;
    var map = window.civicgrid.createMap(el, {});
    var marker = null;
    function place(latlng, pan) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 8, color: "#333", weight: 1, fillColor: "#d92d20", fillOpacity: 0.9 }).addTo(map);
      if (pan) map.setView(latlng, Math.max(map.getZoom(), 16));
    }
    function fromInputs() {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      if (isFinite(x) && isFinite(y)) place([y, x], true);
    }
    map.on("click", function (e) {
      lon.value = e.latlng.lng.toFixed(6);
      lat.value = e.latlng.lat.toFixed(6);
      place(e.latlng, false);
    });
    lon.addEventListener("change", fromInputs);
    lat.addEventListener("change", fromInputs);
    fromInputs();
    el.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
