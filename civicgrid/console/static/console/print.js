// 案件处置单: the page's 打印 button (a file, not an inline handler: the CSP forbids those).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
