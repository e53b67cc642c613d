/* Motcua service worker: public pages and queue tickets stay readable offline; nothing
 * personal is kept.
 *
 * The server fills in VERSION, PRECACHE and the path lists when it serves /sw.js
 * (app/pwa/views.py); the lists come from app/pwa/cache_policy.py, the server's own rules.
 * PRECACHE holds the exact ?v=<hash> URLs that asset_url() writes into pages, so the
 * offline page is styled even when the phone loses signal right after its first visit
 * (runtime caching alone would miss anything not yet requested). VERSION hashes this file
 * and those lists: a changed asset or list makes a byte-different worker, which the browser
 * installs, and activate() then drops the old shell cache.
 */
"use strict";

const VERSION = "__VERSION__";
const PRECACHE = ["__PRECACHE__"];
const SHELL = "motcua-shell-" + VERSION;
// Kept pages outlive an update: a procedure read last week must stay readable after a deploy.
const PAGES = "motcua-pages-v1";
const MAX_PAGES = 60;
const OFFLINE_URL = "/offline";
const NETWORK_TIMEOUT_MS = 3000;

// cache_policy.py's lists; the server's Cache-Control is the main guard, these a second one.
const PUBLIC_PAGES = ["__PUBLIC_PAGES__"];
const PUBLIC_SECTIONS = ["__PUBLIC_SECTIONS__"];
const PERSONAL_PREFIXES = ["__PERSONAL_PREFIXES__"];
// Pages only their holder has (a queue ticket): private, so kept unless marked no-store.
const HOLDER_SECTIONS = ["__HOLDER_SECTIONS__"];
const LOGOUT = /^\/(?:officer\/)?logout/;  // officers' and citizens' sign-out
// Query parameters that only count visits: /v/abc?src=qr and /v/abc are one page.
const TRACKING_PARAMS = ["src", "source"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("motcua-") && name !== SHELL && name !== PAGES)
      .map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "logout") event.waitUntil(dropPages());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isLogout(url)) event.waitUntil(dropPages());
  if (request.method !== "GET") return;  // POSTs go straight to the network, never stored
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticAsset(event, url));
  } else if (url.pathname.startsWith("/icons/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staleWhileRevalidate(event));
  }
});

function isLogout(url) {
  return LOGOUT.test(url.pathname) ||
    (url.pathname === "/officer/login" && url.searchParams.has("logged_out"));
}

// A section is the path itself and everything below it: /d and /d/X, never /dich-vu.
function under(path, prefix) {
  return path === prefix || path.startsWith(prefix + "/");
}

function isPublicPage(path) {
  return PUBLIC_PAGES.includes(path) || PUBLIC_SECTIONS.some((section) => under(path, section));
}

function isHolderPage(path) {
  return HOLDER_SECTIONS.some((section) => under(path, section));
}

function mayKeepPath(path) {
  return (isPublicPage(path) || isHolderPage(path)) && !isPersonal(path);
}

function isPersonal(path) {
  return PERSONAL_PREFIXES.some((prefix) => under(path, prefix));
}

function dropPages() {
  return caches.delete(PAGES);
}

function pageKey(url) {
  const key = new URL(url.href);
  key.hash = "";
  TRACKING_PARAMS.forEach((name) => key.searchParams.delete(name));
  return key.href;
}

function keepable(url, response) {
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  const refused = isHolderPage(url.pathname) ? /(?:^|[\s,])no-store(?:$|[\s,=])/
    : /(?:^|[\s,])(?:no-store|private)(?:$|[\s,=])/;
  return response.ok && response.type === "basic" && !response.redirected &&
    mayKeepPath(url.pathname) && !refused.test(control) &&
    (response.headers.get("Content-Type") || "").startsWith("text/html");
}

async function keepPage(key, response) {
  const cache = await caches.open(PAGES);
  await cache.delete(key);  // re-insert: keys() order is then oldest first
  await cache.put(key, response);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((k) => cache.delete(k)));
}

async function keptPage(key) {
  const cache = await caches.open(PAGES);
  return cache.match(key, { ignoreVary: true });
}

async function offlinePage() {
  const page = await caches.match(OFFLINE_URL);
  return page || new Response("Không có kết nối mạng.", {
    status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

// Network first (fresh fees and documents matter), a kept copy after NETWORK_TIMEOUT_MS on a
// crawling 3G link, the offline page when there is neither.
async function navigate(event, url) {
  const key = pageKey(url);
  const mayKeep = mayKeepPath(url.pathname);
  const network = Promise.resolve(event.preloadResponse)
    .then((preloaded) => preloaded || fetch(event.request));
  // The copy is made before the page consumes the body; storing finishes in the background.
  event.waitUntil(network
    .then((response) => (keepable(url, response) ? keepPage(key, response.clone()) : null))
    .catch(() => null));
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, NETWORK_TIMEOUT_MS, null); });
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const kept = mayKeep ? await keptPage(key) : null;
    return kept || await network;
  } catch (err) {
    const kept = mayKeep ? await keptPage(key) : null;
    return kept || offlinePage();
  } finally {
    clearTimeout(timer);
  }
}

// Hashed URLs never change: the cache answers first. Offline, any version of the file beats
// none (a page kept before an update still names the old hash).
async function staticAsset(event, url) {
  const request = event.request;
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && url.searchParams.has("v")) {
      const copy = response.clone();
      event.waitUntil(caches.open(SHELL).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (err) {
    const older = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (older) return older;
    throw err;
  }
}

async function staleWhileRevalidate(event) {
  const request = event.request;
  const cached = await caches.match(request, { ignoreVary: true });
  const fresh = fetch(request).then((response) => {
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      return caches.open(SHELL).then((cache) => cache.put(request, copy)).then(() => response);
    }
    return response;
  });
  event.waitUntil(fresh.catch(() => null));
  return cached || fresh;
}

// --- Web push (issue 6): a dossier changed. The payload is {title, body, url, tag}; the tag
// is the notification's id, so a message the server had to send twice shows once.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (err) { data = {}; }
  const title = data.title || "Motcua";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    lang: "vi",
    data: { url: data.url || "/my" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/my",
                         self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const same = open.find((client) => new URL(client.url).pathname === target.pathname);
    if (same) return same.focus();
    // Reuse the app's open window (one tab on a small phone); a new one if there is none.
    const ours = open.find((client) => client.frameType === "top-level" && client.navigate);
    if (ours) {
      try {
        const moved = await ours.navigate(target.href);
        if (moved) return moved.focus().catch(() => moved);
      } catch (err) { /* not controlled by this worker: open a window instead */ }
    }
    return self.clients.openWindow(target.href);
  })());
});

// The browser renewed the subscription: tell the server, which moves the old one's dossiers.
self.addEventListener("pushsubscriptionchange", (event) => {
  const old = event.oldSubscription;
  event.waitUntil((async () => {
    const fresh = event.newSubscription || (old && await self.registration.pushManager.subscribe(
      old.options));
    if (!old || !fresh) return;
    await fetch("/push/resubscribe", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ old_endpoint: old.endpoint, subscription: fresh.toJSON() }),
    });
  })());
});
