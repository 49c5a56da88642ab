/* The inspector's checklist: the colour as the boxes are ticked (the same rule as
 * firesafety.workflow.colour_for: any 重大, or data-red-minor 一般 → red; fewer 一般 → yellow;
 * none → green). The service decides on submit; this only shows it on the spot. */
(function () {
  "use strict";
  var form = document.getElementById("fire-form");
  var out = document.getElementById("live-colour");
  if (!form || !out) return;
  var redMinor = parseInt(form.dataset.redMinor, 10) || 3;
  function update() {
    var major = 0, minor = 0;
    form.querySelectorAll("input[type=checkbox][data-severity]").forEach(function (box) {
      if (!box.checked) return;
      if (box.dataset.severity === "major") major += 1; else minor += 1;
    });
    var colour = major > 0 || minor >= redMinor ? "red" : minor > 0 ? "yellow" : "green";
    out.className = "live-colour fc-" + colour;
    out.dataset.colour = colour;
    out.textContent = out.dataset[colour].replace("{n}", minor);
  }
  form.addEventListener("change", update);
  update();
})();
