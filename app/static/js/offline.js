// Offline page: list the pages the service worker kept, so they are one tap away.
(function () {
  "use strict";
  var box = document.querySelector("[data-module=saved-pages]");
  if (!box || !window.caches) return;
  var list = box.querySelector("ul");
  caches.keys().then(function (names) {
    var pages = names.filter(function (n) { return n.indexOf("motcua-pages") === 0; });
    return Promise.all(pages.map(function (n) {
      return caches.open(n).then(function (c) {
        return c.keys().then(function (keys) {
          return Promise.all(keys.map(function (k) {
            return c.match(k).then(function (r) { return r ? r.text() : ""; }).then(function (html) {
              return { url: k.url, title: new DOMParser().parseFromString(html, "text/html").title };
            });
          }));
        });
      });
    }));
  }).then(function (groups) {
    var items = [].concat.apply([], groups).reverse().slice(0, 30);
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.className = "card";
      a.href = item.url;
      a.textContent = item.title || item.url;
      li.appendChild(a);
      list.appendChild(li);
    });
    if (items.length) box.hidden = false;
  }).catch(function () {});
})();
