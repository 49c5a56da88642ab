/* 15分钟党群服务圈: each open service point a marker with its walking circle (about 1 km) and a
 * popup with its address, hours and services. The points come with the page
 * (party.services.public_points). Uses civicgrid's map helper; no inline script (CSP). */
(function () {
  "use strict";
  var COLOURS = { town: "#b71c1c", community: "#d84315", station: "#ef6c00", point: "#c62828" };
  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.name;
    box.appendChild(title);
    [p.kind_label, p.address, p.hours, (p.services || []).join("、")].forEach(function (text) {
      if (!text) return;
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }
  function init() {
    var el = document.getElementById("party-map");
    if (!el || !window.civicgrid || !window.L) return;
    var points = JSON.parse(document.getElementById(el.dataset.points).textContent);
    var radius = parseFloat(el.dataset.radius) || 1000;
    var map = window.civicgrid.createMap(el);
    window.civicgrid.maps = window.civicgrid.maps || {};
    window.civicgrid.maps[el.id] = map;
    var circles = 0;
    points.forEach(function (p) {
      var colour = COLOURS[p.tier] || "#c62828";
      L.circle([p.lat, p.lng], { radius: radius, color: colour, weight: 1, fillOpacity: 0.08 }).addTo(map);
      circles += 1;
      var marker = L.circleMarker([p.lat, p.lng], { radius: p.tier === "point" ? 6 : 8, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.95 });
      marker.bindPopup(popup(p));
      marker.bindTooltip(p.name);
      marker.addTo(map);
    });
    if (points.length) {
      map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lng]; })), { padding: [24, 24], maxZoom: 16 });
    }
    el.dataset.count = String(points.length);
    el.dataset.circles = String(circles);
    el.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
