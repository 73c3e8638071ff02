// Per-device storage of unlocked tokens in IndexedDB. Keys are non-extractable CryptoKeys;
// the token text itself is never stored.

const DB = 'ouderportaal';
const STORE = 'tokens';
let dbPromise = null;

function req(r) {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'token_id' });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }
  return dbPromise;
}

async function tx(mode, fn) {
  const db = await open();
  const t = db.transaction(STORE, mode);
  const result = fn(t.objectStore(STORE));
  await new Promise((resolve, reject) => { t.oncomplete = resolve; t.onerror = () => reject(t.error); t.onabort = () => reject(t.error); });
  return result instanceof IDBRequest ? result.result : result;
}

/** All stored token records: {token_id, kek, publisher, audiences: [{id, title, epoch, index, key}], expires,
 * family, added}. A record of format 1 has `manifest` in place of `index` and no publisher: the next
 * start replaces it from the token's new keyslot. */
export async function allTokens() {
  const db = await open();
  return req(db.transaction(STORE).objectStore(STORE).getAll());
}

export function putToken(record) {
  return tx('readwrite', (s) => s.put(record));
}

export function deleteToken(tokenId) {
  return tx('readwrite', (s) => s.delete(tokenId));
}

/** Forget this device: closes and deletes the whole database. */
export async function wipe() {
  if (dbPromise) {
    try { (await dbPromise).close(); } catch (e) { /* already gone */ }
    dbPromise = null;
  }
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(DB);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}
