// New since the last visit. localStorage "seen" holds, per audience, short hashes of the item paths
// this device has listed (hashes, not paths: paths carry group and item names). An audience seen for
// the first time marks nothing; sessionStorage keeps this visit's marks across a reload.
import { hex } from './crypto.js';

export const SEEN = 'seen-v1', FRESH = 'fresh-v1';

async function pathHash(p) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(p)))).slice(0, 16);
}
function readJSON(storage, key) {
  try { return JSON.parse(storage.getItem(key) || 'null'); } catch (e) { return null; }
}
function writeJSON(storage, key, value) {
  try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage off or full */ }
}

/** Adds to `state.fresh` the paths of the first screen's items (FORMAT.md "Index": the newest
 * pages) this device has not listed before. Older pages, loaded on request, are never new. */
export async function markNew(state) {
  const before = readJSON(localStorage, SEEN) || {};
  const session = new Set(readJSON(sessionStorage, FRESH) || []);
  const now = {};
  const hashes = await Promise.all([...state.items.entries()].filter(([, e]) => e.early)
    .map(async ([path, { aud }]) => [path, aud.id, await pathHash(path)]));
  for (const [path, aud, hash] of hashes) {
    (now[aud] ||= []).push(hash);
    const known = Array.isArray(before[aud]) ? before[aud] : null;
    if ((known && !known.includes(hash)) || session.has(hash)) state.fresh.add(path);
  }
  // What was seen before stays known (an item may come back onto the first screen), up to a limit;
  // an audience that did not load this time (offline, error) keeps all of it.
  for (const aud of state.audiences.values()) {
    const old = Array.isArray(before[aud.id]) ? before[aud.id] : [];
    if (now[aud.id]) now[aud.id] = [...new Set([...now[aud.id], ...old])].slice(0, 2000);
    else if (old.length) now[aud.id] = old;
  }
  writeJSON(localStorage, SEEN, now);
  await saveFresh(state);
}

/** Keeps this visit's marks for a reload, and shows their number on the app icon. */
export async function saveFresh(state) {
  for (const p of state.fresh) if (!state.items.has(p)) state.fresh.delete(p);
  writeJSON(sessionStorage, FRESH, await Promise.all([...state.fresh].map(pathHash)));
  const n = state.fresh.size;
  try {
    if (n && navigator.setAppBadge) await navigator.setAppBadge(n);
    else if (!n && navigator.clearAppBadge) await navigator.clearAppBadge();
  } catch (e) { /* not installed, or not allowed */ }
}
