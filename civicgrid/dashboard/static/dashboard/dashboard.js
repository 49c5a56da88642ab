/* civicgrid dashboard: charts (ECharts) and the micro-grid map (Leaflet) from the figures JSON.
 *
 * The page embeds the figures in <script type="application/json" id="dashboard-data">; the big
 * screen (data-refresh="60" on <body>) fetches them again from data-source every N seconds.
 * Every text comes from data.labels (translated by the server).
 */
(function () {
  "use strict";
  var charts = {};
  var mapState = { map: null, layer: null, metric: "open", data: null };
  var dark = document.body.classList.contains("screen");
  var theme = dark ? "dark" : null;
  var palette = ["#4e9bd6", "#f2a33a", "#5cb87a", "#e0625b", "#9b7fd1", "#4fc1c9", "#c9a227", "#8c8c8c", "#d96aa6", "#6f8fb3", "#b0c46e"];

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    if (!charts[id]) charts[id] = echarts.init(el, theme, { renderer: "canvas" });
    return charts[id];
  }

  function base(extra) {
    var o = {
      backgroundColor: "transparent",
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      textStyle: { fontSize: dark ? 16 : 12 },
    };
    for (var k in extra) o[k] = extra[k];
    return o;
  }

  function render(data) {
    var L = data.labels;
    var c;
    if ((c = chart("chart-day"))) {
      c.setOption(base({
        legend: { data: [L.reported, L.closed], top: 0 },
        xAxis: { type: "category", data: data.trend_day.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.reported, type: "line", smooth: true, data: data.trend_day.reported, areaStyle: { opacity: 0.15 } },
          { name: L.closed, type: "line", smooth: true, data: data.trend_day.closed },
        ],
      }), true);
    }
    if ((c = chart("chart-month"))) {
      c.setOption(base({
        legend: { data: [L.reported, L.filed], top: 0 },
        xAxis: { type: "category", data: data.trend_month.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.reported, type: "bar", data: data.trend_month.reported },
          { name: L.filed, type: "bar", data: data.trend_month.filed },
        ],
      }), true);
    }
    if ((c = chart("chart-sources"))) {
      c.setOption(base({
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          name: L.sources, type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
          label: { formatter: "{b}\n{c}" },
          data: data.sources.map(function (s) { return { name: s.name, value: s.n }; }),
        }],
      }), true);
    }
    if ((c = chart("chart-categories"))) {
      var cats = data.categories.slice().reverse();
      c.setOption(base({
        grid: { left: dark ? 150 : 120, right: 24, top: 8, bottom: 24 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: cats.map(function (x) { return x.name; }) },
        series: [{ name: L.reported, type: "bar", data: cats.map(function (x) { return x.n; }), label: { show: true, position: "right" } }],
      }), true);
    }
    drawMap(data);
    var stamp = document.getElementById("updated-at");
    if (stamp && data.generated_at) stamp.textContent = L.updated + " " + data.generated_at;
  }

  /* The screen's figures could not be refreshed (no network, a server error): the time of the
   * figures shown stays, marked as old, until a refresh succeeds. */
  function stale(on) {
    var stamp = document.getElementById("updated-at");
    if (stamp) stamp.classList.toggle("stale", on);
    var note = document.getElementById("refresh-failed");
    if (note) note.hidden = !on;
  }

  /* The map's legend: the metric's name and the largest value, the colours of colour(). */
  function updateLegend(max) {
    var title = document.getElementById("legend-title");
    if (title) title.textContent = title.dataset[mapState.metric] || title.textContent;
    var top = document.getElementById("legend-max");
    if (top) top.textContent = Math.max(1, max);
  }

  function colour(value, max) {
    if (!value) return dark ? "#1f4d3a" : "#cfe8d6";
    var t = Math.min(1, value / Math.max(1, max));
    var r = 245, g = Math.round(210 - 170 * t), b = Math.round(80 - 50 * t);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  function drawMap(data) {
    var el = document.getElementById("grid-map");
    if (!el || !window.L || !window.civicgrid) return;
    mapState.data = data;
    var L_ = data.labels;
    var features = data.map.features;
    features.forEach(function (f) {
      var p = f.properties;
      p.url = (el.dataset.casesUrl || "").replace("__code__", encodeURIComponent(p.code));
      p.label = p.name + " · " + L_.open + " " + p.open + " · " + L_.overdue + " " + p.overdue;
    });
    function style(feature) {
      var metric = mapState.metric;
      var max = 0;
      features.forEach(function (f) { max = Math.max(max, f.properties[metric] || 0); });
      return {
        color: dark ? "#9fc3e6" : "#35607a", weight: 1,
        fillColor: colour(feature.properties[metric], max), fillOpacity: 0.8,
      };
    }
    if (!mapState.map) {
      mapState.map = window.civicgrid.createMap(el);
      el.style.background = dark ? "#0b1e33" : "#f4f6f8";
      mapState.layer = window.civicgrid.drawGrids(mapState.map, data.map, { style: style });
    } else {
      mapState.layer.clearLayers();
      mapState.layer.options.style = style;
      mapState.layer.addData(data.map);
    }
    mapState.restyle = function () {
      mapState.layer.setStyle(style);
      updateLegend(metricMax());
    };
    function metricMax() {
      var max = 0;
      features.forEach(function (f) { max = Math.max(max, f.properties[mapState.metric] || 0); });
      return max;
    }
    updateLegend(metricMax());
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-map-metric]");
    if (!btn) return;
    mapState.metric = btn.getAttribute("data-map-metric");
    document.querySelectorAll("[data-map-metric]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === btn ? "true" : "false");
    });
    if (mapState.restyle) mapState.restyle();
  });

  function setText(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value === null || value === undefined ? "—" : value;
  }

  function renderScreenTables(data) {
    var k = data.kpi;
    setText("kpi-today", k.today_reported);
    setText("kpi-month", k.month_reported);
    setText("kpi-open", k.open);
    setText("kpi-overdue", k.overdue);
    setText("kpi-ontime", k.on_time_closure_rate === null ? null : k.on_time_closure_rate + "%");
    setText("kpi-satisfaction", k.satisfaction_rate === null ? null : k.satisfaction_rate + "%");
    function pct(v) { return v === null || v === undefined ? null : v + "%"; }
    setText("kpi-valid", pct(k.valid_report_rate));
    setText("kpi-verified", pct(k.on_time_verification_rate));
    setText("kpi-resolved", pct(k.resolution_rate));
    setText("kpi-contact", pct(k.first_contact_rate));
    var patrol = data.tiles && data.tiles.patrol;
    if (patrol) setText("kpi-patrol", pct(patrol.total.rate));
    var emergency = data.tiles && data.tiles.emergency;
    var emergencyBox = document.getElementById("kpi-emergency-box");
    if (emergency && emergencyBox) {
      emergencyBox.hidden = !emergency.active;
      setText("kpi-emergency", emergency.active ? emergency.level : "—");
    }
    var tbody = document.querySelector("#dept-ranking tbody");
    if (tbody) {
      tbody.innerHTML = "";
      data.departments.forEach(function (d) {
        var tr = document.createElement("tr");
        [d.rank, d.name, d.filed, d.on_time_closure_rate === null ? "—" : d.on_time_closure_rate + "%",
         d.overdue, d.satisfaction_rate === null ? "—" : d.satisfaction_rate + "%", d.grade || "—"].forEach(function (v, i) {
          var td = document.createElement("td");
          td.textContent = v;
          if (i !== 1) td.className = "num";
          else td.title = v;
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      autoScroll();
    }
    var top = document.querySelector("#recurring tbody");
    if (top) {
      top.innerHTML = "";
      data.recurring.forEach(function (r, i) {
        var tr = document.createElement("tr");
        [i + 1, r.grid, r.category, r.n].forEach(function (v, j) {
          var td = document.createElement("td");
          td.textContent = v;
          if (j === 0 || j === 3) td.className = "num";
          tr.appendChild(td);
        });
        top.appendChild(tr);
      });
    }
  }

  /* The big screen's department ranking: when it is taller than its box it scrolls up and back
   * by itself (a CSS animation over the distance measured here; paused on hover or focus), so
   * the last-ranked department comes into view; a reader who prefers less motion scrolls it. */
  function autoScroll() {
    var box = document.getElementById("dept-scroller");
    if (!box) return;
    var table = box.querySelector("table");
    var distance = Math.max(0, table.offsetHeight - box.clientHeight);
    box.style.setProperty("--scroll-distance", "-" + distance + "px");
    box.style.setProperty("--scroll-duration", Math.max(6, distance / 25) + "s");
    box.classList.toggle("scrolling", distance > 0);
  }

  /* The screen's clock, every second, in the server's time zone's local reading. */
  function startClock() {
    var el = document.getElementById("clock");
    if (!el) return;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var d = new Date();
      el.textContent = d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) +
        " " + two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
      el.setAttribute("datetime", d.toISOString());
    }
    tick();
    setInterval(tick, 1000);
  }

  function start() {
    var holder = document.getElementById("dashboard-data");
    if (!holder) return;
    var data = JSON.parse(holder.textContent);
    render(data);
    autoScroll();
    startClock();
    window.addEventListener("resize", function () {
      for (var id in charts) charts[id].resize();
      autoScroll();
    });
    var refresh = parseInt(document.body.dataset.refresh || "0", 10);
    var source = document.body.dataset.source;
    // A slow answer must not overwrite a newer one that came back first.
    var seq = 0;
    function refreshNow() {
      var mine = ++seq;
      civicgridJSON(source)
        .then(function (fresh) {
          if (mine !== seq) return;
          if (fresh.error) throw new Error(fresh.error);
          render(fresh);
          renderScreenTables(fresh);
          stale(false);
        })
        .catch(function () { if (mine === seq) stale(true); });
    }
    if (refresh > 0 && source) setInterval(refreshNow, refresh * 1000);
    window.civicgridDashboard = { charts: charts, map: mapState, render: render, refresh: source ? refreshNow : null };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
