/* Comunagua reader's app: the service worker. Served through /<committee>/lecturas/app/sw.js,
   which sets self.COMUNAGUA = {version, shell, assets, workbox} and imports this file.
   Workbox (vendored, static/vendor/workbox-7.4.1) does the routing and the caching:
   - the app's pages: network first, the cached copy when there is no signal;
   - static files: served from the cache at once and refreshed behind;
   - the API is never cached here: readings wait in IndexedDB (reader.js) until they are sent. */
/* global importScripts, workbox */
const CONFIG = self.COMUNAGUA;
importScripts(CONFIG.workbox + "workbox-sw.js");
workbox.setConfig({ debug: false, modulePathPrefix: CONFIG.workbox });

const SHELL_CACHE = "comunagua-shell-v" + CONFIG.version;
const STATIC_CACHE = "comunagua-static-v" + CONFIG.version;

// A login page reached by a redirect must never be kept as the app itself.
const notRedirected = {
  cacheWillUpdate: async ({ response }) =>
    response && response.ok && !response.redirected ? response : null,
};

workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname.startsWith(CONFIG.shell),
  new workbox.strategies.NetworkFirst({
    cacheName: SHELL_CACHE,
    networkTimeoutSeconds: 5,
    plugins: [notRedirected],
    // Django answers "Vary: Cookie, Accept-Language": the copy is this user's app all the same.
    matchOptions: { ignoreVary: true },
  })
);
workbox.routing.registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith("/static/"),
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC_CACHE,
    plugins: [notRedirected],
    matchOptions: { ignoreVary: true },
  })
);

self.addEventListener("install", (event) => {
  // The shell and its files are fetched now, while there is signal.
  event.waitUntil(
    Promise.all([
      caches.open(SHELL_CACHE).then(async (cache) => {
        const response = await fetch(CONFIG.shell, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(CONFIG.shell, response);
      }),
      caches.open(STATIC_CACHE).then((cache) => cache.addAll(CONFIG.assets)),
    ]).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  const keep = new Set([SHELL_CACHE, STATIC_CACHE]);
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("comunagua-") && !keep.has(n)).map((n) => caches.delete(n))
        )
      )
      .then(() => self.clients.claim())
  );
});
