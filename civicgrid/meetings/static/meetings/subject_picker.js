/* The plan form's subject picker: the kind select and the search box fill the object select
 * from /meetings/subjects/ (the planner's scope); with no kind, the free-text field is used.
 * No inline script (CSP). */
(function () {
  "use strict";
  function init() {
    var kind = document.querySelector("[data-subject-kind]");
    var query = document.querySelector("[data-subject-query]");
    var select = document.querySelector("[data-subject-select]");
    if (!kind || !query || !select) return;
    var timer = null;
    var seq = 0;
    function toggle() {
      var on = !!kind.value;
      query.disabled = !on;
      select.disabled = !on;
    }
    function load() {
      toggle();
      if (!kind.value) return;
      var mine = ++seq;
      var url = select.dataset.url + "?kind=" + encodeURIComponent(kind.value) + "&q=" + encodeURIComponent(query.value);
      civicgridJSON(url)
        .catch(function () { return { results: [] }; })
        .then(function (body) {
          if (mine !== seq) return;
          var keep = select.value;
          select.innerHTML = "";
          var blank = document.createElement("option");
          blank.value = "";
          blank.textContent = "—";
          select.appendChild(blank);
          body.results.forEach(function (row) {
            var opt = document.createElement("option");
            opt.value = String(row.id);
            opt.textContent = row.text;
            if (String(row.id) === keep) opt.selected = true;
            select.appendChild(opt);
          });
          select.dataset.count = String(body.results.length);
        });
    }
    kind.addEventListener("change", function () { select.value = ""; load(); });
    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    toggle();
    if (kind.value) load();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
