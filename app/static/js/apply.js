// Apply form enhancement: phone-side photo downscaling, upload progress, a draft kept on the
// phone (IndexedDB, never on the server) and a double-submit guard. Without this file, or if it
// fails, the form still posts as a plain multipart form.
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.8, STALL_MS = 60000, DRAFT_MAX_AGE = 30 * 86400000;
  var IMAGE = /^image\/(jpeg|png|webp)$/;
  var T = document.documentElement.lang === "en" ? {
    sending: "Sending your dossier… {n}%",
    preparing: "Preparing the photos…",
    lost: "Connection lost. Your dossier is still saved on this phone; press Send again when you are online.",
    failed: "The dossier could not be sent (error {n}). It is still saved on this phone; please try again.",
    tooBig: "The attached files are too large. Remove some or take the photos again, then send again.",
    retry: "Send again",
    restored: "A draft saved on this phone was restored.",
    clear: "Delete the draft",
    remove: "Remove"
  } : {
    sending: "Đang gửi hồ sơ… {n}%",
    preparing: "Đang chuẩn bị ảnh…",
    lost: "Mất kết nối. Hồ sơ vẫn được lưu trên máy; bấm Gửi lại khi có mạng.",
    failed: "Chưa gửi được hồ sơ (lỗi {n}). Hồ sơ vẫn được lưu trên máy; vui lòng thử lại.",
    tooBig: "Tệp đính kèm quá lớn. Hãy bỏ bớt hoặc chụp lại ảnh rồi gửi lại.",
    retry: "Gửi lại",
    restored: "Đã khôi phục bản nháp lưu trên máy.",
    clear: "Xoá bản nháp",
    remove: "Xoá"
  };
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var noop = function () {};

  // Draft store: one record per form URL in IndexedDB.
  function withStore(mode, fn) {
    return new Promise(function (resolve, reject) {
      var open = window.indexedDB.open("motcua-drafts", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("drafts"); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result;
        try {
          var tx = db.transaction("drafts", mode), rq = fn(tx.objectStore("drafts"));
          tx.oncomplete = function () { db.close(); resolve(rq.result); };
          tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
        } catch (err) { db.close(); reject(err); }
      };
    });
  }
  var drafts = {
    get: function (key) { return withStore("readonly", function (s) { return s.get(key); }); },
    put: function (key, v) { return withStore("readwrite", function (s) { return s.put(v, key); }); },
    remove: function (key) { return withStore("readwrite", function (s) { return s.delete(key); }); }
  };

  function decode(file) {
    var viaImg = function () {
      return new Promise(function (resolve, reject) {
        var img = new Image(), url = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
        img.src = url;  // browsers apply the EXIF orientation to <img> and to drawImage of it
      });
    };
    if (!window.createImageBitmap) return viaImg();
    return createImageBitmap(file, { imageOrientation: "from-image" }).catch(viaImg);
  }

  // A 12 MP phone photo weighs 3–5 MB; 1600 px still lets an officer read every line of a paper.
  // Re-encoding also drops the EXIF (GPS) before the photo leaves the phone.
  function downscale(file) {
    if (!IMAGE.test(file.type)) return Promise.resolve(file);
    return decode(file).then(function (img) {
      var w = img.naturalWidth || img.width, h = img.naturalHeight || img.height;
      var k = Math.min(1, MAX_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * k));
      canvas.height = Math.max(1, Math.round(h * k));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";  // transparent PNG areas would otherwise turn black in a JPEG
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) img.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          var name = (file.name || "").replace(/\.[^.]*$/, "") || "anh";
          resolve(blob ? new File([blob], name + ".jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });  // the server re-encodes what the phone could not
  }

  // One photo at a time: a 12 MP photo takes ~50 MB decoded, and a cheap phone has little.
  var queue = Promise.resolve();
  function downscaleInTurn(file) {
    var next = queue.then(function () { return downscale(file); });
    queue = next.catch(noop);
    return next;
  }

  // Which form elements a draft keeps: what the citizen typed, and the idempotency key so a
  // resend after a lost connection can never make a second dossier.
  function draftable(el) {
    if (!el.name || el.disabled || el.type === "file" || /^(submit|button|reset)$/.test(el.type)) {
      return false;
    }
    return el.type !== "hidden" || el.name === "idempotency_key";
  }

  function enhance(form, carried) {
    var key = form.action;
    var button = form.querySelector("[data-submit]");
    var keyInput = form.querySelector("input[name=idempotency_key]");
    var freshKey = keyInput ? keyInput.value : "";
    var box = form.querySelector("[data-progress]");
    var slots = [], busy = false, finished = false, saveTimer = 0, label, bar;
    if (!box) {
      box = document.createElement("div");
      box.hidden = true;
      form.insertBefore(box, button);
    }

    each(form.querySelectorAll("fieldset[data-requirement]"), function (fs) {
      var inputs = fs.querySelectorAll("input[type=file]");
      if (!inputs.length) return;
      var slot = { id: fs.getAttribute("data-requirement"), name: inputs[0].name, inputs: inputs,
        files: (carried && carried[fs.getAttribute("data-requirement")]) || [], pending: [] };
      slot.list = document.createElement("ul");
      slot.list.className = "apply-thumbs";
      fs.appendChild(slot.list);
      each(inputs, function (input) {
        input.addEventListener("change", function () {
          var chosen = Array.prototype.slice.call(input.files);
          input.value = "";
          slot.pending.push(Promise.all(chosen.map(downscaleInTurn)).then(function (files) {
            slot.files = slot.files.concat(files);
            render(slot);
            save();
          }));
        });
      });
      slots.push(slot);
      render(slot);
    });

    function render(slot) {
      slot.list.textContent = "";
      slot.files.forEach(function (file, i) {
        var li = document.createElement("li"), rm = document.createElement("button");
        var shown = document.createElement(IMAGE.test(file.type) ? "img" : "span");
        if (shown.tagName === "IMG") {
          shown.src = URL.createObjectURL(file);
          shown.onload = function () { URL.revokeObjectURL(shown.src); };
          shown.alt = file.name;
        } else {
          shown.textContent = file.name;
        }
        rm.type = "button";
        rm.className = "secondary";
        rm.textContent = T.remove;
        rm.setAttribute("aria-label", T.remove + " " + file.name);
        rm.addEventListener("click", function () {
          slot.files.splice(i, 1);
          render(slot);
          scheduleSave();
        });
        li.appendChild(shown);
        li.appendChild(rm);
        slot.list.appendChild(li);
      });
      slot.list.hidden = !slot.files.length;
      // Mirror the chosen files into the inputs, so even a plain (non-script) post carries them.
      if (typeof DataTransfer === "function") {
        try {
          var dt = new DataTransfer(), target = slot.inputs[slot.inputs.length - 1];
          slot.files.forEach(function (f) { dt.items.add(f); });
          each(slot.inputs, function (input) { if (input !== target) input.value = ""; });
          target.files = dt.files;
        } catch (err) { /* older browsers: the script's own submit still sends slot.files */ }
      }
    }

    function snapshot() {
      var fields = {}, photos = {};
      each(form.elements, function (el) {
        if (!draftable(el)) return;
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked) (fields[el.name] = fields[el.name] || []).push(el.value);
        } else {
          fields[el.name] = el.value;
        }
      });
      slots.forEach(function (s) { if (s.files.length) photos[s.id] = s.files.slice(); });
      return { fields: fields, photos: photos, saved: Date.now() };
    }

    function save() {
      clearTimeout(saveTimer);
      saveTimer = 0;
      if (finished) return Promise.resolve();
      var snap = snapshot();
      return drafts.put(key, snap).catch(function () {
        snap.photos = {};  // some browsers refuse Blobs in IndexedDB: keep at least the answers
        return drafts.put(key, snap);
      }).catch(noop);
    }
    function scheduleSave() {
      if (finished) return;
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 300);
    }

    function restore(draft) {
      each(form.elements, function (el) {
        if (!draftable(el)) return;
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = (draft.fields[el.name] || []).indexOf(el.value) !== -1;
        } else if (Object.prototype.hasOwnProperty.call(draft.fields, el.name)) {
          el.value = draft.fields[el.name];
        }
      });
      slots.forEach(function (s) { s.files = (draft.photos[s.id] || []).slice(); render(s); });
      var notice = document.createElement("div"), text = document.createElement("p");
      var clear = document.createElement("button");
      notice.className = "draft-notice";
      notice.setAttribute("role", "status");
      text.textContent = T.restored;
      clear.type = "button";
      clear.className = "secondary";
      clear.textContent = T.clear;
      clear.addEventListener("click", function () {
        clearTimeout(saveTimer);
        drafts.remove(key).catch(noop);
        form.reset();
        if (keyInput) keyInput.value = freshKey;  // reset() does not restore hidden inputs
        slots.forEach(function (s) { s.files = []; render(s); });
        notice.remove();
      });
      notice.appendChild(text);
      notice.appendChild(clear);
      form.insertBefore(notice, form.firstChild);
    }

    function show(text, pct, isError) {
      box.hidden = false;
      if (isError || !label || label.className) {
        box.textContent = "";
        label = document.createElement(isError ? "p" : "label");
        if (isError) {
          label.className = "field-error";
          label.setAttribute("role", "alert");
        }
        box.appendChild(label);
        bar = null;
      }
      label.textContent = text;
      if (pct === null) return;
      if (!bar) {
        bar = document.createElement("progress");
        bar.id = label.htmlFor = "apply-progress";
        bar.max = 100;
        box.appendChild(bar);
      }
      bar.value = pct;
      label.textContent = T.sending.replace("{n}", pct);
    }

    function fail(text) {
      busy = false;
      if (button) {
        button.disabled = false;
        button.textContent = T.retry;
      }
      show(text, null, true);
    }

    // A 422 re-rendered form replaces <main>; the chosen photos stay in memory and are kept.
    function swap(html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var main = doc.querySelector("main"), next = main && main.querySelector("form[data-module=apply-form]");
      var current = document.querySelector("main");
      if (!next || !current) return false;
      var kept = {};
      slots.forEach(function (s) { kept[s.id] = s.files; });
      finished = true;
      clearTimeout(saveTimer);
      current.replaceWith(main);
      if (doc.title) document.title = doc.title;
      var again = enhance(document.querySelector("main form[data-module=apply-form]"), kept);
      again.save();
      var summary = document.querySelector("[data-module=error-summary]");
      if (summary) summary.focus();
      return true;
    }

    function received(xhr) {
      var url = xhr.responseURL || "";
      var redirected = url && new URL(url).pathname !== new URL(form.action).pathname;
      if (xhr.status >= 200 && xhr.status < 300 && redirected) {
        finished = true;
        clearTimeout(saveTimer);
        var go = function () { window.location.assign(url); };
        drafts.remove(key).then(go, go);
        return;
      }
      if ((xhr.status === 422 || xhr.status === 200) && swap(xhr.responseText)) return;
      fail(xhr.status === 413 ? T.tooBig : T.failed.replace("{n}", xhr.status));
    }

    function send() {
      var data = new FormData(form), xhr = new XMLHttpRequest(), stall = 0;
      slots.forEach(function (s) {
        data.delete(s.name);
        s.files.forEach(function (f) { data.append(s.name, f, f.name); });
      });
      // A weak connection can hang without ever failing: give up after a long silence.
      var watch = function () {
        clearTimeout(stall);
        stall = setTimeout(function () { xhr.abort(); fail(T.lost); }, STALL_MS);
      };
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "text/html");
      xhr.setRequestHeader("X-Motcua-Enhanced", "1");
      xhr.upload.onprogress = function (e) {
        watch();
        if (e.lengthComputable) show("", Math.min(100, Math.round(e.loaded * 100 / e.total)));
      };
      xhr.upload.onload = function () { show("", 100); };
      xhr.onprogress = watch;
      xhr.onerror = function () { clearTimeout(stall); fail(T.lost); };
      xhr.onload = function () { clearTimeout(stall); received(xhr); };
      show("", 0);
      watch();
      xhr.send(data);
    }

    form.addEventListener("input", scheduleSave);
    form.addEventListener("change", scheduleSave);
    window.addEventListener("pagehide", function () { if (saveTimer) save(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy || finished) return;
      busy = true;
      if (button) button.disabled = true;
      show(T.preparing, null);
      var pending = [];
      slots.forEach(function (s) { pending = pending.concat(s.pending); });
      Promise.all(pending).then(function () {
        save();  // so a dropped connection loses nothing, the key included
        send();
      }).catch(function () { fail(T.lost); });
    });

    if (!carried) {
      drafts.get(key).then(function (draft) {
        if (!draft) return;
        if (Date.now() - draft.saved > DRAFT_MAX_AGE) return drafts.remove(key);
        restore(draft);
      }).catch(noop);
    }
    return { save: save };
  }

  var form = document.querySelector("form[data-module=apply-form]");
  if (form && window.FormData && window.indexedDB && window.Promise) enhance(form, null);
})();
