/* Console queues: the select-all box ticks every case of the page (bulk 立案 / 派遣); the
   不予立案 reason shows only when it is chosen. Works after an htmx swap too (delegated). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-select-all]")) {
      var table = box.closest("table");
      table.querySelectorAll('input[name="cases"]').forEach(function (c) { c.checked = box.checked; });
      return;
    }
    if (box.name === "cases") {
      var all = box.closest("table").querySelector("[data-select-all]");
      if (all) {
        var boxes = box.closest("table").querySelectorAll('input[name="cases"]');
        all.checked = Array.prototype.every.call(boxes, function (c) { return c.checked; });
      }
    }
  });
})();
