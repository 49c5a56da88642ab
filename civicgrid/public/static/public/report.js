/* The residents' report form: one-tap categories, "use my location", anonymous hides the name.
 * The map itself is web/map.js (declarative data-map); this only talks to its inputs. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var select = form.querySelector("select[name=category]");
  var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");

  // Quick picks set the select (which stays the source of truth, also without script).
  var chips = form.querySelectorAll(".quick-picks .chip");
  function markChips() {
    chips.forEach(function (chip) {
      chip.setAttribute("aria-pressed", String(select && chip.dataset.category === select.value));
    });
  }
  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      if (!select) return;
      select.value = chip.dataset.category;
      select.dispatchEvent(new Event("change"));
    });
  });
  if (select) select.addEventListener("change", markChips);

  // Whether a point is set, in words (the marker alone is easy to miss on a small screen).
  var state = document.getElementById("pin-state");
  function showState() {
    if (!state) return;
    state.textContent = lon && lon.value && lat && lat.value ? state.dataset.set : state.dataset.unset;
  }
  [lon, lat].forEach(function (input) { if (input) input.addEventListener("change", showState); });
  showState();

  // Browser geolocation → the same inputs a tap fills; the map's picker follows "input" events.
  var button = document.getElementById("use-location");
  var message = document.getElementById("location-message");
  if (button) {
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { message.textContent = button.dataset.unsupported; return; }
      message.textContent = button.dataset.busy;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var el = document.getElementById("report-map");
          var map = el && el._civicgridMap;
          // Close enough to see the building, without an animation racing the marker's pan.
          if (map) map.setView([pos.coords.latitude, pos.coords.longitude], Math.max(map.getZoom(), 15), { animate: false });
          lon.value = pos.coords.longitude.toFixed(6);
          lat.value = pos.coords.latitude.toFixed(6);
          lon.dispatchEvent(new Event("input"));
          lat.dispatchEvent(new Event("input"));
          showState();
          message.textContent = "";
        },
        function () { message.textContent = button.dataset.failed; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  // Anonymous: the name is not asked for (and not sent).
  var anonymous = form.querySelector("input[name=is_anonymous]");
  var named = document.getElementById("named-fields");
  function toggleName() {
    if (!anonymous || !named) return;
    named.hidden = anonymous.checked;
    var input = named.querySelector("input");
    if (input) input.disabled = anonymous.checked;
  }
  if (anonymous) anonymous.addEventListener("change", toggleName);
  toggleName();

  // One submission per tap on a slow connection.
  form.addEventListener("submit", function () {
    var submit = form.querySelector("button[type=submit]");
    if (submit) setTimeout(function () { submit.disabled = true; }, 0);
  });
})();
