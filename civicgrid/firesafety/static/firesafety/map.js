/* The battle map (作战图): every rental house a dot in its colour, clustered, over the outlines of
 * the 居村; a click on a dot opens the house's page (its history). The points and outlines come
 * with the page (firesafety.services.map_points, map_outlines), filtered by the page's FilterSet.
 * Uses civicgrid's map helper; no inline script (CSP). */
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("fire-map");
    if (!el || !window.civicgrid || !window.L) return;
    var source = document.getElementById(el.dataset.points);
    if (!source) return;
    var points = JSON.parse(source.textContent);
    var map = window.civicgrid.createMap(el);
    window.civicgrid.maps[el.id] = map;
    // The 居村 outlines under the houses: where each house lies, and a click on a 居村 filters to it.
    var outlines = document.getElementById(el.dataset.outlines);
    var villages = outlines ? JSON.parse(outlines.textContent) : null;
    if (villages && villages.features.length) {
      window.civicgrid.drawGrids(map, villages, { fit: !points.length });
    }
    var group = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, chunkedLoading: true }) : L.layerGroup();
    var markers = points.map(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], { radius: 7, color: "#fff", weight: 1.5, fillColor: p.colour, fillOpacity: 0.95 });
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.label;
      marker.bindPopup(link);
      marker.bindTooltip(p.label);
      marker.on("dblclick", function () { window.location.href = p.url; });
      return marker;
    });
    if (group.addLayers) group.addLayers(markers); else markers.forEach(function (m) { group.addLayer(m); });
    map.addLayer(group);
    if (markers.length) {
      var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    }
    el.dataset.ready = "1";
    el.dataset.count = String(points.length);
    el.dataset.outlineCount = String(villages ? villages.features.length : 0);
    var keys = {};
    points.forEach(function (p) { keys[p.key] = (keys[p.key] || 0) + 1; });
    el.dataset.colours = Object.keys(keys).sort().map(function (k) { return k + ":" + keys[k]; }).join(",");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
