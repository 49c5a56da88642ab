/* civicgrid phone pages: small progressive enhancements; every page works without them.
 *
 * [data-geolocate]: on load, ask the phone for its position and fill the inputs named by
 *   data-lon / data-lat (the map marker follows; a tap on the map still overrides).
 * [data-patrol-route]: while a patrol runs, watch the position and post it in batches
 *   (JSON {"points": [[lon, lat, iso], ...]}) to data-url with the CSRF header. Points not yet
 *   sent are kept in the phone's storage (localStorage, per patrol) as well as in the page:
 *   leaving the page — to sign in again once the session has ended, or the browser closing it —
 *   loses none, and the patrol's page sends them when it is opened again. The server drops a
 *   point it holds already, so one sent twice (the last post on leaving, then from storage) counts once.
 */
(function () {
  "use strict";
  function csrf() {
    // base.html puts the token on <body hx-headers>; the cookie is the fallback.
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) {}
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function say(el, text, ok) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("ok", !!ok);
  }

  function geolocate(box) {
    var lon = document.getElementById(box.dataset.lon);
    var lat = document.getElementById(box.dataset.lat);
    var status = box.querySelector(".fw-status");
    if (!("geolocation" in navigator)) { say(status, box.dataset.msgNone); return; }
    if (lon && lon.value && lat && lat.value) { say(status, box.dataset.msgKept, true); return; }
    say(status, box.dataset.msgWait);
    navigator.geolocation.getCurrentPosition(function (pos) {
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      lon.dispatchEvent(new Event("input"));
      say(status, box.dataset.msgOk.replace("{m}", Math.round(pos.coords.accuracy)), true);
    }, function () {
      say(status, box.dataset.msgFail);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function patrolRoute(box) {
    var url = box.dataset.url, status = box.querySelector(".fw-status");
    var pending = [], sending = false, line = null, count = +box.dataset.count || 0;
    var kept = "civicgrid-route:" + url;
    function keep() {
      try {
        if (pending.length) localStorage.setItem(kept, JSON.stringify(pending));
        else localStorage.removeItem(kept);
      } catch (e) { /* storage full or refused: the page still holds them */ }
    }
    try { pending = JSON.parse(localStorage.getItem(kept)) || []; } catch (e) { pending = []; }
    var mapEl = document.getElementById(box.dataset.routeMap), here = null;
    function map() { return mapEl && mapEl._civicgridMap; }
    function draw(lat, lon) {
      var m = map();
      if (!m || !window.L) return;
      if (!line) {
        var initial = [];
        try { initial = JSON.parse(document.getElementById("route-points").textContent); } catch (e) {}
        line = L.polyline(initial.map(function (p) { return [p[1], p[0]]; }), { color: "#c0392b", weight: 3 }).addTo(m);
      }
      line.addLatLng([lat, lon]);
      if (here) here.setLatLng([lat, lon]);
      else here = L.circleMarker([lat, lon], { radius: 7, color: "#1f5f8b", fillOpacity: 0.9 }).addTo(m);
    }
    function flush() {
      if (sending || !pending.length) return;
      sending = true;
      // At most what the server takes in one post (fieldwork.services.MAX_POINTS_PER_POST): after
      // long without signal the rest go with the next rounds.
      var batch = pending.splice(0, 500);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ points: batch }),
      }).then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
        .then(function (res) {
          if (res[0] < 300) { count = res[1].count; say(status, box.dataset.msgOk.replace("{n}", count), true); keep(); }
          else {
            // The session has ended (401): the page stays, with the patrol's checklist as it
            // was, and says so; the points wait here and go with the next batch once the worker
            // has signed in again (in another tab: this page keeps them only while it is open).
            if (res[0] === 401) pending = batch.concat(pending);
            keep();  // a refusal for what the points say (a finished patrol) is not kept
            say(status, res[1].error || box.dataset.msgFail);
          }
        })
        .catch(function () { pending = batch.concat(pending); keep(); say(status, box.dataset.msgOffline); })
        .then(function () { sending = false; });
    }
    if (!("geolocation" in navigator)) { say(status, box.dataset.msgNone); return; }
    say(status, count ? box.dataset.msgOk.replace("{n}", count) : box.dataset.msgWait, !!count);
    navigator.geolocation.watchPosition(function (pos) {
      var lon = +pos.coords.longitude.toFixed(6), lat = +pos.coords.latitude.toFixed(6);
      pending.push([lon, lat, new Date(pos.timestamp || Date.now()).toISOString()]);
      keep();
      draw(lat, lon);
      if (pending.length >= 5 || count === 0) flush();
    }, function () { say(status, box.dataset.msgFail); },
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
    setInterval(flush, 20000);
    flush();  // the points a page left here before (kept in storage)
    // Points taken just before leaving the page (e.g. a tap on a checklist button) go too.
    window.addEventListener("pagehide", function () {
      if (!pending.length || !navigator.sendBeacon) return;
      // sendBeacon cannot set headers: post through fetch keepalive instead.
      // They stay in storage too: if this post is refused (the session ended) or lost, the
      // patrol's page sends them again; if it goes through, the server drops them the second time.
      fetch(url, { method: "POST", keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ points: pending.slice(0, 500) }) });
    });
  }

  // "其余全部正常" ticks only the lines nobody touched: a line the worker has just marked 有问题
  // (refused for a missing note, or tapped while the request is on its way) or has started to
  // describe (a note typed, a photo chosen) is sent as `skip` and stays as it is.
  function restOk(form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[data-added-skip]").forEach(function (el) { el.remove(); });
      document.querySelectorAll("li.fw-item[data-item]").forEach(function (li) {
        if (li.classList.contains("ok") || li.classList.contains("problem")) return;
        var note = li.querySelector("textarea, input[type=text]");
        var photo = li.querySelector("input[type=file]");
        var started = (note && note.value.trim()) || (photo && photo.files && photo.files.length);
        if (!li.hasAttribute("data-pending-problem") && !started) return;
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "skip"; input.value = li.dataset.item;
        input.setAttribute("data-added-skip", "");
        form.appendChild(input);
      });
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".fw-choice button.danger");
    var li = button && button.closest("li.fw-item");
    if (li) li.setAttribute("data-pending-problem", "");
  });

  function init() {
    document.querySelectorAll("form[data-rest-ok]").forEach(restOk);
    document.querySelectorAll("[data-geolocate]").forEach(geolocate);
    document.querySelectorAll("[data-patrol-route]").forEach(patrolRoute);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
