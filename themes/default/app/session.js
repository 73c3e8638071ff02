// The session on this device: tokens, keyslots, audience keys, manifests and what is new. Views
// read `session.state`; subscribers (the shell) render again after every change.
import * as C from './crypto.js';
import * as S from './store.js';
import * as R from './receiver.js';
import { chooseLanguage, loadLanguage, saveLanguage, uiLanguages } from './i18n.js';
import { LoadError, sealedFiles, findMedia, referencedFiles } from './sealed.js';
import { markNew, saveFresh, SEEN, FRESH } from './fresh.js';
import { NAMES } from './forms.js';

export function createSession() {
  const state = {
    site: null, siteId: null,
    records: [],            // token records, as stored in IndexedDB
    audiences: new Map(),   // id -> {id, title, epoch, key, manifestPath, manifest, error}
    items: new Map(),       // logical path -> {item, aud}
    notices: new Set(),     // notice keys shown above the view
    fresh: new Set(),       // paths of items that appeared since this device last opened the portal
  };
  const sealed = sealedFiles(() => state.notices.add('notice.offline'), () => state.site && state.site.keyslot_size);
  const listeners = [];
  const changed = () => { for (const fn of listeners) fn(); };

  /** Re-fetches each stored keyslot: new epochs and keys are picked up. Only the answer that
   * means "this token is gone" (404 or 410, or a keyslot past its expiry; docs/FORMAT.md "Files")
   * removes a token. Anything else (offline, a CDN's 403 or 429, a keyslot that does not open)
   * keeps it with the keys it had, says so, and is tried again with backoff: a host or a proxy
   * cannot log a family out by answering oddly once. */
  async function refreshRecords(records) {
    let retry = false;
    const fresh = await Promise.all(records.map(async (rec) => {
      try {
        const next = await sealed.openKeyslot(rec.token_id, rec.kek, rec.added);
        next.registered = rec.registered || null;
        S.putToken(next).catch(() => {});
        return next;
      } catch (e) {
        if (e instanceof LoadError && e.kind === 'gone') {
          state.notices.add('notice.revoked');
          await S.deleteToken(rec.token_id).catch(() => {});
          return null;
        }
        if (e instanceof LoadError && e.kind === 'network') state.notices.add('notice.offline');
        else { state.notices.add('notice.retrying'); retry = true; }
        return rec;
      }
    }));
    if (retry) retryLater(); else { retryDelay = 0; state.notices.delete('notice.retrying'); }
    return fresh.filter(Boolean).sort((a, b) => (a.added < b.added ? -1 : 1));
  }

  // Backoff for keyslots the host refused: 5 s, 10 s, 20 s ... at most 5 minutes apart.
  let retryDelay = 0;
  let retryTimer = null;
  function retryLater() {
    if (retryTimer) return;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 5000, 300000);
    retryTimer = setTimeout(async () => {
      retryTimer = null;
      if (!state.records.length) return;
      state.records = await refreshRecords(state.records);
      await loadAudiences();
      changed();
    }, retryDelay);
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
      next.set(a.id, old && old.epoch === a.epoch && old.manifestPath === a.manifest && old.manifest ? old : await sealed.openAudience(a));
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

  /** Unlocks a token typed or linked. Returns null or an error key for the login form. */
  async function unlock(text) {
    const p = await C.parseToken(text);
    if (!p.ok) return p.error;
    const { tokenId, kek } = await C.deriveTokenKeys(p.r, state.siteId);
    performance.mark('unlock:derived');
    if (state.records.some((r) => r.token_id === tokenId)) return null;
    let rec;
    try {
      rec = await sealed.openKeyslot(tokenId, kek, new Date().toISOString());
    } catch (e) {
      // A refusal that is not "gone" (a 429, a CDN's 403) says: try again, not: unknown code.
      return e instanceof LoadError && (e.kind === 'network' || e.kind === 'refused') ? 'network' : 'unknown';
    }
    performance.mark('unlock:keyslot');
    rec.registered = null;
    state.records.push(rec);
    state.notices.delete('notice.revoked');
    await Promise.all([loadAudiences().then(() => performance.mark('unlock:manifests')).then(() => markNew(state)),
      S.putToken(rec).catch(() => {}).then(() => performance.mark('unlock:saved'))]);
    return null;
  }

  const session = {
    state,
    /** True while the render after an unlock is timed (its steps become window.__unlockMarks). */
    measuring: false,

    subscribe(fn) { listeners.push(fn); },

    async start() {
      const [site, records] = await Promise.all([
        fetch('site.json', { cache: 'no-cache' }).then((r) => { if (!r.ok) throw new Error('site.json ' + r.status); return r.json(); }),
        S.allTokens().catch(() => []),
      ]);
      if (site.format !== 1) throw new Error('unsupported site format');
      state.site = site;
      state.siteId = C.fromHex(site.site_id);
      await loadLanguage(chooseLanguage(uiLanguages(site.languages)));
      state.records = records.length ? await refreshRecords(records) : [];
      if (state.records.length) { await loadAudiences(); await markNew(state); }
    },

    /** Unlock, then show the timeline (timed). Returns null or an error key for the login form. */
    async submit(text) {
      const t0 = performance.now();
      performance.clearMarks();
      let err;
      try { err = await unlock(text); } catch (e) { console.error(e); err = 'failed'; }
      if (err) return err;
      if (location.hash !== '#/') history.replaceState(null, '', location.pathname + location.search + '#/');
      performance.mark('unlock:render');
      session.measuring = true;
      changed();
      session.measuring = false;
      window.__unlockMs = performance.now() - t0;
      window.__unlockMarks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime - t0)]));
      performance.measure('unlock', { start: t0 });
      session.registerDevices();
      return null;
    },

    /** The registration week (docs/TOKENS.md): the first device that opens a code tells the receiver,
     * so the school knows the code reached the family. Tried on every start until it succeeds; a
     * receiver that cannot be reached is tried again next time and never blocks reading. */
    async registerDevices() {
      for (const rec of state.records) {
        if (rec.registered || !rec.sign) continue;
        try {
          const answer = await R.call(state.site, rec, 'POST', '/v1/registrations', {});
          rec.registered = answer.registered_at || new Date().toISOString();
          S.putToken(rec).catch(() => {});
        } catch (e) {
          if (e instanceof R.ApiError && e.code === 'registration_closed') {
            state.notices.add('notice.registration_closed');
            changed();
          }
        }
      }
    },

    async forget() {
      state.records = []; state.audiences = new Map(); state.items = new Map(); state.notices.clear(); state.fresh.clear();
      try { localStorage.removeItem(SEEN); localStorage.removeItem(NAMES); sessionStorage.removeItem(FRESH); } catch (e) { /* storage off */ }
      saveFresh(state).catch(() => {});
      await S.wipe();
      // The service worker's copies are ciphertext, but which files this device saw is nobody's business.
      try { if (self.caches) await caches.delete('ouderportaal-data-v1'); } catch (e) { /* no cache storage */ }
      try { sessionStorage.clear(); } catch (e) { /* storage off */ }
      history.replaceState(null, '', location.pathname + location.search + '#/');
      changed();
    },

    async removeToken(tokenId) {
      state.records = state.records.filter((r) => r.token_id !== tokenId);
      await S.deleteToken(tokenId).catch(() => {});
      if (!state.records.length) { await session.forget(); return; }
      await loadAudiences();
      await markNew(state);
      changed();
    },

    async setLanguage(l) {
      await loadLanguage(l);
      saveLanguage(l);
      changed();
    },

    dismiss(notice) { state.notices.delete(notice); changed(); },

    /** An opened item is no longer new. */
    seen(path) { if (state.fresh.delete(path)) saveFresh(state).catch(() => {}); },

    openItem: sealed.openItem,
    openMedia: sealed.openMedia,
    mediaInfo: findMedia,

    /** Null unless every manifest opened online: only then may the offline copy be pruned. */
    referencedFiles() {
      if (state.notices.has('notice.offline') || [...state.audiences.values()].some((a) => a.error || !a.manifest)) return null;
      return referencedFiles(state.records, state.audiences.values());
    },
  };
  return session;
}
