/* Hall display: polls the compact live JSON and updates the figures in place. With the
   ETag an unchanged answer is a bodiless 304. */
(function () {
  "use strict";
  var root = document.querySelector('[data-module="display"]');
  if (!root || !window.fetch) return;
  var POLL_MS = 30000;
  var none = root.dataset.none || "–";

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }
  function percent(v) {
    return v == null ? none : (v * 100).toFixed(1).replace(".", ",") + " %";
  }
  function render(data) {
    root.querySelectorAll("[data-k]").forEach(function (el) {
      var key = el.dataset.k;
      if (key === "updated") { el.textContent = new Date().toLocaleTimeString("vi-VN"); return; }
      var value = pick(data, key);
      if (key === "ready") {
        el.textContent = "";
        (value || []).forEach(function (code) {
          var li = document.createElement("li");
          li.textContent = code;
          el.appendChild(li);
        });
        return;
      }
      el.textContent = el.dataset.pct ? percent(value) : String(value == null ? 0 : value);
    });
  }
  function poll() {
    fetch(root.dataset.live, {cache: "no-cache", credentials: "omit"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () { /* keep the last figures on screen */ });
  }
  setInterval(poll, POLL_MS);
})();
