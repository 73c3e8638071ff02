// The session on this device: tokens, keyslots, audience keys, indexes and their pages, and what is
// new. Views read `session.state`; subscribers (the shell) render again after every change.
import * as C from './crypto.js';
import * as S from './store.js';
import * as R from './receiver.js';
import { chooseLanguage, loadLanguage, saveLanguage, uiLanguages, todayKey } from './i18n.js';
import { LoadError, sealedFiles, findMedia, referencedFiles, featuresOff, SEQ } from './sealed.js';
import { markNew, saveFresh, SEEN, FRESH } from './fresh.js';
import { NAMES, BOOKED, POSTS } from './forms.js';
import { send, tellWorker } from './notify.js';

// The school's contact as last seen (public, from site.json), for when nothing else loads.
export const CONTACT = 'contact-v1';

// The first screen takes each audience's pages until they hold this many items (FORMAT.md "Index").
const FIRST = 25;

export function createSession() {
  const state = {
    site: null, siteId: null,
    records: [],            // token records, as stored in IndexedDB
    // id -> {id, title, epoch, key, indexPath, index, pages (blob -> page), next (pages loaded, in
    // index order), first (pages of the first screen), manifest ({items, media} of those), error}
    audiences: new Map(),
    items: new Map(),       // logical path -> {item, aud, page (its page id), early (on the first screen)}
    horizon: '',            // the timeline is complete for page ids above this (older pages not loaded)
    notices: new Set(),     // notice keys shown above the view
    fresh: new Set(),       // paths of items that appeared since this device last opened the portal
    // form id -> the receiver's {id, deadline, open, shifts, answers} (RECEIVER.md "Forms"), with
    // `token`: the parent code it was asked with
    forms: new Map(),
  };
  const sealed = sealedFiles(() => state.notices.add('notice.offline'), () => state.site || {});
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

  /** Opens the index of every audience of every stored token (newest epoch wins) and its first
   * pages, in parallel. A record from format 1 (no publisher) waits for its keyslot to be refreshed. */
  async function loadAudiences() {
    const want = new Map();
    for (const rec of state.records) {
      for (const a of rec.publisher ? rec.audiences : []) {
        const have = want.get(a.id);
        if (!have || a.epoch > have.a.epoch) want.set(a.id, { a, pub: rec.publisher });
      }
    }
    const next = new Map();
    state.notices.delete('notice.rollback');  // said again below while an index is still older
    await Promise.all([...want.values()].map(async ({ a, pub }) => next.set(a.id, await openAudience(a, pub, state.audiences.get(a.id)))));
    // School first, then groups in keyslot order: the order of badges and of equal-date items.
    state.audiences = new Map([...next.entries()].sort((x, y) => (x[0] === 'school' ? -1 : y[0] === 'school' ? 1 : 0)));
    merge();
  }

  async function openAudience(a, pub, old) {
    const aud = { id: a.id, title: a.title, epoch: a.epoch, key: a.key, indexPath: a.index, index: null, pages: new Map(),
      next: 0, first: 0, manifest: { items: [], media: {} }, error: null };
    const same = old && old.index && old.epoch === a.epoch && old.indexPath === a.index ? old : null;
    try {
      aud.index = await sealed.openIndex(a, pub);
    } catch (e) {
      // A replayed older index: keep what this visit showed (if anything) and say so.
      if (e.reason === 'rollback') { state.notices.add('notice.rollback'); return same || aud; }
      if (same && e.kind !== 'sealed') return same;  // offline or refused: what was shown stays
      aud.error = e;
      return aud;
    }
    if (same && same.index.sequence === aud.index.sequence) return same;
    if (typeof aud.index.title === 'string') aud.title = aud.index.title;
    // The first screen: `pinned`, later months (the calendar's coming events), and this month and
    // older ones until their counts reach FIRST items.
    await loadPages(aud, aud.first = span(aud, (p, n) => p.id > todayKey() || n < FIRST), same);
    return aud;
  }

  /** How many pages an audience has once those after the loaded ones pass `keep(page, items up
   * to this month before it, is it the first)` (pages are newest first: `pinned`, then months). */
  function span(aud, keep) {
    const pages = aud.index.pages, today = todayKey();
    let k = aud.next;
    for (let n = 0; k < pages.length && keep(pages[k], n, k === aud.next); k++) if (pages[k].id < today) n += Number(pages[k].count) || 0;
    return k;
  }

  /** Loads pages [aud.next, upto) of an audience (in parallel; `old`'s copies are reused: a page
   * never changes under its name). A page refused by a check closes the whole audience. */
  async function loadPages(aud, upto, old = aud) {
    const list = aud.index.pages.slice(aud.next, upto);
    const got = await Promise.all(list.map((p) => (old && old.pages.get(p.blob)) || sealed.openPage(aud, p).catch((e) => e)));
    for (const [i, page] of got.entries()) {
      if (page instanceof Error) {
        // Offline (or refused): say so; "Oudere berichten" stays, to try again.
        if (page.kind === 'sealed') { aud.error = page; aud.pages.clear(); aud.next = 0; } else { aud.stalled = true; state.notices.add('notice.offline'); }
        break;
      }
      aud.pages.set(list[i].blob, page);
      aud.next++;
    }
    const m = aud.manifest = { items: [], media: {} };
    for (const p of loaded(aud)) { m.items.push(...p.items); Object.assign(m.media, p.media); }
  }

  /** The items of every loaded page, by path; and how far back the timeline is complete. */
  function merge() {
    state.items = new Map();
    state.horizon = '';
    for (const aud of state.audiences.values()) {
      if (aud.error || !aud.index) continue;
      for (const [i, p] of loaded(aud).entries()) {
        for (const item of p.items) {
          if (item && typeof item.path === 'string' && typeof item.title === 'string') state.items.set(item.path, { item, aud, page: p.id, early: i < aud.first });
        }
      }
      if (more(aud) && aud.index.pages[aud.next].id > state.horizon) state.horizon = aud.index.pages[aud.next].id;
    }
  }
  /** The loaded pages of an audience, in index order, with their ids. */
  const loaded = (aud) => aud.index.pages.slice(0, aud.next).map((p) => ({ id: p.id, ...aud.pages.get(p.blob) }));
  const more = (aud) => !aud.error && !aud.stalled && aud.index && aud.next < aud.index.pages.length;

  // Loads run one after the other: a view may ask while another load is under way.
  let queue = Promise.resolve(), finding = null;
  /** Extends every audience that has more by the pages `keep` takes (see span), then merges. */
  function extend(keep) {
    queue = queue.catch(() => {}).then(async () => {
      await Promise.all([...state.audiences.values()].filter(more).map((aud) => loadPages(aud, span(aud, keep))));
      merge();
    });
    return queue;
  }
  /** FIRST more items of every audience that has more (at least one page). */
  const loadOlder = () => extend((p, n, first) => first || n < FIRST);

  // The receiver's forms: asked at most every 30 s unless forced, one request at a time; `quiet`
  // of every caller waiting for it (any loud one renders).
  let formsAt = 0, formsLoading = null, formsQuiet = [];

  // What a refresh compares: each audience's epoch and sequence, the tokens and the notices.
  const look = () => [...state.audiences.values()].map((a) => a.id + a.epoch + (a.index && a.index.sequence)).join() + state.records.length + [...state.notices];
  let lastLook = 0, looking = false;

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
    await Promise.all([loadAudiences().then(() => performance.mark('unlock:indexes')).then(() => markNew(state)),
      S.putToken(rec).catch(() => {}).then(() => performance.mark('unlock:saved'))]);
    // Ask the browser to keep the keys: Safari drops a site's storage after weeks without a visit
    // unless it is persisted (or the app is on the home screen). Refused or absent: nothing changes.
    try { if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {}); } catch (e) { /* not offered */ }
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
      if (site.format !== 2) throw new Error('unsupported site format');
      state.site = site;
      state.siteId = C.fromHex(site.site_id);
      try { localStorage.setItem(CONTACT, JSON.stringify(site.contact || null)); } catch (e) { /* storage off */ }
      await loadLanguage(chooseLanguage(uiLanguages(site.languages)));
      state.records = records.length ? await refreshRecords(records) : [];
      if (state.records.length) { await loadAudiences(); await markNew(state); }
      lastLook = Date.now();
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
      // This device's notifications end with it (best effort: offline, the receiver forgets it
      // at the push service's 410 or at revocation).
      try {
        const reg = 'serviceWorker' in navigator && await navigator.serviceWorker.getRegistration();
        const sub = reg && reg.pushManager && await reg.pushManager.getSubscription();
        if (sub) { await send(state.site, state.records, sub, 'off').catch(() => {}); await sub.unsubscribe(); }
      } catch (e) { /* no push here */ }
      state.records = []; state.audiences = new Map(); state.items = new Map(); state.forms = new Map(); state.notices.clear(); state.fresh.clear();
      try { for (const k of [SEEN, NAMES, SEQ, POSTS, CONTACT, BOOKED]) localStorage.removeItem(k); sessionStorage.removeItem(FRESH); } catch (e) { /* storage off */ }
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
      tellWorker();
      changed();
    },

    dismiss(notice) { state.notices.delete(notice); changed(); },
    say(notice) { state.notices.add(notice); changed(); },

    /** Looks for new keys and items (the app is back in front: at most once a minute; the network
     * is back: now) and renders only if something moved, so a parent reading is not disturbed. */
    async refresh(now) {
      if (!state.records.length || looking || (!now && Date.now() - lastLook < 60000)) return;
      looking = true;
      lastLook = Date.now();
      const before = look();
      try {
        state.records = await refreshRecords(state.records);
        await loadAudiences();
        await markNew(state);
      } finally { looking = false; }
      if (look() !== before) changed();
    },

    /** Asks the receiver for the forms of every parent code here (deadlines, places, the family's
     * own answers) into `state.forms`; resolves to the refusal or null. Renders when they changed,
     * unless `quiet`: true (the form page draws itself, and must not lose what the parent typed),
     * or a function that says so when the answer comes (the timeline: once the parent has moved on
     * to another page, drawing that one again would lose what they typed there). A call while one
     * is under way waits for that one. */
    forms(force, quiet) {
      if (formsLoading) { formsQuiet.push(quiet); return formsLoading; }
      if (!force && Date.now() - formsAt < 30000) return Promise.resolve(null);
      if (featuresOff(state.records).has('forms')) return Promise.resolve(null);  // the receiver says feature_off
      formsAt = Date.now();
      formsQuiet = [quiet];
      return formsLoading = (async () => {
        const next = new Map();
        let failed = null;
        for (const rec of state.records.filter((r) => r.sign && !r.staff && r.familyKey)) {
          try {
            const answer = await R.call(state.site, rec, 'GET', '/v1/forms');
            for (const f of Array.isArray(answer.forms) ? answer.forms : []) {
              if (f && typeof f.id === 'string' && !next.has(f.id)) next.set(f.id, { ...f, token: rec.token_id });
            }
          } catch (e) { failed = e; }
        }
        if (failed && !next.size) return failed;
        const before = JSON.stringify([...state.forms]);
        state.forms = next;
        const loud = formsQuiet.some((q) => !(typeof q === 'function' ? q() : q));
        if (loud && JSON.stringify([...next]) !== before) changed();
        return failed;
      })().finally(() => { formsLoading = null; });
    },

    /** An opened item is no longer new. */
    seen(path) { if (state.fresh.delete(path)) saveFresh(state).catch(() => {}); },

    openItem: sealed.openItem,
    openMedia: sealed.openMedia,
    mediaInfo: findMedia,

    /** True while some audience has older pages to load ("Oudere berichten"), or failed to. */
    hasMore: () => [...state.audiences.values()].some((a) => more(a) || a.stalled),
    /** Loads older pages of every audience (trying again those that failed), then renders. */
    older: () => {
      for (const a of state.audiences.values()) a.stalled = false;
      return loadOlder().then(changed);
    },
    /** True while some audience has pages of `month` (YYYY-MM) or newer to load. */
    lacks: (month) => [...state.audiences.values()].some((a) => more(a) && a.index.pages[a.next].id >= month),
    /** Loads every page of `month` and newer; resolves when they are in state.items. */
    loadMonth: (month) => extend((p) => p.id >= month),
    /** An item not loaded yet (an old link): older pages until it is found or none are left. */
    async find(path) {
      if (finding === path) return;
      finding = path;
      while (!state.items.has(path) && [...state.audiences.values()].some(more)) await loadOlder();
      finding = null;
      changed();
    },

    /** Null unless every index opened online: only then may the offline copy be pruned. */
    referencedFiles() {
      if (state.notices.has('notice.offline') || state.notices.has('notice.rollback')
        || [...state.audiences.values()].some((a) => a.error || !a.index)) return null;
      return referencedFiles(state.records, state.audiences.values());
    },
  };
  return session;
}
