/* Comunagua, the reader's app. It works with no signal: a route is downloaded once, each
   reading is kept on the phone (IndexedDB, through the vendored idb library) with a UUID made
   here, and sent when there is signal, automatically and with the "Sincronizar" button. The
   server stores each UUID once, so sending again after a cut connection never duplicates a
   reading. The checks here only warn; the server's checks decide (docs/reader-app.md). */
/* global idb */
(() => {
  "use strict";

  const body = document.body;
  const SLUG = body.dataset.slug;
  const USER = body.dataset.user;
  const BASE = `${body.dataset.api}committees/${SLUG}/`;
  const T = JSON.parse(document.getElementById("texts").textContent);
  const BATCH = 500; // readings per request
  const RETRY_MS = 30000; // while readings wait and there is signal
  const RESULTS_SHOWN = 20;

  const $ = (selector, root = document) => root.querySelector(selector);
  const fmt = (text, values) =>
    text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
  const screen = $("#screen");

  // --- the phone's storage ------------------------------------------------------------------

  // One database per user: on a shared phone, one reader's queue is never sent as another's.
  const dbReady = idb.openDB(`comunagua-lector:${USER}`, 1, {
    upgrade(db) {
      db.createObjectStore("routes", { keyPath: "key" });
      db.createObjectStore("queue", { keyPath: "client_id" }).createIndex("slug", "slug");
      db.createObjectStore("results", { keyPath: "client_id" }).createIndex("slug", "slug");
      db.createObjectStore("meta", { keyPath: "key" });
    },
  });
  const routeKey = (round, id) => `${SLUG}/${round}/${id}`;

  async function queued() {
    return (await dbReady).getAllFromIndex("queue", "slug", SLUG);
  }
  async function results() {
    const all = await (await dbReady).getAllFromIndex("results", "slug", SLUG);
    return all.sort((a, b) => (a.at < b.at ? 1 : -1));
  }
  async function meta(key, value) {
    const db = await dbReady;
    if (value === undefined) return ((await db.get("meta", `${SLUG}/${key}`)) || {}).value;
    return db.put("meta", { key: `${SLUG}/${key}`, value });
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // Plain http on a local network has no randomUUID; getRandomValues works everywhere.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // --- talking to the server ----------------------------------------------------------------

  function csrf() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
  }

  async function api(path, options = {}) {
    const response = await fetch(BASE + path, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf() },
      ...options,
    });
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null; // a login page or a proxy's error: no JSON
    }
    const loggedOut = response.status === 401 || (response.redirected && data === null);
    return { status: response.status, ok: response.ok && data !== null, data, loggedOut };
  }

  // --- the counter and the synchronisation --------------------------------------------------

  function setStatus(text, link) {
    const status = $("#sync-status");
    status.textContent = text;
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = " ↗";
      status.append(a);
    }
  }

  async function refreshCount() {
    const count = (await queued()).length;
    $("#pending-count").textContent = count;
    body.classList.toggle("has-pending", count > 0);
    return count;
  }

  function showNet() {
    $("#net").textContent = navigator.onLine ? T.online : T.offline;
    body.classList.toggle("offline", !navigator.onLine);
  }

  let syncing = null;
  function sync(manual = false) {
    if (!syncing) syncing = send(manual).finally(() => (syncing = null));
    return syncing;
  }

  async function send(manual) {
    const items = await queued();
    if (!items.length) {
      if (manual) setStatus(T.nothing);
      return;
    }
    if (!navigator.onLine && !manual) return;
    setStatus(T.sending);
    const totals = { stored: 0, flagged: 0, conflict: 0, rejected: 0 };
    const rounds = new Map();
    for (const item of items) {
      if (!rounds.has(item.round)) rounds.set(item.round, []);
      rounds.get(item.round).push(item);
    }
    try {
      for (const [round, list] of rounds) {
        for (let start = 0; start < list.length; start += BATCH) {
          const chunk = list.slice(start, start + BATCH);
          const answer = await api("readings", {
            method: "POST",
            body: JSON.stringify({
              round,
              readings: chunk.map(({ client_id, connection, value, read_at }) => ({
                client_id, connection, value, read_at,
              })),
            }),
          });
          if (answer.loggedOut) {
            setStatus(T.login_again, body.dataset.login);
            return;
          }
          if (!answer.ok) {
            const error = answer.data && answer.data.error;
            setStatus(error ? error.message : T.failed); // a server in trouble: try later
            return;
          }
          await keep(chunk, answer.data.results, totals);
        }
      }
      const summary = fmt(T.summary, totals);
      setStatus(summary);
      await meta("summary", summary);
    } catch (error) {
      setStatus(T.failed); // no signal after all: everything stays queued
    } finally {
      await refreshCount();
      render();
    }
  }

  /* Each answer leaves the queue in one transaction with its result: a reading is either
     waiting or answered, never both and never neither. */
  async function keep(chunk, answers, totals) {
    const byId = new Map(chunk.map((item) => [item.client_id, item]));
    const tx = (await dbReady).transaction(["queue", "results"], "readwrite");
    const at = new Date().toISOString();
    for (const answer of answers) {
      const item = byId.get(answer.client_id);
      if (!item) continue;
      let kind = answer.status;
      if (kind === "stored" && answer.flags.length) kind = "flagged";
      if (kind === "duplicate") kind = "stored";
      totals[kind] = (totals[kind] || 0) + 1;
      tx.objectStore("results").put({
        client_id: item.client_id,
        slug: SLUG,
        round: item.round,
        connection: item.connection,
        value: item.value,
        status: answer.status,
        kind,
        warnings: answer.warnings || [],
        message: answer.error ? answer.error.message : "",
        at,
      });
      tx.objectStore("queue").delete(item.client_id);
    }
    await tx.done;
  }

  // --- screens ------------------------------------------------------------------------------

  function clone(id) {
    return document.getElementById(id).content.cloneNode(true);
  }
  function setTitle(text, back) {
    $("#title").textContent = text;
    const link = $("#back");
    link.hidden = !back;
    link.href = back || "#";
  }

  async function homeScreen() {
    setTitle(document.title.split(" · ")[0]);
    const view = clone("t-home");
    let round = await meta("round");
    if (navigator.onLine) {
      const answer = await api("rounds/open").catch(() => null);
      if (answer && answer.ok) {
        round = answer.data;
        await meta("round", round);
      } else if (answer && answer.status === 404) {
        round = null;
        await meta("round", null);
      }
    }
    if (round && navigator.onLine) {
      const db = await dbReady;
      for (const route of round.routes) {
        if (!(await db.get("routes", routeKey(round.month, route.id)))) await download(round.month, route.id);
      }
    }
    const list = $(".routes", view);
    if (!round) {
      $(".round", view).textContent = T.no_round;
    } else {
      $(".round", view).textContent = fmt(T.round, { month: round.month });
      const db = await dbReady;
      for (const route of round.routes) {
        const stored = await db.get("routes", routeKey(round.month, route.id));
        const li = document.createElement("li");
        li.className = "route";
        const name = document.createElement("strong");
        name.textContent = route.name;
        const info = document.createElement("span");
        info.className = "info";
        info.textContent = `${fmt(T.of, { done: route.read, total: route.to_read })} · ${
          stored ? fmt(T.downloaded, { when: new Date(stored.downloaded_at).toLocaleString() }) : T.not_downloaded
        }`;
        const get = document.createElement("button");
        get.type = "button";
        get.className = "download";
        get.textContent = stored ? T.update : T.download;
        get.disabled = !navigator.onLine;
        get.addEventListener("click", async () => {
          if (await download(round.month, route.id)) location.hash = `#r/${round.month}/${route.id}`;
        });
        li.append(name, info, get);
        if (stored) {
          const open = document.createElement("a");
          open.className = "button open";
          open.href = `#r/${round.month}/${route.id}`;
          open.textContent = T.open;
          li.append(open);
        }
        list.append(li);
      }
    }
    const shown = (await results()).slice(0, RESULTS_SHOWN);
    if (shown.length) {
      $(".results", view).hidden = false;
      const ul = $(".result-list", view);
      for (const r of shown) {
        const li = document.createElement("li");
        li.className = `result ${r.kind}`;
        li.textContent = `${r.connection} · ${resultText(r)}`;
        ul.append(li);
      }
    }
    screen.replaceChildren(view);
  }

  function resultText(r) {
    if (r.kind === "rejected") return fmt(T.rejected, { message: r.message });
    return fmt(T[r.kind] || T.stored, { value: r.value });
  }

  async function download(month, id) {
    const answer = await api(`rounds/${month}/routes/${id}`).catch(() => null);
    if (!answer || !answer.ok) {
      if (answer && answer.loggedOut) setStatus(T.login_again, body.dataset.login);
      else setStatus(T.failed);
      return false;
    }
    await (await dbReady).put("routes", {
      key: routeKey(month, id),
      slug: SLUG,
      round: month,
      id,
      name: answer.data.route.name,
      sheet: answer.data,
      downloaded_at: new Date().toISOString(),
    });
    return true;
  }

  async function loadRoute(month, id) {
    return (await dbReady).get("routes", routeKey(month, id));
  }

  /* What the phone knows about each connection of the route: queued here, answered by the
     server since, or read before the download. */
  async function states(month) {
    const byConnection = new Map();
    for (const r of (await results()).reverse()) {
      if (r.round === month) byConnection.set(r.connection, { kind: r.kind, text: resultText(r) });
    }
    for (const q of await queued()) {
      if (q.round === month) {
        byConnection.set(q.connection, { kind: "queued", text: fmt(T.queued, { value: q.value }) });
      }
    }
    return byConnection;
  }

  async function routeScreen(month, id) {
    const route = await loadRoute(month, id);
    if (!route) {
      setTitle(T.open, "#");
      screen.textContent = T.route_missing;
      return;
    }
    setTitle(route.name, "#");
    const view = clone("t-route");
    $(".route-name", view).textContent = `${route.name} · ${fmt(T.round, { month })}`;
    const known = await states(month);
    let done = 0;
    const list = $(".stops", view);
    route.sheet.stops.forEach((stop, index) => {
      const state = known.get(stop.number) || (stop.reading ? { kind: "stored", text: fmt(T.stored, { value: stop.reading.value }) } : null);
      if (state) done += 1;
      const li = document.createElement("li");
      li.className = `stop ${state ? state.kind : "todo"}`;
      const a = document.createElement("a");
      a.href = `#s/${month}/${id}/${index}`;
      a.textContent = `${stop.number} · ${stop.address}`;
      const small = document.createElement("small");
      small.textContent = state ? state.text : T.to_read;
      li.append(a, small);
      list.append(li);
    });
    $(".progress", view).textContent = fmt(T.of, { done, total: route.sheet.stops.length });
    screen.replaceChildren(view);
  }

  const READING = /^\d{1,12}([.,]\d{1,3})?$/;
  let confirmed = null; // the value the reader already saw warnings for

  /* The server's checks, roughly: against the last actual reading (not an estimate), the
     spike per month since then. The server decides; this only asks the reader to look again. */
  function warnings(stop, value) {
    const found = [];
    const base = stop.compare_with !== null ? Number(stop.compare_with) : null;
    if (base === null) return found;
    if (value < base) {
      found.push(T.below);
      return found;
    }
    const used = Math.round((value - base) * 1000) / 1000;
    if (stop.warn_above_m3 !== null && used / (stop.months || 1) > Number(stop.warn_above_m3)) {
      found.push(fmt(T.spike, { m3: used }));
    }
    if (used === 0 && stop.occupied) found.push(T.zero);
    return found;
  }

  async function stopScreen(month, id, index) {
    const route = await loadRoute(month, id);
    if (!route) return routeScreen(month, id);
    const stops = route.sheet.stops;
    const stop = stops[index];
    if (!stop) {
      location.hash = `#r/${month}/${id}`;
      return;
    }
    setTitle(route.name, `#r/${month}/${id}`);
    const view = clone("t-stop");
    $(".position", view).textContent = fmt(T.position, { n: index + 1, total: stops.length });
    $(".number", view).textContent = stop.number;
    $(".holder", view).textContent = stop.holder;
    $(".address", view).textContent = stop.address;
    $(".serial", view).textContent = stop.meter_serial || "—";
    $(".previous", view).textContent = stop.previous
      ? `${stop.previous.value} (${stop.previous.on || ""}${stop.previous.estimated ? `, ${T.estimated}` : ""})`
      : "—";
    $(".usual", view).textContent = stop.usual_m3 !== null ? `${stop.usual_m3} m³` : T.usual_none;
    const state = (await states(month)).get(stop.number);
    if (state) {
      const note = $(".queued", view);
      note.hidden = false;
      note.textContent = state.text;
    }
    const form = $("form", view);
    const input = $("input", view);
    const error = $(".error", view);
    const warned = $(".warnings", view);
    $(".prev", view).disabled = index === 0;
    $(".prev", view).addEventListener("click", () => {
      location.hash = `#s/${month}/${id}/${index - 1}`;
    });
    input.addEventListener("input", () => {
      error.hidden = true;
      warned.hidden = true;
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim().replace(",", ".");
      if (!READING.test(text)) {
        error.textContent = T.not_number;
        error.hidden = false;
        return;
      }
      const value = Number(text);
      if (stop.meter_digits && value >= 10 ** stop.meter_digits) {
        error.textContent = fmt(T.too_large, { digits: stop.meter_digits });
        error.hidden = false;
        return;
      }
      const found = warnings(stop, value);
      if (found.length && confirmed !== `${stop.number}=${text}`) {
        confirmed = `${stop.number}=${text}`;
        warned.replaceChildren(
          ...[...found, T.confirm].map((w) => Object.assign(document.createElement("li"), { textContent: w }))
        );
        warned.hidden = false;
        return;
      }
      confirmed = null;
      const db = await dbReady;
      // A correction made before sending replaces the unsent value: no conflict for the office.
      for (const old of await queued()) {
        if (old.round === month && old.connection === stop.number) await db.delete("queue", old.client_id);
      }
      await db.put("queue", {
        client_id: uuid(),
        slug: SLUG,
        round: month,
        route: id,
        connection: stop.number,
        value: text,
        read_at: new Date().toISOString(),
        queued_at: new Date().toISOString(),
      });
      await refreshCount();
      if (navigator.onLine) sync();
      location.hash = index + 1 < stops.length ? `#s/${month}/${id}/${index + 1}` : `#r/${month}/${id}`;
    });
    screen.replaceChildren(view);
    input.focus();
  }

  // --- wiring -------------------------------------------------------------------------------

  let rendering = Promise.resolve();
  function render() {
    const [kind, month, id, index] = location.hash.slice(1).split("/");
    const draw = () => {
      if (kind === "r") return routeScreen(month, Number(id));
      if (kind === "s") return stopScreen(month, Number(id), Number(index));
      return homeScreen();
    };
    rendering = rendering.then(draw, draw);
    return rendering;
  }

  $("#sync").addEventListener("click", () => sync(true));
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => {
    showNet();
    sync();
  });
  window.addEventListener("offline", showNet);
  setInterval(() => {
    if (navigator.onLine && body.classList.contains("has-pending")) sync();
  }, RETRY_MS);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.sw).catch(() => {});
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});

  showNet();
  (async () => {
    const summary = await meta("summary");
    if (summary) setStatus(summary);
    await refreshCount();
    await render();
    body.dataset.ready = "1";
    if (navigator.onLine) sync();
  })();

  // For tests and for the curious: the queue as the phone holds it.
  window.comunaguaReader = { sync, queued, results, dbReady };
})();
