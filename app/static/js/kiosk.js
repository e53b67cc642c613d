/* Counter kiosk: a tap is queued on the tablet (localStorage) with its own uuid, the thanks
   screen shows at once, and the queue is sent whenever the network allows. The server
   stores each uuid once, so sending a queue twice is harmless. */
(function () {
  "use strict";
  var box = document.querySelector('[data-module="kiosk"]');
  if (!box || !window.fetch || !window.localStorage) return;
  var KEY = "motcua-kiosk-queue-" + box.dataset.counter;
  var THANKS_MS = 6000; // one rating per visit: taps are ignored until the start screen
  var start = box.querySelector(".kiosk-start");
  var thanks = box.querySelector(".kiosk-thanks");
  var status = box.querySelector(".kiosk-queue");
  var sending = false;
  var busy = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    localStorage.setItem(KEY, JSON.stringify(queue));
    status.hidden = queue.length === 0;
    status.textContent = queue.length + " " + box.dataset.queued;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function flush() {
    var queue = load();
    if (sending || queue.length === 0) return;
    sending = true;
    fetch(box.dataset.sync, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({ratings: queue.slice(0, 200)})
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
      if (answer && answer.done) {
        var done = {};
        answer.done.forEach(function (id) { done[id] = true; });
        save(load().filter(function (item) { return !done[item.uuid]; }));
      }
    }).catch(function () { /* offline: kept for the next try */ }).then(function () {
      sending = false;
    });
  }
  function showStart() {
    thanks.hidden = true; start.hidden = false; busy = false;
  }
  box.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (busy || !button) return;
    busy = true;
    var queue = load();
    queue.push({uuid: uuid(), score: button.value, at: new Date().toISOString(),
                officer_id: box.dataset.officer ? Number(box.dataset.officer) : null});
    save(queue);
    start.hidden = true; thanks.hidden = false;
    setTimeout(showStart, THANKS_MS);
    flush();
  });
  thanks.querySelector("a").addEventListener("click", function (event) {
    event.preventDefault();
    showStart();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  save(load());
  flush();
})();
