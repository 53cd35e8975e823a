// The page's service worker: keeps the page, its code, models and sample scene in this browser,
// so the page opens and maps the sample without a connection after the first visit.
// web/offline/write_service_worker.sh fills VERSION (a hash of every file it lists) and FILES
// (every file of the build) when trunk builds the page; a new build is a new cache.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const PREFIX = "glacier-mapper-";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(["./", ...FILES]))
      .then(() => self.skipWaiting()),
  );
});

// The new build's cache replaces the old ones, and this worker takes over open pages.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The network first (so a new deployment is seen at once, models included, whose names carry no
// hash), the cache when it fails. Only the page and its own files: basemap tiles and anything
// else go to the network untouched.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const page = request.mode === "navigate";
  if (!page && !FILES.includes(url.pathname.slice(scope.pathname.length))) return;
  event.respondWith(networkFirst(request, page));
});

async function networkFirst(request, page) {
  try {
    return await fetch(request);
  } catch (offline) {
    const cache = await caches.open(CACHE);
    const kept = page ? await cache.match("./") : await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw offline;
  }
}
