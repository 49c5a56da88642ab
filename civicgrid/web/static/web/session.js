/* A page's background requests for data: civicgridJSON(url, options) → a promise of the answer's
 * JSON (fetch, this site's cookies, Accept: application/json).
 * - 401: the session has ended (accounts.access.login_redirect answers a script so, with
 *   login_url). The page goes to the login page, which returns to it afterwards, as a part loaded
 *   by htmx does (core.htmx); the promise never settles, so the page shows nothing meanwhile.
 * - Any other failure (an error status, an answer that is not JSON, no network) rejects the
 *   promise with an Error whose message is the status, for the page to say so.
 * Loaded in <head>: the pages' own scripts may ask at once.
 */
(function () {
  window.civicgridJSON = function (url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = options.headers || {};
    options.headers.Accept = "application/json";
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (body.login_url) window.location.assign(body.login_url);
          else window.location.reload();
          return new Promise(function () {});
        });
      }
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("application/json") !== 0) throw new Error(String(response.status));
      return response.json();
    });
  };
})();
