// Payment page: copy buttons, and a status poll that shows "paid" without a reload.
(function () {
  "use strict";
  var root = document.querySelector('[data-module="pay"]');
  if (!root) return;
  Array.prototype.forEach.call(root.querySelectorAll("button[data-copy]"), function (button) {
    if (!navigator.clipboard) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = "✓";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
  var url = root.getAttribute("data-status-url");
  var status = root.getAttribute("data-status");
  var paid = root.getAttribute("data-paid");
  if (status === "paid" || status === "cancelled") return;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        if (s.status === "paid") {
          var el = document.getElementById("pay-status");
          el.textContent = s.label;
          el.classList.add("paid");
          document.getElementById("pay-done").hidden = false;
          var qr = document.getElementById("pay-qr");
          if (qr) qr.hidden = true;
          return true;
        }
        // A part arrived: the page shows a new code for the rest.
        if (s.status !== status || String(s.paid_amount) !== paid) location.reload();
      })
      .catch(function () {})
      .then(function (done) { if (!done) setTimeout(poll, 3000); });
  }
  setTimeout(poll, 3000);
})();
