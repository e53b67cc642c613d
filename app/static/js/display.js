/* Hall display: polls the compact live JSON and updates the figures in place. With the
   ETag an unchanged answer is a bodiless 304. */
(function () {
  "use strict";
  var root = document.querySelector('[data-module="display"]');
  if (!root) return;
  // Fullscreen is a nicety: the page already fills the window of a browser in kiosk mode.
  var full = root.querySelector("[data-fullscreen]");
  if (full && document.fullscreenEnabled) {
    full.hidden = false;
    full.addEventListener("click", function () {
      document.documentElement.requestFullscreen().catch(function () { /* stays windowed */ });
    });
    document.addEventListener("fullscreenchange", function () {
      full.hidden = !!document.fullscreenElement;
    });
  }
  if (!window.fetch) return;
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
      if (key === "updated") {
        el.textContent = new Date().toLocaleTimeString("vi-VN", {hour: "2-digit", minute: "2-digit"});
        return;
      }
      var value = pick(data, key);
      if (key === "day_label") el.dateTime = data.day;
      if (key === "ready") {
        el.textContent = "";
        var prefix = el.dataset.prefix || "";
        (value || []).forEach(function (code) {
          var li = document.createElement("li");
          li.textContent = prefix && code.indexOf(prefix) === 0 ? code.slice(prefix.length) : code;
          el.appendChild(li);
        });
        return;
      }
      if (el.dataset.pct) el.classList.toggle("none", value == null);
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
