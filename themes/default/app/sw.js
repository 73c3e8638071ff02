// Service worker: the app shell from cache (replaced as a whole, and only after the parent agrees,
// when the school published a new one), and the sealed files kept so that what was seen opens
// offline. All cached under b/, i/ and k/ is ciphertext; keys stay in IndexedDB. A module worker:
// a push opens the signed index with the app's own code. `portal generate` points the imports
// below into the shell's folder s/<id>/ (FORMAT.md "App shell").
import { sealedFiles } from './sealed.js';
import { allTokens } from './store.js';
import { send } from './notify.js';
import { verifySigned, fromB64, hex } from './crypto.js';
import { shellFile } from './i18n.js';

const DATA = 'ouderportaal-data-v1';
const META = 'ouderportaal-meta';     // "current": the shell cache in use; "pending": a newer one, not yet agreed
const SHELL_PREFIX = 'ouderportaal-shell-';
const BASE = new URL('./', self.location).href;
const abs = (p) => new URL(p, BASE).href;
const ICON = shellFile('icons/icon-192.png');
const sha256 = async (buf) => hex(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)));

/** Why a shell was not kept: `reason` is FORMAT.md's word (signature, hash, malformed). */
class ShellRefused extends Error {
  constructor(reason, what) { super(what); this.reason = reason; }
}

/** The shell the school signed (`shell`), every file fetched and checked against its SHA-256.
 * Before any code is stored there is no publisher key to check the signature with: the first
 * shell is taken as the host serves it (SECURITY.md), its files still checked against the list. */
async function fetchShell() {
  const r = await fetch(abs('shell'), { cache: 'no-cache', credentials: 'same-origin' });
  if (!r.ok) throw new Error(`shell: ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const publishers = [...new Set((await allTokens()).map((rec) => rec.publisher).filter(Boolean))];
  let body = null;
  for (const p of publishers) body = body || await verifySigned(fromB64(p), bytes, 'shell').catch(() => null);
  if (publishers.length && !body) throw new ShellRefused('signature', 'shell');
  if (!body) body = bytes.subarray(68);
  let index;
  try { index = JSON.parse(new TextDecoder().decode(body)); } catch (e) { throw new ShellRefused('malformed', 'shell'); }
  if (!index || index.kind !== 'shell' || !/^[0-9a-f]{16}$/.test(index.id) || typeof index.files !== 'object') throw new ShellRefused('malformed', 'shell');
  // The browser keeps the worker itself; the LAZY folders are fetched when first opened.
  const paths = Object.keys(index.files).filter((p) => p !== 'sw.js' && !LAZY.test(p));
  const responses = await Promise.all(paths.map(async (p) => {
    const f = await fetch(abs(p), { cache: 'no-cache', credentials: 'same-origin' });
    if (!f.ok) throw new Error(`${p}: ${f.status}`);
    if (await sha256(await f.clone().arrayBuffer()) !== index.files[p]) throw new ShellRefused('hash', p);
    return f;
  }));
  return { name: SHELL_PREFIX + index.id, paths, responses, files: index.files };
}

// The parts of the shell fetched on first use (router.js `lazyView`: the staff views, the form and
// booking pages): listed and signed with the rest, kept only once this device opened them.
const LAZY = /^s\/[0-9a-f]{16}\/(?:staff|forms|booking)\//;
const FILES = '__files';  // the shell's list of SHA-256s, kept in its cache for LAZY files

async function storeShell(shell) {
  const c = await caches.open(shell.name);
  await Promise.all(shell.paths.map((p, i) => c.put(abs(p), shell.responses[i])));
  await c.put(abs(FILES), new Response(JSON.stringify(shell.files)));
}

/** A LAZY file of the shell in use, fetched and kept only when its bytes are the ones the shell
 * lists; anything else is refused, as a whole shell with one wrong file is. */
async function lazyFile(cache, rel) {
  const listed = await cache.match(abs(FILES));
  const files = listed ? await listed.json() : {};
  if (!Object.prototype.hasOwnProperty.call(files, rel)) return new Response('not in the signed shell', { status: 404 });
  const r = await fetch(abs(rel), { cache: 'no-cache', credentials: 'same-origin' });
  if (!r.ok) return r;
  if (await sha256(await r.clone().arrayBuffer()) !== files[rel]) return new Response('not the signed shell file', { status: 502 });
  await cache.put(abs(rel), r.clone());
  return r;
}

/** Tells every page that a shell was refused, so the parent reads why nothing changes. */
async function refused(err) {
  if (!(err instanceof ShellRefused)) return;
  for (const c of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
    c.postMessage({ type: 'shell-refused', reason: err.reason });
  }
}

async function metaGet(key) {
  const r = await (await caches.open(META)).match(abs('__meta/' + key));
  return r ? r.text() : null;
}
async function metaPut(key, value) {
  const m = await caches.open(META);
  if (value === null) await m.delete(abs('__meta/' + key));
  else await m.put(abs('__meta/' + key), new Response(value));
}

const OWN_NAME = /^ouderportaal-shell-[0-9a-f]{16}$/;

/** The shell in use. Format 1's worker, finishing a message while this one took over, may have
 * named its own shell (or dropped this one's): then this worker's installed shell, which the
 * parent agreed to, is put back in use. */
async function currentShell() {
  const name = await metaGet('current');
  if (name && OWN_NAME.test(name) && await caches.has(name)) return name;
  const installed = await metaGet('installed');
  if (installed && OWN_NAME.test(installed) && await caches.has(installed)) { await useShell(installed); return installed; }
  return name;
}

/** Makes `name` the shell in use and drops every other shell cache. */
async function useShell(name) {
  await metaPut('current', name);
  await metaPut('pending', null);
  for (const k of await caches.keys()) if (k.startsWith(SHELL_PREFIX) && k !== name) await caches.delete(k);
}

self.addEventListener('install', (event) => {
  event.waitUntil(fetchShell().catch(async (err) => { await refused(err); throw err; }).then(async (shell) => {
    await storeShell(shell);
    await metaPut('installed', shell.name);
    // After format 1's worker the parent has already agreed (its app offered this shell, which
    // cannot read format 1): take over at once, so the update is one tap, not two. The same
    // shell as the one in use (the worker fetched again) brings nothing to agree to either.
    if (await metaGet('format') !== '2' || await currentShell() === shell.name) self.skipWaiting();
  }));
});

// Until this worker's activation is done, "current" may still name the shell it replaces.
let activation = null;

self.addEventListener('activate', (event) => {
  event.waitUntil(activation = (async () => {
    const installed = await metaGet('installed');
    if (installed) await useShell(installed);
    await metaPut('format', '2');
    await self.clients.claim();
  })());
});

/** A cached copy marked as such, so the app can say that it may be out of date. */
function fromCache(r) {
  const headers = new Headers(r.headers);
  headers.set('X-Portal-Offline', '1');
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers });
}

/** Keyslots, site.json and indexes: the network when it answers, else the last copy. */
async function networkFirst(request) {
  const cache = await caches.open(DATA);
  let r;
  try {
    r = await fetch(request);
  } catch (err) {
    const hit = await cache.match(request.url);
    if (hit) return fromCache(hit);
    throw err;
  }
  if (r.ok) await cache.put(request.url, r.clone());
  else if (r.status === 404 || r.status === 410) await cache.delete(request.url);  // revoked or gone
  else if (r.status >= 500) {
    const hit = await cache.match(request.url);
    if (hit) return fromCache(hit);
  }
  return r;
}

/** Pages, items and photos (b/): named after their bytes, so a cached copy is never stale. Only
 * bytes that match their name are kept: what the app would refuse is not cached as valid. */
async function cacheFirst(request, rel) {
  const cache = await caches.open(DATA);
  const hit = await cache.match(request.url);
  if (hit) return hit;
  const r = await fetch(request);
  if (r.ok && rel === 'b/' + (await sha256(await r.clone().arrayBuffer())).slice(0, 32)) {
    await cache.put(request.url, r.clone());
  }
  return r;
}

async function fromShell(rel, request) {
  const name = await currentShell();
  const cache = name ? await caches.open(name) : null;
  const hit = cache ? await cache.match(abs(rel)) : null;
  return hit || (cache && LAZY.test(rel) && await lazyFile(cache, rel)) || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(BASE)) return;
  const url = new URL(request.url);
  const rel = url.pathname.slice(new URL(BASE).pathname.length);
  if (request.mode === 'navigate') {
    if (rel === '' || rel === 'index.html') event.respondWith(fromShell('index.html', request));
    return;
  }
  if (rel.startsWith('b/')) {
    event.respondWith(cacheFirst(request, rel));
  } else if (rel.startsWith('i/') || rel.startsWith('k/') || rel === 'site.json') {
    event.respondWith(networkFirst(request));
  } else if (rel.startsWith('s/') || rel === 'manifest.webmanifest') {
    event.respondWith(fromShell(rel, request));
  }
});

/** What a first visit fetched before this worker controlled it: kept like files fetched through
 * the worker (a b/ file only when its bytes match its name). Mostly from the HTTP cache. */
async function keepFiles(files) {
  const cache = await caches.open(DATA);
  for (const rel of files) {
    if (typeof rel !== 'string' || !/^(?:[bik]\/[0-9a-f]{32}|site\.json)$/.test(rel) || await cache.match(abs(rel))) continue;
    try {
      const r = await fetch(abs(rel), { cache: 'force-cache', credentials: 'same-origin' });
      if (!r.ok) continue;
      if (rel.startsWith('b/') && rel !== 'b/' + (await sha256(await r.clone().arrayBuffer())).slice(0, 32)) continue;
      await cache.put(abs(rel), r);
    } catch (e) { /* offline again: the next visit fetches it */ }
  }
}

/** Compares the shell on the server with the one in use; keeps a changed one as "pending". A new
 * sw.js (always there with a new shell) brings it in itself: then nothing is offered twice. */
async function checkShell() {
  if (activation) await activation.catch(() => {});
  await self.registration.update().catch(() => {});
  if (self.registration.installing || self.registration.waiting) return false;
  let shell;
  try { shell = await fetchShell(); } catch (e) { await refused(e); return false; }  // offline: nothing to offer
  if (shell.name === await currentShell()) return false;
  await storeShell(shell);
  await metaPut('pending', shell.name);
  return true;
}

self.addEventListener('message', (event) => {
  const msg = event.data || {};
  const reply = (m) => event.source && event.source.postMessage(m);
  if (msg.type === 'skip-waiting') {
    self.skipWaiting();
  } else if (msg.type === 'check') {
    event.waitUntil(checkShell().then((update) => reply({ type: 'check', update })));
  } else if (msg.type === 'keep' && Array.isArray(msg.files)) {
    event.waitUntil(keepFiles(msg.files.slice(0, 2000)).then(() => reply({ type: 'kept' })));
  } else if (msg.type === 'prune' && Array.isArray(msg.keep)) {
    // Only sealed files are pruned (format 1's a/ always), and only those the app no longer refers to.
    event.waitUntil((async () => {
      const keep = new Set(msg.keep.filter((p) => typeof p === 'string').map(abs));
      const cache = await caches.open(DATA);
      for (const req of await cache.keys()) {
        const rel = req.url.startsWith(BASE) ? req.url.slice(BASE.length) : '';
        if (/^[abik]\//.test(rel) && !keep.has(req.url)) await cache.delete(req);
      }
    })());
  } else if (msg.type === 'settings' && typeof msg.lang === 'string') {
    // What a push needs when no page is open: the parent's language and notification mode.
    event.waitUntil(Promise.all([metaPut('lang', msg.lang), metaPut('push-mode', String(msg.mode || 'off'))]));
  } else if (msg.type === 'use-latest') {
    event.waitUntil(metaGet('pending').then(async (name) => {
      // Only a shell this worker kept: format 1's worker, still finishing a check while this one
      // took over, may write the name of its own (unchecked) shell here.
      if (name && OWN_NAME.test(name) && await caches.has(name)) await useShell(name);
      else await metaPut('pending', null);
      reply({ type: 'ready' });
    }));
  }
});

// ---- notifications (issue 16) ----
// A push says only which audiences reached which index sequence (FORMAT.md "Push"). The title
// shown comes from the index and page the school signed; when nothing verifies (offline, a
// revoked code, a forged push) the line is neutral.

async function strings() {
  const lang = (await metaGet('lang')) || 'nl';
  const name = await metaGet('current');
  const r = (name && await (await caches.open(name)).match(shellFile('i18n/' + lang + '.json'))) || await fetch(shellFile('i18n/' + lang + '.json'));
  return r.json();
}

/** The newest item of the audiences that moved: {title, path, audience} or null. */
async function newest(moved) {
  const site = await (await fetch(abs('site.json'), { cache: 'no-cache' })).json();
  const sealed = sealedFiles(() => {}, () => site);
  let best = null;
  for (const rec of await allTokens()) {
    for (const aud of rec.audiences || []) {
      if (!(aud.id in moved)) continue;
      const ix = await sealed.openIndex(aud, rec.publisher);
      if (ix.sequence < moved[aud.id]) continue;  // the host has not got this publish yet
      const entry = ix.pages.find((p) => p.id !== 'pinned');
      if (!entry) continue;
      // News and albums first (what the timeline shows), the newest of them; else any item.
      const rank = (it) => [it.kind === 'news' || it.kind === 'album' ? 1 : 0, it.date || ''];
      for (const it of (await sealed.openPage(aud, entry)).items) {
        if (typeof it.title !== 'string' || typeof it.path !== 'string') continue;
        const [a, b] = [rank(it), best ? best.rank : [-1, '']];
        if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) best = { title: it.title, path: it.path, rank: a, audience: aud.title };
      }
    }
  }
  return best;
}

self.addEventListener('push', (event) => {
  event.waitUntil((async () => {
    let msg = {};
    try { msg = event.data ? event.data.json() : {}; } catch (e) { /* not ours: the neutral line */ }
    const wanted = msg && msg.s && typeof msg.s === 'object' ? msg.s : {};
    // A staff device: new absence reports of its groups, a number only (the app opens them).
    const reports = Number.isSafeInteger(msg.r) && msg.r > 0 ? Math.min(msg.r, 99) : 0;
    // A parent's device: forms closing soon that the family has not answered, a number only.
    const forms = Number.isSafeInteger(msg.f) && msg.f > 0 ? Math.min(msg.f, 99) : 0;
    const seen = JSON.parse((await metaGet('push-seen')) || '{}');
    const moved = {};
    for (const [a, n] of Object.entries(wanted)) if (Number.isSafeInteger(n) && n > (seen[a] || 0)) moved[a] = n;
    // At least once: a repeat shows the last notification again under its tag (a push must show
    // something).
    const last = JSON.parse((await metaGet('push-last')) || 'null');
    if (Object.keys(wanted).length && !Object.keys(moved).length && last && !reports && !forms) {
      return self.registration.showNotification(last.title, { body: last.body, tag: 'ouderportaal', data: { url: last.url }, icon: ICON });
    }
    const t = await strings().catch(() => ({}));
    if (reports || forms) {
      if (reports) {
        await self.registration.showNotification((t['push.reports'] || '{n}').replace('{n}', String(reports)),
          { tag: 'ouderportaal-reports', data: { url: './#/reports' }, icon: ICON });
      }
      // A click opens the timeline, where the forms wait under "Te doen".
      if (forms) {
        await self.registration.showNotification((t[forms > 1 ? 'push.forms_more' : 'push.forms'] || '{n}').replace('{n}', String(forms)),
          { tag: 'ouderportaal-forms', data: { url: './#/' }, icon: ICON });
      }
      for (const c of await self.clients.matchAll({ type: 'window' })) c.postMessage({ type: 'push' });
      if (!Object.keys(moved).length) return;
    }
    let title = t['push.neutral'] || 'Nieuw bericht van school', url = './', body = '';
    try {
      const item = await newest(moved);
      if (item) {
        title = item.audience + ': ' + item.title;
        url = './#/item/' + item.path;
        const n = Number(msg.n) || 1;
        if (n > 1) body = (t['push.more'] || '{n}').replace('{n}', String(n));
      }
    } catch (e) { /* offline or not openable: the neutral line */ }
    await metaPut('push-seen', JSON.stringify({ ...seen, ...moved }));
    await metaPut('push-last', JSON.stringify({ title, body, url }));
    await self.registration.showNotification(title, { body, tag: 'ouderportaal', data: { url }, icon: ICON });
    if (self.navigator.setAppBadge) self.navigator.setAppBadge(Number(msg.n) || 1).catch(() => {});
    for (const c of await self.clients.matchAll({ type: 'window' })) c.postMessage({ type: 'push' });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || './', BASE).href;
  event.waitUntil((async () => {
    if (self.navigator.clearAppBadge) self.navigator.clearAppBadge().catch(() => {});
    for (const c of await self.clients.matchAll({ type: 'window' })) {
      if (c.url.startsWith(BASE)) {
        await c.focus().catch(() => {}); // may be refused; the item still opens
        return c.navigate(url);
      }
    }
    return self.clients.openWindow(url);
  })());
});

// The push service renewed (or dropped) the subscription: subscribe again and tell the receiver.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const mode = (await metaGet('push-mode')) || 'all';
    const records = await allTokens();
    const key = (records.find((r) => r.push) || {}).push;
    if (!key || mode === 'off') return;
    const sub = await self.registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
    });
    const site = await (await fetch(abs('site.json'), { cache: 'no-cache' })).json();
    await send(site, records, sub, mode);
    // Forget the dead endpoint now, not at a push service's 410.
    if (event.oldSubscription && event.oldSubscription.endpoint !== sub.endpoint) {
      await send(site, records, event.oldSubscription, 'off').catch(() => {});
    }
  })());
});
