/* 案件地图: open cases in scope as clustered markers on the grid polygons (web/map.js). The
 * markers come from the page's JSON endpoint; ticking a state reloads them. The texts come from
 * the page's data attributes (translated by the server). */
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var form = document.getElementById("case-map-states");
  var counter = document.getElementById("case-map-count");
  if (!el || typeof L === "undefined" || !window.civicgrid) return;
  var cg = window.civicgrid;
  var colours = {};
  (el.dataset.colours || "").split(",").forEach(function (pair) {
    var kv = pair.split("=");
    if (kv.length === 2) colours[kv[0]] = kv[1];
  });
  var map = cg.createMap(el);
  cg.maps[el.id] = map;
  var outlines = document.getElementById(el.dataset.geojson);
  if (outlines) {
    cg.drawGrids(map, JSON.parse(outlines.textContent), {
      style: function () { return { color: "#35607a", weight: 1, fillColor: "#9cc3d5", fillOpacity: 0.15 }; },
    });
  }
  var group = null;
  // Unticking several states sends several requests; only the latest one may draw, or a slower,
  // older answer would leave the map and its count showing states no longer ticked.
  var seq = 0;

  function popup(c) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = el.dataset.caseUrl.replace("__number__", encodeURIComponent(c.number));
    link.textContent = c.number;
    var strong = document.createElement("strong");
    strong.appendChild(link);
    box.appendChild(strong);
    [c.label + " · " + c.category, c.reported_at].forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function load() {
    var params = new URLSearchParams();
    form.querySelectorAll("input[name=status]:checked").forEach(function (box) { params.append("status", box.value); });
    // A page's own filters (?q=, ?community= …) narrow the map as they narrow the queues.
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      if (key !== "status") params.append(key, value);
    });
    var mine = ++seq;
    el.dataset.loading = "1";
    if (!form.querySelector("input[name=status]:checked")) {
      group = cg.clusterMarkers(map, [], group);
      counter.textContent = el.dataset.countText.replace("{n}", "0");
      el.dataset.loaded = "0";
      delete el.dataset.loading;
      return;
    }
    civicgridJSON(el.dataset.casesUrl + "?" + params.toString())
      .then(function (data) {
        if (mine !== seq) return;
        var items = data.cases.map(function (c) {
          return { lat: c.lat, lon: c.lon, colour: colours[c.status], popup: popup(c) };
        });
        group = cg.clusterMarkers(map, items, group);
        el._cluster = group;
        counter.textContent = el.dataset.countText.replace("{n}", data.count) + (data.truncated ? el.dataset.truncatedText : "");
        el.dataset.loaded = String(data.count);
        delete el.dataset.loading;
      })
      .catch(function (error) {
        if (mine !== seq) return;
        if (window.console) console.error(error);
        counter.textContent = el.dataset.errorText;
        delete el.dataset.loading;
      });
  }
  form.addEventListener("change", load);
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
  el.dataset.ready = "1";
})();
