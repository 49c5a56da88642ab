/* Console: a link to #act-<action> opens that action's form (works without it, too). */
(function () {
  "use strict";
  function openTarget() {
    var el = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView({ block: "start" }); }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
