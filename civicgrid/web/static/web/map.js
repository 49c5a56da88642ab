/* civicgrid maps: Leaflet with the grid polygons on a plain background.
 *
 * The machines have no internet, so no base-map tiles by default; a deployment that has its own
 * tile service sets CIVICGRID_MAP_TILE_URL and every map adds that layer.
 *
 * Declarative use (no script of your own):
 *   <script type="application/json" id="grid-shapes">{...FeatureCollection...}</script>
 *   <div class="map" data-map data-geojson="grid-shapes" data-point="121.55,31.13"
 *        data-pick-lon="id_lon" data-pick-lat="id_lat" data-tile-url="" data-attribution=""></div>
 * Feature properties understood: name, code, color (fill), url (click → go there), label.
 * data-pick-lon/lat: a tap on the map sets the marker and fills those inputs (and the inputs,
 * when typed into, move the marker). This is every form's place picker (案件, 易积水点, 点位, 阵地,
 * 项目 …): a form needs no script of its own. data-pick-zoom="16": a point already in the inputs
 * (an edit form) or typed in is shown at least that close, not at the city's zoom.
 * window.civicgrid.maps[el.id] is the Leaflet map.
 */
(function () {
  "use strict";
  var cg = (window.civicgrid = window.civicgrid || {});
  cg.maps = cg.maps || {};

  cg.createMap = function (el) {
    // The page's map element carries the deployment's tile service (data-tile-url,
    // data-attribution): a map's own script need not pass it on.
    var tileUrl = el.dataset.tileUrl || "";
    var attribution = el.dataset.attribution || "";
    // maxZoom: without a tile layer the map has none, and marker clustering needs one.
    var map = L.map(el, { zoomControl: true, attributionControl: !!attribution, preferCanvas: true, maxZoom: 19 });
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: attribution, maxZoom: 19 }).addTo(map);
    }
    map.setView([31.23, 121.47], 12);
    return map;
  };

  cg.gridStyle = function (feature) {
    var p = feature.properties || {};
    return {
      color: p.stroke || "#35607a",
      weight: p.weight || 1,
      fillColor: p.color || "#9cc3d5",
      fillOpacity: p.color ? 0.6 : 0.2,
    };
  };

  cg.drawGrids = function (map, collection, options) {
    options = options || {};
    var layer = L.geoJSON(collection, {
      style: options.style || cg.gridStyle,
      onEachFeature: function (feature, lyr) {
        var p = feature.properties || {};
        var text = p.label || p.name || p.code || "";
        if (text) lyr.bindTooltip(text, { sticky: true });
        if (p.url) {
          lyr.on("click", function () { window.location.href = p.url; });
        }
        if (options.onEachFeature) options.onEachFeature(feature, lyr);
      },
    }).addTo(map);
    if (options.fit !== false && layer.getBounds().isValid()) {
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }
    return layer;
  };

  cg.pickPoint = function (map, lonInput, latInput, initial, zoom) {
    var marker = null;
    function place(lat, lon, pan) {
      if (marker) marker.setLatLng([lat, lon]);
      else marker = L.circleMarker([lat, lon], { radius: 8, color: "#c0392b", fillOpacity: 0.9 }).addTo(map);
      if (pan && zoom) map.setView([lat, lon], Math.max(map.getZoom(), zoom));
      else if (pan) map.panTo([lat, lon]);
    }
    if (initial) place(initial[1], initial[0], true);
    map.on("click", function (e) {
      var lon = e.latlng.lng.toFixed(6), lat = e.latlng.lat.toFixed(6);
      if (lonInput) { lonInput.value = lon; lonInput.dispatchEvent(new Event("change")); }
      if (latInput) { latInput.value = lat; latInput.dispatchEvent(new Event("change")); }
      place(+lat, +lon, false);
    });
    function fromInputs() {
      var lon = parseFloat(lonInput && lonInput.value), lat = parseFloat(latInput && latInput.value);
      if (isFinite(lon) && isFinite(lat)) place(lat, lon, true);
    }
    if (lonInput) lonInput.addEventListener("input", fromInputs);
    if (latInput) latInput.addEventListener("input", fromInputs);
    return { place: place, fromInputs: fromInputs };
  };

  // Points as markers grouped into clusters (leaflet.markercluster, loaded by the page).
  // items: [{lat, lon, colour, popup (a DOM node or text)}]; returns the cluster group.
  cg.clusterMarkers = function (map, items, group) {
    if (!group) {
      group = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45, chunkedLoading: true });
      map.addLayer(group);
    }
    group.clearLayers();
    var markers = items.map(function (item) {
      var marker = L.circleMarker([item.lat, item.lon], {
        radius: 7, color: "#fff", weight: 1.5, fillColor: item.colour || "#c0392b", fillOpacity: 0.95,
      });
      if (item.popup) marker.bindPopup(item.popup);
      return marker;
    });
    group.addLayers(markers);
    return group;
  };

  // A heat layer (leaflet.heat, loaded by the page) of [lat, lon, weight] points; replaces `layer`.
  cg.heatLayer = function (map, points, max, layer) {
    if (layer) map.removeLayer(layer);
    return L.heatLayer(points, { radius: 22, blur: 18, maxZoom: 17, max: max || 1, minOpacity: 0.3 }).addTo(map);
  };

  cg.initMap = function (el) {
    if (el._civicgridMap) return el._civicgridMap;
    var map = cg.createMap(el);
    el._civicgridMap = map;
    if (el.id) cg.maps[el.id] = map;
    if (el.dataset.geojson) {
      var source = document.getElementById(el.dataset.geojson);
      if (source) cg.drawGrids(map, JSON.parse(source.textContent), { fit: true });
    }
    var point = null;
    if (el.dataset.point) {
      var parts = el.dataset.point.split(",").map(parseFloat);
      if (parts.length === 2 && isFinite(parts[0]) && isFinite(parts[1])) point = parts;
    }
    if (el.dataset.pickLon || el.dataset.pickLat) {
      var picker = cg.pickPoint(
        map,
        document.getElementById(el.dataset.pickLon),
        document.getElementById(el.dataset.pickLat),
        point,
        parseInt(el.dataset.pickZoom, 10) || 0
      );
      el._civicgridPicker = picker;
      picker.fromInputs();
    } else if (point) {
      L.circleMarker([point[1], point[0]], { radius: 8, color: "#c0392b", fillOpacity: 0.9 }).addTo(map);
      if (!el.dataset.geojson) map.setView([point[1], point[0]], 16);
    }
    el.dataset.ready = "1";
    return map;
  };

  function initAll(root) {
    (root || document).querySelectorAll("[data-map]").forEach(cg.initMap);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { initAll(); });
  else initAll();
  // Maps inside content swapped in by htmx.
  document.addEventListener("htmx:afterSettle", function (e) { initAll(e.target); });
})();
