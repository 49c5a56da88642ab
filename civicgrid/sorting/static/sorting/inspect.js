/* The inspector's form: the running total of the item scores and whether it passes. */
(function () {
  "use strict";
  var form = document.getElementById("inspect-form");
  var out = document.getElementById("total");
  if (!form || !out) return;
  var pass = parseInt(out.dataset.pass, 10);
  function update() {
    var total = 0;
    form.querySelectorAll("input.score").forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (isFinite(n)) total += n;
    });
    var message = total >= pass ? out.dataset.msgPass : out.dataset.msgFail;
    out.textContent = message.replace("{n}", total);
    out.className = "total " + (total >= pass ? "pass" : "fail");
  }
  form.addEventListener("input", update);
  update();
})();
