// Talking to portal-receiver: every request signed with the token's Ed25519 key (docs/FORMAT.md
// "Signing"), personal fields sealed with HPKE to the inbox key from the keyslot ("Sealed payloads").
import { concat, sealBase } from './hpke.js';
import { fromB64, fromHex, hex } from './crypto.js';

const subtle = crypto.subtle;
const te = new TextEncoder();
const ED25519_PKCS8 = fromHex('302e020100300506032b657004220420');

/** The keyslot's 32-byte signing seed as a non-extractable Ed25519 signing key. */
export function importSigningKey(seed) {
  if (seed.length !== 32) throw new Error('signing seed is not 32 bytes');
  return subtle.importKey('pkcs8', concat(ED25519_PKCS8, seed), { name: 'Ed25519' }, false, ['sign']);
}

export function b64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
const b64url = (bytes) => b64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The four X-Portal-* headers for one request; `path` is the request target exactly as sent. */
export async function signedHeaders(key, tokenId, method, path, body, { timestamp, nonce } = {}) {
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const n = nonce ?? b64url(crypto.getRandomValues(new Uint8Array(16)));
  const bodyHash = hex(new Uint8Array(await subtle.digest('SHA-256', body)));
  const canonical = ['ouderportaal/1 request', method, path, ts, n, bodyHash].join('\n');
  const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, te.encode(canonical)));
  return { 'X-Portal-Token': tokenId, 'X-Portal-Timestamp': ts, 'X-Portal-Nonce': n, 'X-Portal-Signature': b64(signature) };
}

/** JSON right-padded with spaces to a multiple of 128 bytes, so a name's length does not show. */
export function padPayload(object, max = 4096) {
  const json = te.encode(JSON.stringify(object));
  const length = Math.max(128, Math.ceil(json.length / 128) * 128);
  if (length > max) throw new ApiError(0, 'too_long', 'payload too long');
  const out = new Uint8Array(length).fill(0x20);
  out.set(json);
  return out;
}

/** The inbox key {key (base64), kid} that reports for `audience` are sealed to: the keyslot's, and
 * only that one (a group's key has a kid, the school's one key none). site.json also names the
 * school's key, which anyone who controls the host can change: when it disagrees with the
 * keyslot's `school` entry, the host is tampering, and nothing is sealed or sent (a clear refusal
 * instead of trusting a page whose host rewrites it). */
export function inboxKeyFor(site, rec, audience) {
  const inbox = (rec && rec.inbox) || {};
  const key = Object.prototype.hasOwnProperty.call(inbox, audience) ? inbox[audience] : null;
  if (!key) throw new ApiError(0, 'no_inbox_key', 'the keyslot names no inbox key for ' + audience);
  const kid = (rec.kids && rec.kids[audience]) || null;
  const school = kid ? inbox.school : key;
  if (school && site && typeof site.inbox_public_key === 'string' && site.inbox_public_key !== school) {
    throw new ApiError(0, 'inbox_key_mismatch', 'site.json names another inbox key than the keyslot');
  }
  return { key, kid };
}

/** The HPKE aad (docs/FORMAT.md "Sealed payloads"): the token, the kind and the fields that travel
 * unsealed beside the payload ([group, from, to] or [schedule, slot]), joined by newlines. */
export function payloadAAD(tokenId, kind, fields) {
  return [tokenId, kind, ...fields].join('\n');
}

/** Seals the personal fields of an absence ('absence') or booking ('booking') for `audience` (the
 * group it concerns) to that audience's inbox key from the keyslot (see inboxKeyFor), bound to
 * `fields`, so that a receiver cannot move the report to another group, other dates or another slot. */
export async function sealPayload(site, rec, audience, kind, object, fields) {
  const { key, kid } = inboxKeyFor(site, rec, audience);
  const { enc, ct } = await sealBase(fromB64(key), 'ouderportaal/1 ' + kind, payloadAAD(rec.token_id, kind, fields), padPayload(object));
  return kid ? { enc: b64(enc), ct: b64(ct), kid } : { enc: b64(enc), ct: b64(ct) };
}

/** A refusal of the receiver (status, code from its JSON) or status 0 / code 'network' when unreachable.
 * `free` and `full` are the refusal's lists, when it has them (a form's full shifts: `full`). */
export class ApiError extends Error {
  constructor(status, code, message, free, full) { super(message); this.status = status; this.code = code; this.free = free; this.full = full; }
}

/** The receiver's path prefix on this origin, from the keyslot (site.json's copy only for a record
 * sealed before keyslots carried it). The page's CSP allows connections to its own origin only:
 * the reverse proxy (docs/deploy) serves the receiver under the site's origin, and a copy of the
 * site served elsewhere (the demo, a staging host) uses the same path on its own origin. */
export function apiPrefix(site, rec) {
  let path = '/api';
  const url = (rec && rec.receiver) || (site && site.receiver) || '/api';
  try { path = new URL(url, location.href).pathname; } catch (e) { /* keep /api */ }
  return path.replace(/\/+$/, '');
}

// Seconds between the device clock and the receiver's (from its Date header), learnt from a
// stale_timestamp refusal: a phone with a wrong clock can still send.
let clockSkew = 0;

/**
 * One signed call: `rec` holds token_id and the signing key; resolves to the JSON answer.
 *
 *     const slots = await call(site, rec, 'GET', '/v1/schedules/' + encodeURIComponent(id) + '/slots');
 */
export async function call(site, rec, method, subpath, body) {
  if (!rec || !rec.sign) throw new ApiError(0, 'no_key', 'this code cannot send; sign in again');
  const path = apiPrefix(site, rec) + subpath;
  const raw = body instanceof Uint8Array;  // a sealed chunk of a staff upload, sent as it is
  const bytes = body === undefined ? new Uint8Array(0) : raw ? body : te.encode(JSON.stringify(body));
  for (let attempt = 0; ; attempt++) {
    const headers = await signedHeaders(rec.sign, rec.token_id, method, path, bytes,
      { timestamp: Math.floor(Date.now() / 1000) + clockSkew });
    if (body !== undefined) headers['Content-Type'] = raw ? 'application/octet-stream' : 'application/json';
    let r;
    try {
      r = await fetch(path, { method, headers, body: body === undefined ? undefined : bytes, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      throw new ApiError(0, 'network', e.message);
    }
    let json = null;
    try { json = await r.json(); } catch (e) { /* not JSON: a proxy's error page */ }
    if (r.ok && json) return json;
    const code = (json && json.error) || (r.status >= 500 || !json ? 'network' : 'failed');
    const server = Date.parse(r.headers.get('Date') || '');
    if (code === 'stale_timestamp' && attempt === 0 && server) {
      clockSkew = Math.round((server - Date.now()) / 1000);
      continue;
    }
    throw new ApiError(r.status, code, (json && json.message) || String(r.status), json && json.free, json && json.full);
  }
}

