// The dossier code's share/copy button. Only the code goes out (and, when sharing, the
// public tracking page that asks for the phone too) — never this page's address, which may
// carry the dossier's secret. Without JavaScript the button stays hidden and the code is
// shown large and selectable; when neither sharing nor the clipboard works, the button
// selects the code for a manual copy.
(function () {
  "use strict";
  var box = document.querySelector('[data-module="share-code"]');
  if (!box) return;
  var code = box.getAttribute("data-code");
  var trackUrl = new URL(box.getAttribute("data-track-path"), location.origin).href;
  var target = document.getElementById(box.getAttribute("data-target"));
  var button = box.querySelector("button");
  var said = box.querySelector("[role=status]");
  var canShare = typeof navigator.share === "function";
  var canCopy = !!(navigator.clipboard && navigator.clipboard.writeText);
  button.textContent = box.getAttribute(canShare ? "data-share-label" : "data-copy-label");
  box.hidden = false;

  function selectCode() {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    said.textContent = box.getAttribute("data-selected");
  }

  button.addEventListener("click", function () {
    if (canShare) {
      navigator.share({ title: code, text: code, url: trackUrl }).catch(function () {});
    } else if (canCopy) {
      navigator.clipboard.writeText(code).then(function () {
        said.textContent = box.getAttribute("data-copied");
      }, selectCode);
    } else {
      selectCode();
    }
  });
})();
