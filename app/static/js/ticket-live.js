/* The ticket page keeps itself current: every 10 s it asks the small JSON of its ticket and,
   when that changed, fetches the page again and swaps in the new state block (the server's
   own wording). Without JavaScript a reload does the same. */
(function () {
  "use strict";
  var block = document.querySelector('[data-module="ticket-live"]');
  if (!block || !window.fetch || !window.DOMParser) return;
  var EVERY_MS = 10000;
  var last = null;

  function refreshBlock() {
    return fetch(location.href, {cache: "no-cache", credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector('[data-module="ticket-live"]');
        if (fresh) block.innerHTML = fresh.innerHTML;
      });
  }

  function poll() {
    fetch(block.dataset.live, {cache: "no-cache", credentials: "omit"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return null;
        var changed = last !== null && text !== last;
        last = text;
        return changed ? refreshBlock() : null;
      })
      .catch(function () { /* offline: the page as last seen stays */ })
      .then(function () { setTimeout(poll, EVERY_MS); });
  }
  poll();
})();
