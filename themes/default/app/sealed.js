// Fetching and opening sealed files (docs/FORMAT.md): keyslots, manifests, item and media blobs.
import * as C from './crypto.js';
import { importSigningKey } from './receiver.js';
import { todayKey } from './i18n.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a sealed file did not arrive: 'network' (offline, 5xx), 'gone' (404 or 410: the file is not
 * published, for a keyslot: the token was revoked or dropped), 'refused' (any other 4xx: a CDN's
 * 403 or 429, a rate limit; worth another try later) or 'sealed' (does not open). */
export class LoadError extends Error {
  constructor(kind, msg, status = 0) { super(msg); this.kind = kind; this.status = status; }
}

const SAFE_REL = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** `onOffline()` runs for every answer that came from the service worker's cache, not the network;
 * `keyslotSize()` gives site.json's `keyslot_size`, the one size every keyslot must have. */
export function sealedFiles(onOffline, keyslotSize) {
  /** `fresh`: keyslots and manifests are revalidated; item and photo blobs may come from the cache
   * (the service worker keeps them for offline use and refreshes them in the background). */
  async function fetchBytes(rel, fresh = true) {
    if (!SAFE_REL.test(rel) || rel.split('/').includes('..')) throw new LoadError('sealed', 'bad path ' + rel);
    let r;
    try { r = await fetch(rel, { cache: fresh ? 'no-cache' : 'default', credentials: 'same-origin' }); } catch (e) { throw new LoadError('network', e.message); }
    if (r.status === 404 || r.status === 410) throw new LoadError('gone', String(r.status), r.status);
    if (r.status >= 400 && r.status < 500) throw new LoadError('refused', String(r.status), r.status);
    if (!r.ok) throw new LoadError('network', String(r.status));
    if (r.headers.get('X-Portal-Offline')) onOffline();
    try { return new Uint8Array(await r.arrayBuffer()); } catch (e) { throw new LoadError('network', e.message); }
  }

  async function openBlob(aud, logicalPath, rel) {
    const bytes = await fetchBytes(rel, logicalPath === 'manifest');
    try { return await C.openEnvelope(aud.key, bytes, C.blobAD(aud.id, aud.epoch, logicalPath)); } catch (e) { throw new LoadError('sealed', e.message); }
  }

  /** Opens a keyslot with the KEK and imports every audience key as a non-extractable CryptoKey. */
  async function openKeyslot(tokenId, kek, added) {
    const bytes = await fetchBytes('k/' + tokenId);
    // A keyslot of another size throws the EnvelopeError of a damaged one: same path, never used.
    const slot = JSON.parse(utf8.decode(await C.openKeyslotEnvelope(kek, bytes, tokenId, keyslotSize())));
    if (slot.v !== 1 || slot.token_id !== tokenId || !Array.isArray(slot.audiences)) throw new Error('keyslot header');
    if (typeof slot.expires === 'string' && slot.expires < todayKey()) throw new LoadError('gone', 'token expired');
    const audiences = await Promise.all(slot.audiences.map(async (a) => ({
      id: String(a.id), title: String(a.title), epoch: Number(a.epoch), manifest: String(a.manifest),
      key: await C.importAudienceKey(C.fromB64(a.key)),
    })));
    // The request-signing key for the receiver, non-extractable like the others.
    const sign = typeof slot.signing_seed === 'string' ? await importSigningKey(C.fromB64(slot.signing_seed)) : null;
    // Where reports go and the key they are sealed to come from here, sealed under the KEK, never
    // from site.json alone (docs/SECURITY.md "The inbox key"). Public keys: stored as base64.
    const inbox = {};
    for (const k of Array.isArray(slot.inbox) ? slot.inbox : []) {
      if (k && typeof k.audience === 'string' && typeof k.public_key === 'string' && C.fromB64(k.public_key).length === 32) {
        inbox[k.audience] = k.public_key;
      }
    }
    const receiver = typeof slot.receiver === 'string' ? slot.receiver : null;
    return { token_id: tokenId, kek, sign, audiences, expires: slot.expires || null, family: slot.family ?? null, inbox, receiver, added };
  }

  /** An audience with its opened manifest, or with the error that kept it closed. */
  async function openAudience(a) {
    const aud = { id: a.id, title: a.title, epoch: a.epoch, key: a.key, manifestPath: a.manifest, manifest: null, error: null };
    try {
      const m = JSON.parse(utf8.decode(await openBlob(aud, 'manifest', a.manifest)));
      if (m.audience !== a.id || m.epoch !== a.epoch) throw new LoadError('sealed', 'manifest of another audience');
      aud.manifest = m;
      if (m.title) aud.title = m.title;
    } catch (e) {
      aud.error = e;
    }
    return aud;
  }

  async function openItem(aud, item) {
    if (typeof item.blob !== 'string') throw new LoadError('sealed', 'no blob');
    return utf8.decode(await openBlob(aud, item.path, item.blob));
  }

  /** Decrypted bytes of a media entry (the thumbnail variant when thumb is set). */
  async function openMedia(aud, path, { thumb = false } = {}) {
    const m = findMedia(aud, path, thumb);
    if (!m) throw new LoadError('gone', 'no media ' + path);
    return { bytes: await openBlob(aud, m.path, m.blob), type: m.type || 'application/octet-stream', width: m.width, height: m.height };
  }

  return { openKeyslot, openAudience, openItem, openMedia };
}

/** A media entry by logical path (or a variant's path); `small` prefers the thumbnail variant. */
export function findMedia(aud, path, small) {
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

/** The sealed files (k/, a/) that the records and their manifests refer to. */
export function referencedFiles(records, audiences) {
  const keep = new Set(records.map((r) => 'k/' + r.token_id));
  for (const aud of audiences) {
    keep.add(aud.manifestPath);
    for (const it of aud.manifest.items || []) if (it && typeof it.blob === 'string') keep.add(it.blob);
    for (const m of Object.values(aud.manifest.media || {})) {
      if (m && typeof m.blob === 'string') keep.add(m.blob);
      if (m && m.thumb && typeof m.thumb.blob === 'string') keep.add(m.thumb.blob);
    }
  }
  return [...keep];
}
