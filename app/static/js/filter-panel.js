// The inbox filters: folded under their summary on a phone, so the list comes first; shown
// as a bar on a desk screen. Without JavaScript they are one tap away everywhere.
(function () {
  "use strict";
  var panel = document.querySelector("[data-module=filter-panel]");
  if (!panel || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 48rem)");
  function follow() { panel.open = wide.matches; }
  follow();
  if (wide.addEventListener) wide.addEventListener("change", follow);
})();
