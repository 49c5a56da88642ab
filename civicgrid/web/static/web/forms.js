/* Forms on every page (phones first): after a failed submit the error summary at the top is
 * scrolled to and focused, its links take the focus to their field; a limited text shows how
 * many characters are left instead of cutting what is typed or pasted.
 *
 * [data-error-summary]: the summary (web/includes/error_summary.html); links carry data-focus
 *   (the id of the field's input).
 * textarea[maxlength], input[data-counter][maxlength]: the limit moves to data-maxlength (the
 *   browser would silently cut a paste at it) and a counter follows the field; the server still
 *   refuses a text over the limit, with the field's message.
 * The counter's words come from this script's data-left / data-over ("{n}" is the number).
 *
 * A form posted twice by a double click, or tapped again while a phone's page is still loading,
 * would take its step twice (two stock moves, two records of one visit): a second submit of the
 * same POST form within a few seconds is dropped, and the form is marked aria-busy meanwhile.
 * Not htmx's forms (htmx queues its own requests), nor a submit another script took over; a page
 * come back to from the history (bfcache) is ready to post again.
 *
 * A part of the page htmx loads or posts that is refused, fails or cannot reach the server is
 * said at the top of <main> (#request-failed, role=alert; htmx alone leaves the part as it was
 * and says nothing); the notice goes when a later request succeeds. Its words: data-failed
 * ("{status}" is the HTTP status) and data-offline.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var words = {
    left: (script && script.dataset.left) || "还可输入 {n} 字",
    over: (script && script.dataset.over) || "已超出 {n} 字",
    failed: (script && script.dataset.failed) || "操作未完成（{status}），请刷新页面后重试",
    offline: (script && script.dataset.offline) || "网络连接失败，请检查网络后重试",
  };

  function length(text) {
    // As the server counts: characters (not UTF-16 units), a line break once (web.forms).
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function counter(input) {
    if (input.dataset.counterReady) return;
    input.dataset.counterReady = "1";
    var max = parseInt(input.getAttribute("maxlength"), 10);
    if (!max) return;
    input.dataset.maxlength = String(max);
    input.removeAttribute("maxlength");
    var out = document.createElement("small");
    out.className = "counter";
    out.setAttribute("aria-live", "polite");
    out.id = (input.id || input.name) + "-counter";
    input.insertAdjacentElement("afterend", out);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
    function show() {
      var left = max - length(input.value);
      out.textContent = (left >= 0 ? words.left : words.over).replace("{n}", Math.abs(left));
      out.classList.toggle("over", left < 0);
      input.classList.toggle("over-limit", left < 0);
    }
    input.addEventListener("input", show);
    show();
  }

  function focusField(id) {
    var input = id && document.getElementById(id);
    if (!input) return false;
    // A hidden input (a map's point) cannot take the focus: its field's box is shown instead.
    var target = input.type === "hidden" ? input.closest(".field, [id^=field-]") || input : input;
    target.scrollIntoView({ block: "center" });
    if (target.focus) target.focus({ preventScroll: true });
    return true;
  }

  function summary(box) {
    box.querySelectorAll("a[data-focus]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (focusField(link.dataset.focus)) event.preventDefault();
      });
    });
  }

  function init(root) {
    root.querySelectorAll("textarea[maxlength], input[data-counter][maxlength]").forEach(counter);
    root.querySelectorAll("[data-error-summary]").forEach(summary);
  }

  function start() {
    init(document);
    var first = document.querySelector("[data-error-summary]");
    if (first) {
      first.scrollIntoView({ block: "start" });
      first.focus({ preventScroll: true });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // Parts swapped in by htmx get their counters too.
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });

  var AGAIN_AFTER = 5000;  // ms: a download answers without leaving the page; it may be asked again
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.matches("[hx-post], [data-hx-post], [hx-boost] form")) return;
    var last = Number(form.dataset.postedAt || 0);
    if (Date.now() - last < AGAIN_AFTER) {
      event.preventDefault();
      return;
    }
    form.dataset.postedAt = String(Date.now());
    form.setAttribute("aria-busy", "true");
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-posted-at]").forEach(function (form) {
      delete form.dataset.postedAt;
      form.removeAttribute("aria-busy");
    });
  });

  function failed(text) {
    var notice = document.getElementById("request-failed");
    if (!notice) {
      var main = document.querySelector("main") || document.body;
      var list = document.createElement("ul");
      list.className = "messages";
      notice = document.createElement("li");
      notice.id = "request-failed";
      notice.className = "message error";
      notice.setAttribute("role", "alert");
      list.appendChild(notice);
      main.insertBefore(list, main.firstChild);
    }
    notice.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    failed(words.failed.replace("{status}", event.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () { failed(words.offline); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var notice = document.getElementById("request-failed");
    if (event.detail.successful && notice) notice.parentNode.remove();
  });
})();
