/* Reports kept on the phone without signal (离线暂存), sent when the connection returns.
 *
 * form[data-offline-queue]: its submit goes through fetch (header X-Civicgrid-Queue: 1, JSON
 *   answer). When the phone is offline (navigator.onLine false) or the request cannot reach
 *   the server, the report — its text fields and its photos as blobs — is kept in IndexedDB
 *   (idb-keyval; text only in localStorage where IndexedDB is missing) and the page says
 *   "已保存,联网后自动发送". A refused report (400) is submitted the ordinary way, so the page
 *   comes back with its error summary.
 * Every phone page loads this script: on the `online` event and on each visit while online the
 *   kept reports are sent, oldest first. Each carries the key the page generated for it
 *   (client_key): a report sent twice — the answer lost on the way back — is one case
 *   (cases.services.report_once).
 * [data-outbox]: where the kept reports are listed (with the words in its data-* attributes).
 */
(function () {
  "use strict";
  var KEY = "civicgrid-outbox";
  var idb = window.idbKeyval;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) {}
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  // --- the store: a list of drafts {id, url, fields: [[name, value]], files: [[name, blob, filename]], savedAt, error}
  function load() {
    if (idb) return idb.get(KEY).then(function (list) { return list || []; });
    try { return Promise.resolve(JSON.parse(localStorage.getItem(KEY)) || []); } catch (e) { return Promise.resolve([]); }
  }
  function save(list) {
    if (idb) return idb.set(KEY, list);
    // Without IndexedDB photos cannot be kept: the text is.
    var text = list.map(function (d) { return Object.assign({}, d, { files: [] }); });
    try { localStorage.setItem(KEY, JSON.stringify(text)); } catch (e) {}
    return Promise.resolve();
  }
  var queue = Promise.resolve();
  function update(change) {
    // One change at a time: two tabs or a send racing a save must not lose a draft.
    queue = queue.then(function () { return load().then(function (list) { var out = change(list) || list; return save(out).then(function () { return out; }); }); });
    return queue;
  }

  function draftOf(form) {
    var fields = [], files = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (value instanceof Blob) { if (value.size) files.push([name, value, value.name || "photo.jpg"]); }
      else fields.push([name, value]);
    });
    var key = form.querySelector("input[name=client_key]");
    return { id: key ? key.value : uuid(), url: form.action || location.href, fields: fields, files: files,
      savedAt: new Date().toISOString(), error: "" };
  }
  function bodyOf(draft) {
    var body = new FormData();
    draft.fields.forEach(function (f) { body.append(f[0], f[1]); });
    (draft.files || []).forEach(function (f) { body.append(f[0], f[1], f[2]); });
    return body;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Civicgrid-Queue": "1", "X-CSRFToken": csrf(), "Accept": "application/json" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      // The session has ended (401, or a login page from an older server): keep the draft.
      if (!json || response.status === 401) throw new Error("signed-out");
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }
  function firstError(data) {
    var errors = (data && data.errors) || {};
    for (var name in errors) { if (errors[name] && errors[name][0]) return errors[name][0].message; }
    return "";
  }

  // --- the list of kept reports
  function render() {
    var box = document.querySelector("[data-outbox]");
    if (!box) return Promise.resolve();
    return load().then(function (list) {
      box.hidden = !list.length;
      var ul = box.querySelector("ul");
      ul.textContent = "";
      list.forEach(function (draft) {
        var li = document.createElement("li");
        var text = "";
        draft.fields.forEach(function (f) { if (f[0] === "description") text = f[1]; });
        li.textContent = (draft.savedAt || "").replace("T", " ").slice(0, 16) + " · " + (text.length > 30 ? text.slice(0, 30) + "…" : text)
          + (draft.files && draft.files.length ? " · " + box.dataset.photos.replace("{n}", draft.files.length) : "");
        if (draft.error) {
          var p = document.createElement("p");
          p.className = "error";
          p.textContent = box.dataset.refused + draft.error;
          li.appendChild(p);
          var drop = document.createElement("button");
          drop.type = "button";
          drop.textContent = box.dataset.drop;
          drop.addEventListener("click", function () {
            update(function (l) { return l.filter(function (d) { return d.id !== draft.id; }); }).then(render);
          });
          li.appendChild(drop);
        }
        ul.appendChild(li);
      });
      var count = box.querySelector("[data-outbox-count]");
      if (count) count.textContent = String(list.length);
    });
  }
  function say(text, ok) {
    var out = document.querySelector("[data-outbox-status]");
    if (!out) return;
    out.textContent = text;
    out.classList.toggle("ok", !!ok);
    out.hidden = !text;
  }
  function words() {
    var box = document.querySelector("[data-outbox]");
    return box ? box.dataset : {};
  }

  // --- sending what was kept
  var flushing = false;
  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    return load().then(function (list) {
      var pending = list.filter(function (d) { return !d.error; });
      var sent = [];
      return pending.reduce(function (chain, draft) {
        return chain.then(function (stop) {
          if (stop) return true;
          return post(draft.url, bodyOf(draft)).then(function (answer) {
            if (answer.status < 300) {
              sent.push(answer.data.number);
              return update(function (l) { return l.filter(function (d) { return d.id !== draft.id; }); }).then(function () { return false; });
            }
            var message = firstError(answer.data) || String(answer.status);
            return update(function (l) { l.forEach(function (d) { if (d.id === draft.id) d.error = message; }); return l; }).then(function () { return false; });
          }, function () { return true; });  // still no connection: try again later
        });
      }, Promise.resolve(false)).then(function () {
        if (sent.length) say((words().sent || "").replace("{numbers}", sent.join("、")), true);
      });
    }).then(render, render).then(function () { flushing = false; }, function () { flushing = false; });
  }

  // --- the report form
  function keyFor(form) {
    var key = form.querySelector("input[name=client_key]");
    if (!key) {
      key = document.createElement("input");
      key.type = "hidden"; key.name = "client_key";
      form.appendChild(key);
    }
    return key;
  }
  function keep(form) {
    var draft = draftOf(form);
    return update(function (list) {
      return list.filter(function (d) { return d.id !== draft.id; }).concat([draft]);
    }).then(function () {
      form.reset();
      keyFor(form).value = uuid();
      say(words().saved, true);
      var summary = form.querySelector("[data-error-summary]");
      if (summary) summary.remove();
      return render();
    }).then(function () {
      var out = document.querySelector("[data-outbox-status]");
      if (out) out.scrollIntoView({ block: "center" });
    });
  }
  function queueForm(form) {
    // A page restored from the back-forward cache is a new report: a new key.
    window.addEventListener("pageshow", function (event) { if (event.persisted) keyFor(form).value = uuid(); });
    if (!keyFor(form).value) keyFor(form).value = uuid();
    form.addEventListener("submit", function (event) {
      if (form.dataset.native) return;  // the ordinary submit after a refusal
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      function done() { if (button) button.disabled = false; }
      if (navigator.onLine === false) { keep(form).then(done, done); return; }
      say(words().sending);
      post(form.action || location.href, new FormData(form)).then(function (answer) {
        if (answer.status < 300) { location.href = answer.data.url; return; }
        // Refused: the ordinary submit brings the page back with its error summary.
        form.dataset.native = "1";
        form.submit();
      }, function (error) {
        if (error && error.message === "signed-out") { form.dataset.native = "1"; form.submit(); return; }
        keep(form).then(done, done);
      });
    });
  }

  function init() {
    document.querySelectorAll("form[data-offline-queue]").forEach(queueForm);
    render().then(flush);
  }
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { say(words().offline); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
