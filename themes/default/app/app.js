// Ouderportaal app: unlock with a token, keep keys on this device, route between views.
import * as C from './crypto.js';
import * as S from './store.js';
import { t, chooseLanguage, loadLanguage, saveLanguage, currentLanguage, warmUp, todayKey, uiLanguages, LANGUAGE_NAMES } from './i18n.js';
import { h } from './dom.js';
import * as V from './views.js';
import * as G from './gallery.js';
import * as K from './calendar.js';
import * as F from './forms.js';
import * as R from './receiver.js';

// A token in the link (#token=...) leaves the address bar before anything else happens.
const linkToken = (() => {
  const m = location.hash.match(/^#token=([^&]*)/);
  if (!m) return null;
  history.replaceState(null, '', location.pathname + location.search + '#/');
  try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; }
})();

const state = {
  site: null, siteId: null,
  records: [],            // token records, as stored in IndexedDB
  audiences: new Map(),   // id -> {id, title, epoch, key, manifestPath, manifest, error}
  items: new Map(),       // logical path -> {item, aud}
  notices: new Set(),     // notice keys shown above the view
  urls: new Set(),        // object URLs of the current view
  cleanups: [],           // run when the current view is left (observers, dialogs)
  fresh: new Set(),       // paths of items that appeared since this device last opened the portal
  view: 0,                // view generation; late async results for an old view are dropped
  measuring: false,       // marks the render steps while an unlock is timed (window.__unlockMarks)
};
window.__portal = { state };
const utf8 = new TextDecoder('utf-8', { fatal: true });
const main = () => document.getElementById('main');

/** Why a sealed file did not arrive: 'network' (offline, 5xx), 'missing' (4xx) or 'sealed' (does not open). */
class LoadError extends Error {
  constructor(kind, msg) { super(msg); this.kind = kind; }
}

const SAFE_REL = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;
/** `fresh`: keyslots and manifests are revalidated; item and photo blobs may come from the cache
 * (the service worker keeps them for offline use and refreshes them in the background). */
async function fetchBytes(rel, fresh = true) {
  if (!SAFE_REL.test(rel) || rel.split('/').includes('..')) throw new LoadError('sealed', 'bad path ' + rel);
  let r;
  try { r = await fetch(rel, { cache: fresh ? 'no-cache' : 'default', credentials: 'same-origin' }); } catch (e) { throw new LoadError('network', e.message); }
  if (r.status >= 400 && r.status < 500) throw new LoadError('missing', String(r.status));
  if (!r.ok) throw new LoadError('network', String(r.status));
  if (r.headers.get('X-Portal-Offline')) state.notices.add('notice.offline');
  try { return new Uint8Array(await r.arrayBuffer()); } catch (e) { throw new LoadError('network', e.message); }
}

async function openBlob(aud, logicalPath, rel) {
  const bytes = await fetchBytes(rel, logicalPath === 'manifest');
  try { return await C.openEnvelope(aud.key, bytes, C.blobAD(aud.id, aud.epoch, logicalPath)); } catch (e) { throw new LoadError('sealed', e.message); }
}

/** Opens a keyslot with the KEK and imports every audience key as a non-extractable CryptoKey. */
async function recordFromKeyslot(tokenId, kek, bytes, added) {
  const slot = JSON.parse(utf8.decode(await C.openEnvelope(kek, bytes, C.keyslotAD(tokenId))));
  if (slot.v !== 1 || slot.token_id !== tokenId || !Array.isArray(slot.audiences)) throw new Error('keyslot header');
  if (typeof slot.expires === 'string' && slot.expires < todayKey()) throw new Error('token expired');
  const audiences = await Promise.all(slot.audiences.map(async (a) => ({
    id: String(a.id), title: String(a.title), epoch: Number(a.epoch), manifest: String(a.manifest),
    key: await C.importAudienceKey(C.fromB64(a.key)),
  })));
  // The request-signing key for the receiver, non-extractable like the others.
  const sign = typeof slot.signing_seed === 'string' ? await R.importSigningKey(C.fromB64(slot.signing_seed)) : null;
  return { token_id: tokenId, kek, sign, audiences, expires: slot.expires || null, family: slot.family ?? null, added };
}

/** Re-fetches each stored keyslot: new epochs and keys are picked up, revoked tokens dropped. */
async function refreshRecords(records) {
  const fresh = await Promise.all(records.map(async (rec) => {
    try {
      const next = await recordFromKeyslot(rec.token_id, rec.kek, await fetchBytes('k/' + rec.token_id), rec.added);
      next.registered = rec.registered || null;
      S.putToken(next).catch(() => {});
      return next;
    } catch (e) {
      if (e instanceof LoadError && e.kind === 'network') { state.notices.add('notice.offline'); return rec; }
      state.notices.add('notice.revoked');
      await S.deleteToken(rec.token_id).catch(() => {});
      return null;
    }
  }));
  return fresh.filter(Boolean).sort((a, b) => (a.added < b.added ? -1 : 1));
}

/** The registration week (docs/TOKENS.md): the first device that opens a code tells the receiver,
 * so the school knows the code reached the family. Tried on every start until it succeeds; a
 * receiver that cannot be reached is tried again next time and never blocks reading. */
async function registerDevices() {
  for (const rec of state.records) {
    if (rec.registered || !rec.sign) continue;
    try {
      const answer = await R.call(state.site, rec, 'POST', '/v1/registrations', {});
      rec.registered = answer.registered_at || new Date().toISOString();
      S.putToken(rec).catch(() => {});
    } catch (e) {
      if (e instanceof R.ApiError && e.code === 'registration_closed') {
        state.notices.add('notice.registration_closed');
        render();
      }
    }
  }
}

/** Loads the manifests of every audience of every stored token (newest epoch wins), in parallel. */
async function loadAudiences() {
  const want = new Map();
  for (const rec of state.records) {
    for (const a of rec.audiences) {
      const have = want.get(a.id);
      if (!have || a.epoch > have.epoch) want.set(a.id, a);
    }
  }
  const next = new Map();
  await Promise.all([...want.values()].map(async (a) => {
    const old = state.audiences.get(a.id);
    if (old && old.epoch === a.epoch && old.manifestPath === a.manifest && old.manifest) { next.set(a.id, old); return; }
    const aud = { id: a.id, title: a.title, epoch: a.epoch, key: a.key, manifestPath: a.manifest, manifest: null, error: null };
    try {
      const m = JSON.parse(utf8.decode(await openBlob(aud, 'manifest', a.manifest)));
      if (m.audience !== a.id || m.epoch !== a.epoch) throw new LoadError('sealed', 'manifest of another audience');
      aud.manifest = m;
      if (m.title) aud.title = m.title;
    } catch (e) {
      aud.error = e;
    }
    next.set(a.id, aud);
  }));
  // School first, then groups in keyslot order: the order of badges and of equal-date items.
  state.audiences = new Map([...next.entries()].sort((x, y) => (x[0] === 'school' ? -1 : y[0] === 'school' ? 1 : 0)));
  state.items = new Map();
  for (const aud of state.audiences.values()) {
    for (const item of (aud.manifest && aud.manifest.items) || []) {
      if (item && typeof item.path === 'string' && typeof item.title === 'string') state.items.set(item.path, { item, aud });
    }
  }
}

// ---- new since the last visit ----
// localStorage "seen" holds, per audience, short hashes of the item paths this device has listed
// (hashes, not paths: paths carry group and item names). An audience seen for the first time marks
// nothing; sessionStorage keeps this visit's marks across a reload.

const SEEN = 'seen-v1', FRESH = 'fresh-v1';
async function pathHash(p) {
  return C.hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(p)))).slice(0, 16);
}
function readJSON(storage, key) {
  try { return JSON.parse(storage.getItem(key) || 'null'); } catch (e) { return null; }
}
function writeJSON(storage, key, value) {
  try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage off or full */ }
}

async function markNew() {
  const before = readJSON(localStorage, SEEN) || {};
  const session = new Set(readJSON(sessionStorage, FRESH) || []);
  const now = {};
  const hashes = await Promise.all([...state.items.entries()].map(async ([path, { aud }]) => [path, aud.id, await pathHash(path)]));
  for (const [path, aud, hash] of hashes) {
    (now[aud] ||= []).push(hash);
    const known = Array.isArray(before[aud]) ? before[aud] : null;
    if ((known && !known.includes(hash)) || session.has(hash)) state.fresh.add(path);
  }
  // An audience that did not load this time (offline, error) keeps what was seen of it.
  for (const aud of state.audiences.values()) if (aud.error && Array.isArray(before[aud.id])) now[aud.id] = before[aud.id];
  writeJSON(localStorage, SEEN, now);
  await saveFresh();
}

async function saveFresh() {
  for (const p of state.fresh) if (!state.items.has(p)) state.fresh.delete(p);
  writeJSON(sessionStorage, FRESH, await Promise.all([...state.fresh].map(pathHash)));
  const n = state.fresh.size;
  try {
    if (n && navigator.setAppBadge) await navigator.setAppBadge(n);
    else if (!n && navigator.clearAppBadge) await navigator.clearAppBadge();
  } catch (e) { /* not installed, or not allowed */ }
}

/** Unlocks a token typed or linked. Returns null or an error key for the login form. */
async function unlock(text) {
  const p = await C.parseToken(text);
  if (!p.ok) return p.error;
  const { tokenId, kek } = await C.deriveTokenKeys(p.r, state.siteId);
  performance.mark('unlock:derived');
  if (state.records.some((r) => r.token_id === tokenId)) return null;
  let rec;
  try {
    rec = await recordFromKeyslot(tokenId, kek, await fetchBytes('k/' + tokenId), new Date().toISOString());
  } catch (e) {
    return e instanceof LoadError && e.kind === 'network' ? 'network' : 'unknown';
  }
  performance.mark('unlock:keyslot');
  rec.registered = null;
  state.records.push(rec);
  state.notices.delete('notice.revoked');
  await Promise.all([loadAudiences().then(() => performance.mark('unlock:manifests')).then(markNew),
    S.putToken(rec).catch(() => {}).then(() => performance.mark('unlock:saved'))]);
  return null;
}

async function submitToken(text) {
  const t0 = performance.now();
  performance.clearMarks();
  let err;
  try { err = await unlock(text); } catch (e) { console.error(e); err = 'failed'; }
  if (err) return err;
  if (location.hash !== '#/') history.replaceState(null, '', location.pathname + location.search + '#/');
  performance.mark('unlock:render');
  state.measuring = true;
  render();
  state.measuring = false;
  window.__unlockMs = performance.now() - t0;
  window.__unlockMarks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime - t0)]));
  performance.measure('unlock', { start: t0 });
  registerDevices();
  return null;
}

// ---- media and items for the views ----

/** A media entry by logical path (or a variant's path); `small` prefers the thumbnail variant. */
function findMedia(aud, path, small) {
  const media = (aud.manifest && aud.manifest.media) || {};
  const ok = (x) => x && typeof x.blob === 'string';
  const m = Object.prototype.hasOwnProperty.call(media, path) ? media[path] : null;
  if (ok(m)) {
    if (small && m.thumb && ok(m.thumb) && typeof m.thumb.path === 'string') return { ...m.thumb };
    return { path, blob: m.blob, type: m.type, width: m.width, height: m.height };
  }
  for (const v of Object.values(media)) {
    if (v && v.thumb && v.thumb.path === path && ok(v.thumb)) return { ...v.thumb };
  }
  return null;
}

function env() {
  const gen = state.view;
  return {
    current: () => gen === state.view,
    openItem: async (aud, item) => {
      if (typeof item.blob !== 'string') throw new LoadError('sealed', 'no blob');
      return utf8.decode(await openBlob(aud, item.path, item.blob));
    },
    loadMedia: (aud, mediaPath, img, { thumb = false, quiet = false } = {}) => {
      const m = findMedia(aud, mediaPath, thumb);
      img.classList.add('media-loading');
      const fail = () => {
        img.classList.remove('media-loading');
        if (quiet) { img.remove(); return; }
        img.replaceWith(h('span', { class: 'media-error', role: 'img', 'aria-label': t('media.error') }, t('media.error')));
      };
      if (!m) { fail(); return; }
      if (m.width && m.height && !img.hasAttribute('width')) { img.setAttribute('width', m.width); img.setAttribute('height', m.height); }
      openBlob(aud, m.path, m.blob).then((bytes) => {
        if (gen !== state.view) return;
        const url = URL.createObjectURL(new Blob([bytes], { type: m.type || 'application/octet-stream' }));
        state.urls.add(url);
        img.src = url;
        img.classList.remove('media-loading');
      }, () => { if (gen === state.view) fail(); });
    },
    mediaInfo: (aud, path, thumb) => findMedia(aud, path, thumb),
    /** Decrypted bytes of a media entry (the thumbnail variant when thumb is set). */
    openMedia: async (aud, path, { thumb = false } = {}) => {
      const m = findMedia(aud, path, thumb);
      if (!m) throw new LoadError('missing', 'no media ' + path);
      return { bytes: await openBlob(aud, m.path, m.blob), type: m.type || 'application/octet-stream', width: m.width, height: m.height };
    },
    objectUrl: (blob) => { const u = URL.createObjectURL(blob); state.urls.add(u); return u; },
    revoke: (u) => { URL.revokeObjectURL(u); state.urls.delete(u); },
    /** An opened item is no longer new. */
    seen: (path) => { if (state.fresh.delete(path)) saveFresh().catch(() => {}); },
    onLeave: (fn) => { if (gen === state.view) state.cleanups.push(fn); },
    forget,
    removeToken,
    setLanguage,
    lang: currentLanguage,
    submit: submitToken,
    parse: C.parseToken,
    normalize: C.normalizeToken,
    group: C.groupToken,
    afterRender: (fn) => queueMicrotask(fn),
  };
}

async function forget() {
  state.records = []; state.audiences = new Map(); state.items = new Map(); state.notices.clear(); state.fresh.clear();
  try { localStorage.removeItem(SEEN); localStorage.removeItem(F.NAMES); sessionStorage.removeItem(FRESH); } catch (e) { /* storage off */ }
  saveFresh().catch(() => {});
  await S.wipe();
  // The service worker's copies are ciphertext, but which files this device saw is nobody's business.
  try { if (self.caches) await caches.delete('ouderportaal-data-v1'); } catch (e) { /* no cache storage */ }
  try { sessionStorage.clear(); } catch (e) { /* storage off */ }
  history.replaceState(null, '', location.pathname + location.search + '#/');
  render();
}

async function removeToken(tokenId) {
  state.records = state.records.filter((r) => r.token_id !== tokenId);
  await S.deleteToken(tokenId).catch(() => {});
  if (!state.records.length) { await forget(); return; }
  await loadAudiences();
  await markNew();
  render();
}

async function setLanguage(l) {
  await loadLanguage(l);
  saveLanguage(l);
  render();
}

// ---- shell and routing ----

function renderHeader(loggedIn, route) {
  const langs = uiLanguages(state.site && state.site.languages);
  const fresh = V.freshCounts(state);
  const navLink = (href, key, name) => h('a', { href, 'aria-current': route === name ? 'page' : null, 'data-nav': name }, t(key),
    fresh[name] ? [' ', h('span', { class: 'new-count', 'data-testid': 'new-count' }, h('span', { class: 'sr' }, '('),
      fresh[name], h('span', { class: 'sr' }, ' ' + t('new.label') + ')'))] : null);
  const header = document.getElementById('top');
  header.replaceChildren(...[
    h('div', { class: 'bar' },
      h('a', { class: 'brand', href: '#/' }, h('img', { src: 'icon.svg', alt: '', width: '28', height: '28' }),
        h('span', null, state.site ? state.site.name : t('app.title'))),
      h('div', { class: 'tools' }, langs.length > 1 ? h('select', { class: 'lang', 'data-testid': 'lang-switch', 'aria-label': t('lang.label'),
        onchange: (ev) => setLanguage(ev.target.value) }, langs.map((l) =>
        h('option', { value: l, lang: l, selected: l === currentLanguage() }, LANGUAGE_NAMES[l]))) : null,
      // Settings sit in the bar as an icon: the menu keeps room for five words on a phone.
      loggedIn ? h('a', { class: 'settings-link', href: '#/settings', 'data-nav': 'settings', title: t('nav.settings'),
        'aria-current': route === 'settings' ? 'page' : null }, h('span', { class: 'sr' }, t('nav.settings'))) : null)),
    loggedIn ? h('nav', { 'aria-label': t('nav.label') },
      navLink('#/', 'nav.timeline', 'timeline'), navLink('#/calendar', 'nav.calendar', 'calendar'),
      navLink('#/albums', 'nav.albums', 'albums'),
      navLink('#/info', 'nav.info', 'info'), navLink('#/absence', 'nav.absence', 'absence')) : null].filter(Boolean));
  document.title = state.site ? `${state.site.name} · ${t('app.title')}` : t('app.title');
}

function notices() {
  const list = [...state.notices];
  for (const aud of state.audiences.values()) {
    if (aud.error) list.push(['notice.audience_error', { title: V.audienceLabel(aud) }]);
  }
  if (!list.length) return null;
  return h('div', { class: 'notices' }, list.map((n) => {
    const [key, vars] = Array.isArray(n) ? n : [n];
    return h('div', { class: 'notice', role: 'status', 'data-testid': key },
      h('p', null, t(key, vars)),
      typeof n === 'string' ? h('button', { type: 'button', class: 'link', onclick: () => { state.notices.delete(n); render(); } }, t('notice.dismiss')) : null);
  }));
}

let lastRoute = null;
function render() {
  for (const fn of state.cleanups.splice(0)) { try { fn(); } catch (e) { console.error(e); } }
  for (const u of state.urls) URL.revokeObjectURL(u);
  state.urls.clear();
  state.view++;
  const hash = location.hash || '#/';
  const loggedIn = state.records.length > 0;
  let route, node;
  const e = env();
  if (!loggedIn) { route = 'login'; node = V.loginView(state, e, false); }
  else if (hash.startsWith('#/item/')) {
    route = 'item';
    let path = hash.slice('#/item/'.length);
    try { path = decodeURIComponent(path); } catch (err) { /* keep raw */ }
    node = V.itemView(state, path, e);
  } else if (hash.startsWith('#/book/')) {
    route = 'book';
    let path = hash.slice('#/book/'.length);
    try { path = decodeURIComponent(path); } catch (err) { /* keep raw */ }
    node = F.bookingView(state, path, e);
  } else if (hash === '#/absence') { route = 'absence'; node = F.absenceView(state, e); }
  else if (hash === '#/calendar') { route = 'calendar'; node = K.calendarView(state, e); }
  else if (hash === '#/albums') { route = 'albums'; node = G.albumsView(state, e); }
  else if (hash === '#/info') { route = 'info'; node = V.infoView(state, e); }
  else if (hash === '#/settings') { route = 'settings'; node = V.settingsView(state, e); }
  else if (hash === '#/add') { route = 'add'; node = V.loginView(state, e, true); }
  else { route = 'timeline'; node = V.timelineView(state, e); }
  if (state.measuring) performance.mark('render:built');
  renderHeader(loggedIn, route);
  main().replaceChildren(...[notices(), route === 'timeline' ? installHint() : null, node].filter(Boolean));
  main().setAttribute('data-route', route);
  if (state.measuring) performance.mark('render:inserted');
  // Move focus to the new view's heading on navigation, so screen readers announce it.
  if (lastRoute !== null && lastRoute !== route + hash && route !== 'login' && route !== 'add') {
    const hd = node.querySelector('.view-title');
    if (hd) hd.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }
  lastRoute = route + hash;
}

let inAppNavigations = 0;
window.addEventListener('hashchange', () => {
  if (/^#token=/.test(location.hash)) { location.reload(); return; }
  inAppNavigations++;
  render();
});

document.addEventListener('click', (ev) => {
  const el = ev.target instanceof Element ? ev.target : null;
  if (!el) return;
  // "Back" returns to where the parent came from (timeline, calendar, info) when that was in the app.
  if (el.closest('a[data-back]') && inAppNavigations > 0) { ev.preventDefault(); history.back(); }
  if (el.closest('a.skip')) { ev.preventDefault(); main().focus(); }
});

async function start() {
  try {
    const [site, records] = await Promise.all([
      fetch('site.json', { cache: 'no-cache' }).then((r) => { if (!r.ok) throw new Error('site.json ' + r.status); return r.json(); }),
      S.allTokens().catch(() => []),
    ]);
    if (site.format !== 1) throw new Error('unsupported site format');
    state.site = site;
    state.siteId = C.fromHex(site.site_id);
    await loadLanguage(chooseLanguage(uiLanguages(site.languages)));
    if (state.records.length) warmUp();
    state.records = records.length ? await refreshRecords(records) : [];
    if (state.records.length) { await loadAudiences(); await markNew(); pruneCache(); }
  } catch (e) {
    console.error(e);
    main().replaceChildren(h('p', { class: 'error', role: 'alert' },
      'Het portaal kon niet worden geladen. / The portal could not be loaded.'));
    return;
  }
  if (linkToken) {
    const err = await submitToken(linkToken);
    if (err) {
      render();
      const msg = document.getElementById('token-msg');
      if (msg) msg.textContent = t('login.' + err);
    }
  } else {
    render();
  }
  document.documentElement.setAttribute('data-ready', '');
  if (state.records.length) registerDevices();
  if (!state.records.length) setTimeout(warmUp, 0);
}

// ---- service worker: offline use and the update flow ----

/** After a complete online load, the worker drops cached sealed files that no manifest or token
 * refers to any more (old epochs after a re-key, removed items): the cache does not grow forever. */
function pruneCache() {
  const sw = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!sw || state.notices.has('notice.offline') || [...state.audiences.values()].some((a) => a.error || !a.manifest)) return;
  const keep = new Set(state.records.map((r) => 'k/' + r.token_id));
  for (const aud of state.audiences.values()) {
    keep.add(aud.manifestPath);
    for (const it of aud.manifest.items || []) if (it && typeof it.blob === 'string') keep.add(it.blob);
    for (const m of Object.values(aud.manifest.media || {})) {
      if (m && typeof m.blob === 'string') keep.add(m.blob);
      if (m && m.thumb && typeof m.thumb.blob === 'string') keep.add(m.thumb.blob);
    }
  }
  sw.postMessage({ type: 'prune', keep: [...keep] });
}

function offerUpdate(apply) {
  if (document.getElementById('update')) return;
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'update-reload' }, t('update.reload'));
  const bar = h('div', { id: 'update', class: 'update', role: 'status', 'data-testid': 'update' },
    h('p', null, t('update.available')), button);
  button.addEventListener('click', () => { button.disabled = true; apply(); });
  document.body.append(bar);
}

function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  let updating = false;
  sw.addEventListener('controllerchange', () => { if (updating) location.reload(); });
  sw.addEventListener('message', (e) => {
    const m = e.data || {};
    if (m.type === 'check' && m.update) offerUpdate(() => { updating = true; sw.controller.postMessage({ type: 'use-latest' }); });
    if (m.type === 'ready' && updating) location.reload();
  });
  sw.register('sw.js', { scope: './', updateViaCache: 'none' }).then((reg) => {
    if (!reg) return;  // service workers blocked (some privacy settings, test browsers)
    // A new sw.js waits until the parent agrees; then it takes over and the page reloads.
    const waiting = (w) => offerUpdate(() => { updating = true; w.postMessage({ type: 'skip-waiting' }); });
    if (reg.waiting && sw.controller) waiting(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      if (w) w.addEventListener('statechange', () => { if (w.state === 'installed' && sw.controller) waiting(w); });
    });
    // The same sw.js with changed shell files: the worker compares and answers with a 'check' message.
    if (sw.controller) sw.controller.postMessage({ type: 'check' });
  }, (e) => console.warn('service worker', e));
}

// Install hint: Chromium-based browsers offer installation through this event; shown on the
// timeline until the parent installs or says "not now" (remembered on this device).
let installPrompt = null;
window.addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  let declined = false;
  try { declined = localStorage.getItem('install-hint') === 'no'; } catch (err) { /* storage off */ }
  if (declined) return;
  installPrompt = e;
  if (document.documentElement.hasAttribute('data-ready')) render();
});
window.addEventListener('appinstalled', () => { installPrompt = null; render(); });

function installHint() {
  if (!installPrompt || !state.records.length) return null;
  const later = () => {
    installPrompt = null;
    try { localStorage.setItem('install-hint', 'no'); } catch (e) { /* storage off */ }
    render();
  };
  return h('div', { class: 'notice install', role: 'region', 'aria-label': t('install.button'), 'data-testid': 'install-hint' },
    h('p', null, t('install.text')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: async () => {
        const p = installPrompt;
        installPrompt = null;
        try { await p.prompt(); } catch (e) { /* dismissed */ }
        render();
      } }, t('install.button')),
      h('button', { type: 'button', class: 'link', 'data-testid': 'install-later', onclick: later }, t('install.later'))));
}

start().then(registerWorker);
