// Fetching and opening sealed files (docs/FORMAT.md, format 2): keyslots, signed indexes, pages,
// item and media blobs.
import * as C from './crypto.js';
import { importSigningKey } from './receiver.js';
import { importInboxSecret } from './hpke.js';
import { todayKey } from './i18n.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a sealed file did not arrive: 'network' (offline, 5xx), 'gone' (404 or 410: the file is not
 * published, for a keyslot: the token was revoked or dropped), 'refused' (any other 4xx: a CDN's
 * 403 or 429, a rate limit; worth another try later) or 'sealed' (refused by a check: `reason` says
 * which, as FORMAT.md does: 'auth', 'padding', 'signature', 'binding', 'rollback', 'hash', ...). */
export class LoadError extends Error {
  constructor(kind, msg, status = 0, reason = null) { super(msg); this.kind = kind; this.status = status; this.reason = reason; }
}

const SAFE_REL = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;
const BLOB = /^b\/[0-9a-f]{32}$/;
const KID = /^[0-9a-f]{16}$/;
const sealedError = (e) => (e instanceof LoadError ? e : new LoadError('sealed', e.message, 0, e.reason || 'auth'));
const refuse = (reason, msg) => new LoadError('sealed', msg, 0, reason);

// The highest index sequence accepted per site and audience, kept on this device (FORMAT.md
// "Sequence"): an older index is a replay. "Forget this device" removes it.
export const SEQ = 'seq-v2';
// The service worker has no localStorage: there every index is checked on its own.
const local = () => (typeof localStorage === 'undefined' ? null : localStorage);
function sequences() {
  try { return JSON.parse(local().getItem(SEQ) || '{}') || {}; } catch (e) { return {}; }
}

/** `onOffline()` runs for every answer that came from the service worker's cache, not the network;
 * `site()` gives site.json (`keyslot_size`, the one size every keyslot must have; `site_id`). */
export function sealedFiles(onOffline, site) {
  /** `fresh`: keyslots and indexes are revalidated; `b/` files never change under their name. */
  async function fetchBytes(rel, fresh = true) {
    if (!SAFE_REL.test(rel) || rel.split('/').includes('..')) throw refuse('binding', 'bad path ' + rel);
    let r;
    try { r = await fetch(rel, { cache: fresh ? 'no-cache' : 'default', credentials: 'same-origin' }); } catch (e) { throw new LoadError('network', e.message); }
    if (r.status === 404 || r.status === 410) throw new LoadError('gone', String(r.status), r.status);
    if (r.status >= 400 && r.status < 500) throw new LoadError('refused', String(r.status), r.status);
    if (!r.ok) throw new LoadError('network', String(r.status));
    if (r.headers.get('X-Portal-Offline')) onOffline();
    try { return new Uint8Array(await r.arrayBuffer()); } catch (e) { throw new LoadError('network', e.message); }
  }

  /** A `b/` file: its name checked against its bytes, then opened with `key` (CryptoKey or base64). */
  async function openBlob(rel, key, ad) {
    if (!BLOB.test(rel)) throw refuse('binding', 'not a b/ file: ' + rel);
    const bytes = await fetchBytes(rel, false);
    try {
      await C.checkName(rel, bytes);
      return await C.openPadded(typeof key === 'string' ? await C.importAudienceKey(C.fromB64(key)) : key, bytes, ad);
    } catch (e) { throw sealedError(e); }
  }

  /** Opens a keyslot with the KEK and imports every audience key as a non-extractable CryptoKey. */
  async function openKeyslot(tokenId, kek, added) {
    const bytes = await fetchBytes('k/' + tokenId);
    // A keyslot of another size throws the EnvelopeError of a damaged one: same path, never used.
    const slot = JSON.parse(utf8.decode(await C.openKeyslotEnvelope(kek, bytes, tokenId, site().keyslot_size)));
    if (slot.v !== 2 || slot.token_id !== tokenId || !Array.isArray(slot.audiences) || C.fromB64(slot.publisher).length !== 32) throw new Error('keyslot header');
    if (typeof slot.expires === 'string' && slot.expires < todayKey()) throw new LoadError('gone', 'token expired');
    const audiences = await Promise.all(slot.audiences.map(async (a) => ({
      id: String(a.id), title: String(a.title), epoch: Number(a.epoch), index: String(a.index),
      key: await C.importAudienceKey(C.fromB64(a.key)),
    })));
    // The request-signing key for the receiver, non-extractable like the others.
    const sign = typeof slot.signing_seed === 'string' ? await importSigningKey(C.fromB64(slot.signing_seed)) : null;
    // Where reports go and the key they are sealed to come from here, sealed under the KEK, never
    // from site.json alone (docs/SECURITY.md "The inbox key"). Public keys: stored as base64.
    // A group's key carries its kid (FORMAT.md "Group inbox keys"), the school's one key none.
    const inbox = {}, kids = {};
    for (const k of Array.isArray(slot.inbox) ? slot.inbox : []) {
      if (k && typeof k.audience === 'string' && typeof k.public_key === 'string' && C.fromB64(k.public_key).length === 32) {
        inbox[k.audience] = k.public_key;
        if (typeof k.kid === 'string' && KID.test(k.kid)) kids[k.audience] = k.kid;
      }
    }
    const receiver = typeof slot.receiver === 'string' ? slot.receiver : null;
    // The school's VAPID key (FORMAT.md "Push"): notifications subscribe with this one only.
    const push = typeof slot.push === 'string' && /^[A-Za-z0-9_-]{87}$/.test(slot.push) ? slot.push : null;
    // The family's children from the class list (FORMAT.md "Keyslot"): offered wherever a child is asked for.
    const children = (Array.isArray(slot.children) ? slot.children : [])
      .filter((c) => c && /^[0-9a-f]{32}$/.test(c.id) && typeof c.name === 'string' && c.name && typeof c.group === 'string')
      .map((c) => ({ id: c.id, name: c.name.slice(0, 80), group: c.group }));
    // The parts the school switched off (FORMAT.md "Keyslot"): known names only.
    const features_off = (Array.isArray(slot.features_off) ? slot.features_off : []).filter((f) => FEATURES.includes(f));
    return { token_id: tokenId, kek, sign, publisher: slot.publisher, audiences, expires: slot.expires || null,
      family: slot.family ?? null, inbox, kids, receiver, push, added, children, features_off, familyKey: await familyKey(slot.family_key),
      staff: await staffPart(slot.staff) };
  }

  /** A parent keyslot's family key (FORMAT.md "Forms and answers"), the same for every guardian of
   * the family: answers are sealed under it a second time (AES-GCM) so the other guardian reads
   * them, and a typed child's id is keyed by it (HMAC). Non-extractable, like the others. */
  async function familyKey(b64) {
    let raw = null;
    try { raw = typeof b64 === 'string' ? C.fromB64(b64) : null; } catch (e) { /* not base64: no forms then */ }
    if (!raw || raw.length !== 32) return null;
    const use = (alg, uses) => crypto.subtle.importKey('raw', raw, alg, false, uses);
    return { aes: await use({ name: 'AES-GCM' }, ['encrypt', 'decrypt']), hmac: await use({ name: 'HMAC', hash: 'SHA-256' }, ['sign']) };
  }

  /** A staff keyslot's part: its groups and their inbox secrets, imported non-extractable, by kid. */
  async function staffPart(staff) {
    if (!staff || typeof staff !== 'object' || !Array.isArray(staff.inbox_secrets)) return null;
    const keys = {};
    for (const k of staff.inbox_secrets) {
      if (!k || !KID.test(k.kid) || C.fromB64(k.public_key).length !== 32) continue;
      keys[k.kid] = { audience: String(k.audience), pk: k.public_key, sk: await importInboxSecret(C.fromB64(k.secret_key)) };
    }
    return { label: String(staff.label || ''), role: staff.role === 'office' ? 'office' : 'teacher',
      groups: Array.isArray(staff.groups) ? staff.groups.map(String) : [], keys, children: Array.isArray(staff.children) ? staff.children : [] };
  }

  /** An audience's index (FORMAT.md "Index"): envelope, signature under the keyslot's publisher,
   * binding to this site, audience and epoch, then the sequence against the highest seen here. */
  async function openIndex(a, publisher) {
    if (!/^i\/[0-9a-f]{32}$/.test(a.index)) throw refuse('binding', 'not an index path');
    const bytes = await fetchBytes(a.index);
    let ix;
    try {
      const body = await C.verifySigned(C.fromB64(publisher), await C.openPadded(a.key, bytes, C.indexAD(a.id, a.epoch)), 'index');
      ix = JSON.parse(utf8.decode(body));
    } catch (e) { throw sealedError(e); }
    if (ix.kind !== 'index' || ix.v !== 2 || ix.site_id !== site().site_id || ix.audience !== a.id || ix.epoch !== a.epoch
      || !Number.isSafeInteger(ix.sequence) || !Array.isArray(ix.pages)) throw refuse('binding', 'index of another site, audience or epoch');
    const id = ix.site_id + ' ' + a.id, seen = sequences();
    if (ix.sequence < (seen[id] || 0)) throw refuse('rollback', `index ${ix.sequence} is older than ${seen[id]}`);
    seen[id] = ix.sequence;
    try { local().setItem(SEQ, JSON.stringify(seen)); } catch (e) { /* storage off: checked within this visit only */ }
    return ix;
  }

  /** One page of an index: {id, blob, count} -> {items, media}. */
  async function openPage(aud, entry) {
    const p = JSON.parse(utf8.decode(await openBlob(String(entry.blob), aud.key, C.pageAD(aud.id, aud.epoch, entry.id))));
    if (p.id !== entry.id || p.v !== 2) throw refuse('binding', 'page of another id');
    return { items: Array.isArray(p.items) ? p.items : [], media: p.media && typeof p.media === 'object' ? p.media : {} };
  }

  async function openItem(aud, item) {
    if (typeof item.blob !== 'string' || typeof item.key !== 'string') throw refuse('binding', 'no blob');
    return utf8.decode(await openBlob(item.blob, item.key, C.BLOB_AD));
  }

  /** Decrypted bytes of a media entry (the thumbnail variant when thumb is set). */
  async function openMedia(aud, path, { thumb = false } = {}) {
    const m = findMedia(aud, path, thumb);
    if (!m) throw new LoadError('gone', 'no media ' + path);
    return { bytes: await openBlob(m.blob, m.key, C.BLOB_AD), type: m.type || 'application/octet-stream', width: m.width, height: m.height };
  }

  return { openKeyslot, openIndex, openPage, openItem, openMedia };
}

/** A media entry by logical path (or a variant's path); `small` prefers the thumbnail variant. */
export function findMedia(aud, path, small) {
  const media = (aud.manifest && aud.manifest.media) || {};
  const ok = (x) => x && typeof x.blob === 'string' && typeof x.key === 'string';
  const m = Object.prototype.hasOwnProperty.call(media, path) ? media[path] : null;
  if (ok(m)) {
    if (small && ok(m.thumb) && typeof m.thumb.path === 'string') return { ...m.thumb };
    return { ...m, path };
  }
  for (const v of Object.values(media)) {
    if (v && ok(v.thumb) && v.thumb.path === path) return { ...v.thumb };
  }
  return null;
}

/** The parts of the portal site.yaml `features:` can switch off (CONTENT.md "Features"). */
export const FEATURES = ['news', 'calendar', 'photos', 'booking', 'absence', 'forms', 'push', 'posting'];

/** The features off on this device: those every record says are off. A record of an older build
 * without `features_off` has every feature on, and so does a device without records. */
export function featuresOff(records) {
  if (!records.length) return new Set();
  return new Set(FEATURES.filter((f) => records.every((r) => Array.isArray(r.features_off) && r.features_off.includes(f))));
}

/** The sealed files to keep offline: keyslots, every index, every page the indexes list, and the
 * blobs of the pages loaded. Format 1's a/ files are never listed, so the worker drops them. */
export function referencedFiles(records, audiences) {
  const keep = new Set(records.map((r) => 'k/' + r.token_id));
  const add = (x) => { if (x && typeof x.blob === 'string') keep.add(x.blob); };
  for (const aud of audiences) {
    keep.add(aud.indexPath);
    for (const p of aud.index.pages) add(p);
    for (const it of aud.manifest.items) add(it);
    for (const m of Object.values(aud.manifest.media)) { add(m); if (m) add(m.thumb); }
  }
  return [...keep];
}
