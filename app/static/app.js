// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  // A page that shows an error summary moves focus to it, so screen readers announce it.
  var summary = document.querySelector("[data-module=error-summary]");
  if (summary) summary.focus();
  // Tell the user when the phone has no connection instead of failing silently.
  function banner() {
    var el = document.getElementById("offline-banner");
    if (navigator.onLine) { if (el) el.remove(); return; }
    if (el) return;
    el = document.createElement("p");
    el.id = "offline-banner";
    el.className = "offline-banner";
    el.setAttribute("role", "status");
    el.textContent = document.documentElement.lang === "en"
      ? "You are offline. Pages you opened before can still be read."
      : "Bạn đang ngoại tuyến. Các trang đã mở trước đó vẫn xem được.";
    document.body.insertBefore(el, document.body.firstChild);
  }
  window.addEventListener("online", banner);
  window.addEventListener("offline", banner);
  banner();
})();
