// Every citizen upload form (data-module="upload-form": apply, supplement, feedback): the
// typed fields checked before any upload, phone-side photo downscaling, a thumbnail per photo,
// upload progress, a draft kept on the phone (IndexedDB, never on the server) and a
// double-submit guard. Without this file, or if it fails, the form still posts as a plain
// multipart form and the server checks everything.
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
    rekeyed: "This form had already been used for a dossier sent earlier. It is now sent as a new dossier…",
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
    rekeyed: "Mẫu này đã dùng cho một hồ sơ gửi trước đó. Đang gửi thành một hồ sơ mới…",
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

  // One-time submission keys. A key belongs to one draft: a new draft gets a new key (the
  // page may be an old copy the service worker kept, its key long used); a restored draft
  // brings its own. The format is what forms.valid_idempotency_key accepts (a uuid4).
  function newKey() {
    var b = new Uint8Array(16), i;
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(b);
    else for (i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

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

  // The typed fields, checked as the server checks them (forms.clean_applicant and friends),
  // before a single photo goes up. The template gives each rule and its message:
  // required + data-required-msg, data-check="citizen-id|phone|date|birth-date" +
  // data-invalid-msg; an upload slot with data-required-msg needs a file. The server stays
  // the authority: it checks everything again.
  function blank(v) { return !v || !String(v).trim(); }
  function validPhone(value) {
    var d = value.replace(/[\s.\-()]/g, "");
    if (d.indexOf("+84") === 0) d = d.slice(3);
    else if (d.indexOf("0084") === 0) d = d.slice(4);
    else if (d.indexOf("84") === 0 && d.length === 11) d = d.slice(2);
    if (d.length === 9) d = "0" + d;
    return /^0[35789]\d{8}$/.test(d);
  }
  function parseDate(value) {
    var m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(value), y, mo, d;
    if (m) { y = +m[1]; mo = +m[2]; d = +m[3]; } else {
      m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(value);
      if (!m) return null;
      d = +m[1]; mo = +m[2]; y = +m[3];
    }
    var day = new Date(y, mo - 1, d);
    return day.getFullYear() === y && day.getMonth() === mo - 1 && day.getDate() === d ? day : null;
  }
  var CHECKS = {
    "citizen-id": function (v) { return /^\d{12}$/.test(v.replace(/\s/g, "")); },
    "phone": validPhone,
    "date": function (v) { return parseDate(v) !== null; },
    "birth-date": function (v) {
      var day = parseDate(v);
      return day !== null && day <= new Date() && day.getFullYear() >= 1900;
    }
  };

  function enhance(form, carried) {
    var key = form.action;
    var button = form.querySelector("[data-submit]") || form.querySelector("button[type=submit]");
    var keyInput = form.querySelector("input[name=idempotency_key]");
    var box = form.querySelector("[data-progress]");
    var slots = [], busy = false, finished = false, saveTimer = 0, label, bar;
    form.classList.add("enhanced");
    if (keyInput && !carried) keyInput.value = newKey();  // a draft's own key replaces it
    if (!box) {
      var anchor = button;
      while (anchor.parentNode !== form) anchor = anchor.parentNode;
      box = document.createElement("div");
      box.hidden = true;
      form.insertBefore(box, anchor);
    }

    each(form.querySelectorAll("[data-upload-slot]"), function (el) {
      var inputs = el.querySelectorAll("input[type=file]");
      if (!inputs.length) return;
      var id = el.getAttribute("data-upload-slot");
      var slot = { id: id, el: el, name: inputs[0].name, inputs: inputs, pending: [],
        files: (carried && carried[id]) || [],
        single: !Array.prototype.some.call(inputs, function (i) { return i.multiple; }) };
      slot.list = document.createElement("ul");
      slot.list.className = "apply-thumbs";
      el.appendChild(slot.list);
      each(inputs, function (input) {
        input.addEventListener("change", function () {
          var chosen = Array.prototype.slice.call(input.files);
          if (!chosen.length) return;
          input.value = "";
          slot.pending.push(Promise.all(chosen.map(downscaleInTurn)).then(function (files) {
            slot.files = slot.single ? files.slice(0, 1) : slot.files.concat(files);
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

    // Which form elements a draft keeps: what the citizen typed, and the idempotency key so a
    // resend after a lost connection can never make a second dossier.
    function draftable(el) {
      if (!el.name || el.disabled || el.type === "file" || /^(submit|button|reset)$/.test(el.type)) {
        return false;
      }
      return el.type !== "hidden" || el === keyInput;
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
        if (keyInput) keyInput.value = newKey();  // a new draft, a new key
        slots.forEach(function (s) { s.files = []; render(s); });
        notice.remove();
      });
      notice.appendChild(text);
      notice.appendChild(clear);
      form.insertBefore(notice, form.firstChild);
    }

    // --- the check before sending: the server's error summary, made on the phone -----------
    function clearErrors() {
      var main = form.closest("main") || document;
      each(main.querySelectorAll("[data-module=error-summary]"), function (s) { s.remove(); });
      each(form.querySelectorAll(".field-error[id$='-error']"), function (p) {
        var id = p.id;
        each(form.querySelectorAll("[aria-describedby]"), function (el) {
          var rest = el.getAttribute("aria-describedby").split(" ").filter(function (x) { return x !== id; });
          if (rest.length) el.setAttribute("aria-describedby", rest.join(" "));
          else el.removeAttribute("aria-describedby");
        });
        p.remove();
      });
      each(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
      each(form.querySelectorAll(".field-invalid"), function (el) { el.classList.remove("field-invalid"); });
    }

    function mark(name, message, control, box) {
      var p = document.createElement("p"), id = "f-" + name + "-error";
      p.className = "field-error";
      p.id = id;
      p.textContent = message;
      var before = control.closest("label.check") || control;
      if (!box.contains(before)) before = box.firstChild;
      before.parentNode.insertBefore(p, before);
      box.classList.add("field-invalid");
      var described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", described ? described + " " + id : id);
      control.setAttribute("aria-invalid", "true");
    }

    function check() {
      var errors = [], seen = {};
      each(form.elements, function (el) {
        if (!el.name || seen[el.name] || el.disabled || el.type === "file" || el.type === "hidden") return;
        var value = el.value, message = "";
        if (el.type === "radio" || el.type === "checkbox") {
          var group = form.querySelectorAll("[name='" + el.name + "']");
          seen[el.name] = true;
          var ticked = Array.prototype.some.call(group, function (g) { return g.checked; });
          if (el.required && !ticked) message = el.getAttribute("data-required-msg");
        } else if (blank(value)) {
          if (el.required) message = el.getAttribute("data-required-msg");
        } else if (CHECKS[el.getAttribute("data-check")] && !CHECKS[el.getAttribute("data-check")](value)) {
          message = el.getAttribute("data-invalid-msg");
        }
        if (!message) return;
        seen[el.name] = true;
        errors.push({ name: el.name, message: message, control: el,
          box: el.closest(".field") || el.closest("fieldset") || el.parentNode });
      });
      slots.forEach(function (s) {
        var message = s.el.getAttribute("data-required-msg");
        if (message && !s.files.length) {
          errors.push({ name: s.name, message: message, control: s.inputs[0], box: s.el });
        }
      });
      if (!errors.length) return true;
      // In the order of the form, as the citizen reads it.
      errors.sort(function (a, b) {
        return a.control.compareDocumentPosition(b.control) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
      });
      var summary = document.createElement("div"), h = document.createElement("h2");
      var ul = document.createElement("ul");
      summary.className = "error-summary";
      summary.setAttribute("role", "alert");
      summary.tabIndex = -1;
      summary.setAttribute("data-module", "error-summary");
      h.textContent = form.getAttribute("data-summary-title");
      errors.forEach(function (e) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = "#f-" + e.name;
        a.textContent = e.message;
        li.appendChild(a);
        ul.appendChild(li);
        mark(e.name, e.message, e.control, e.box);
      });
      summary.appendChild(h);
      summary.appendChild(ul);
      form.parentNode.insertBefore(summary, form);
      summary.focus();
      return false;
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
        bar.id = label.htmlFor = "upload-progress";
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

    function done() {
      finished = true;
      clearTimeout(saveTimer);
      return drafts.remove(key).catch(noop);
    }

    // A 422 re-rendered form replaces <main>; the chosen photos stay in memory and are kept.
    // A 200 page without the form (feedback sent) is the answer itself.
    function swap(html, status) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var main = doc.querySelector("main"), current = document.querySelector("main");
      if (!main || !current) return false;
      var next = form.id && main.querySelector("form[data-module=upload-form]#" + form.id);
      if (!next) {
        if (status !== 200) return false;
        done().then(function () {
          current.replaceWith(main);
          if (doc.title) document.title = doc.title;
          main.focus();
        });
        return true;
      }
      var kept = {};
      slots.forEach(function (s) { kept[s.id] = s.files; });
      finished = true;
      clearTimeout(saveTimer);
      current.replaceWith(main);
      if (doc.title) document.title = doc.title;
      var again = enhance(document.getElementById(form.id), kept);
      again.save();
      var summary = document.querySelector("[data-module=error-summary]");
      if (summary) summary.focus();
      return true;
    }

    function received(xhr, rekeyed) {
      var url = xhr.responseURL || "";
      var redirected = url && new URL(url).pathname !== new URL(form.action).pathname;
      if (xhr.status >= 200 && xhr.status < 300 && redirected) {
        // The answer already is the page the server sent the citizen to (with its one-time
        // "sent" message): show it instead of asking the weak connection for it again.
        var html = xhr.responseText, go = function () {
          if (!/^\s*<!doctype html/i.test(html)) { window.location.assign(url); return; }
          window.history.replaceState(null, "", url);
          document.open();
          document.write(html);
          document.close();
        };
        done().then(go, go);
        return;
      }
      // The key already made another dossier (an old page, an old draft): this one is a new
      // dossier, so it gets a new key and goes again, once. The same dossier sent again under
      // its key is answered by the server with the dossier it made.
      if (xhr.status === 409 && keyInput && !rekeyed) {
        keyInput.value = newKey();
        save();
        var note = document.createElement("p");
        note.className = "notice";
        note.setAttribute("role", "status");
        note.textContent = T.rekeyed;
        box.parentNode.insertBefore(note, box);
        send(true);
        return;
      }
      if ((xhr.status === 422 || xhr.status === 200) && swap(xhr.responseText, xhr.status)) return;
      fail(xhr.status === 413 ? T.tooBig : T.failed.replace("{n}", xhr.status));
    }

    function send(rekeyed) {
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
      xhr.onload = function () { clearTimeout(stall); received(xhr, rekeyed); };
      if (!rekeyed) show("", 0);
      watch();
      xhr.send(data);
    }

    form.addEventListener("input", scheduleSave);
    form.addEventListener("change", scheduleSave);
    window.addEventListener("pagehide", function () { if (saveTimer) save(); });
    // Back to a sent form kept by the browser: start afresh (a new draft, a new key).
    window.addEventListener("pageshow", function (e) { if (e.persisted && finished) location.reload(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy || finished) return;
      clearErrors();
      if (!check()) { scheduleSave(); return; }
      box.hidden = true;
      busy = true;
      if (button) button.disabled = true;
      show(T.preparing, null);
      var pending = [];
      slots.forEach(function (s) { pending = pending.concat(s.pending); });
      Promise.all(pending).then(function () {
        save();  // so a dropped connection loses nothing, the key included
        send(false);
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

  if (!(window.FormData && window.indexedDB && window.Promise)) return;
  each(document.querySelectorAll("form[data-module=upload-form]"), function (form) { enhance(form, null); });
})();
