// "Notify me" for one dossier: explain, then ask permission, then subscribe (issue 6).
// The page works without this file: the dossier page itself lists every notification.
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box) return;
  function $(id) { return document.getElementById(id); }
  function only(id) {
    ["push-status", "push-ios", "push-denied", "push-done", "push-off", "push-error",
     "push-start", "push-explain", "push-stop"].forEach(function (name) {
      $(name).hidden = id.indexOf(name) < 0;
    });
  }
  var ua = navigator.userAgent;
  var ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  var standalone = navigator.standalone === true ||
    (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
  var supported = "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window;
  if (!supported) {
    // iPhone Safari has push only for apps added to the Home Screen.
    if (ios && !standalone) only(["push-ios"]);
    return;  // the default paragraph already points to tracking
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify(body),
    }).then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }
  function keyBytes(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(s), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function registration() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; });
  }
  function link(sub) {
    return post(box.dataset.subscribe, { subscription: sub.toJSON() });
  }

  function subscribe() {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { only(["push-denied"]); return null; }
      return Promise.all([registration(), fetch(box.dataset.key).then(function (r) { return r.json(); })])
        .then(function (got) {
          return got[0].pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: keyBytes(got[1].public_key),
          });
        })
        .then(link)
        .then(function () { only(["push-done", "push-stop"]); });
    }).catch(function () { only(["push-error", "push-start"]); });
  }

  function unsubscribe() {
    registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) return null;
        return post(box.dataset.unsubscribe, { endpoint: sub.endpoint })
          .then(function () { return sub.unsubscribe(); });
      })
      .then(function () { only(["push-off", "push-start"]); })
      .catch(function () { only(["push-error", "push-stop"]); });
  }

  $("push-start").addEventListener("click", function () {
    only(["push-explain"]);
    $("push-allow").focus();
  });
  $("push-allow").addEventListener("click", subscribe);
  $("push-later").addEventListener("click", function () { only(["push-start"]); });
  $("push-stop").addEventListener("click", unsubscribe);

  if (Notification.permission === "denied") { only(["push-denied"]); return; }
  only(["push-start"]);
  if (Notification.permission !== "granted") return;
  // Already subscribed on this phone: follow this dossier too, without asking again.
  registration().then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (sub) {
      if (!sub) return null;
      return link(sub).then(function () { only(["push-done", "push-stop"]); });
    }).catch(function () {});
})();
