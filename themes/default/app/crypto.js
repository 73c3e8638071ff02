// Format 2 (docs/FORMAT.md) in the browser: token parsing, HKDF, envelopes, signed documents and
// content names. WebCrypto only.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const enc = new TextEncoder();
const subtle = crypto.subtle;

/** Cleans typed input: drops whitespace and dashes (also the Unicode dashes of printed letters),
 * uppercases, maps O->0 and I/L->1 (FORMAT.md "Tokens"). */
export function normalizeToken(text) {
  return String(text).replace(/[\s\u0085\u2010-\u2015\u2212-]+/g, '').toUpperCase()
    .replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** Groups a (possibly partial) token in fours: "K7QM-3XRT-...". */
export function groupToken(text) {
  const s = normalizeToken(text).slice(0, 32);
  return s.replace(/(.{4})(?=.)/g, '$1-');
}

/** Parses a token. Returns {ok: true, r} or {ok: false, error: 'malformed' | 'typo'}. */
export async function parseToken(text) {
  const s = normalizeToken(text);
  if (s.length !== 32) return { ok: false, error: 'malformed' };
  const raw = new Uint8Array(20);
  let acc = 0, bits = 0, j = 0;
  for (const c of s) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) return { ok: false, error: 'malformed' };
    acc = ((acc << 5) | v) & 0x1fff; bits += 5;
    if (bits >= 8) { bits -= 8; raw[j++] = (acc >> bits) & 0xff; }
  }
  const r = raw.slice(0, 18);
  const h = new Uint8Array(await subtle.digest('SHA-256', r));
  if (h[0] !== raw[18] || h[1] !== raw[19]) return { ok: false, error: 'typo' };
  return { ok: true, r };
}

export function hex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s) {
  if (!/^([0-9a-f]{2})*$/i.test(s)) throw new Error('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

export function fromB64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** HKDF-SHA256 (RFC 5869) to raw bytes; info is a string (UTF-8) or bytes. */
export async function hkdf(ikm, salt, info, length) {
  const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info: typeof info === 'string' ? enc.encode(info) : info }, base, length * 8);
  return new Uint8Array(bits);
}

/** token_id (hex) and the KEK as a non-extractable AES-GCM key, from R and the site id. */
export async function deriveTokenKeys(r, siteId) {
  const base = await subtle.importKey('raw', r, 'HKDF', false, ['deriveBits', 'deriveKey']);
  const [idBits, kek] = await Promise.all([
    subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: siteId, info: enc.encode('ouderportaal/1 token-id') }, base, 128),
    subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: siteId, info: enc.encode('ouderportaal/1 kek') }, base,
      { name: 'AES-GCM', length: 256 }, false, ['decrypt']),
  ]);
  return { tokenId: hex(new Uint8Array(idBits)), kek };
}

/** Imports a raw 32-byte audience or item key as a non-extractable AES-GCM key. */
export function importAudienceKey(raw) {
  if (raw.length !== 32) throw new EnvelopeError('key is not 32 bytes', 'auth');
  return subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['decrypt']);
}

export const keyslotAD = (tokenId) => 'ouderportaal/2 keyslot ' + tokenId;
export const indexAD = (audience, epoch) => `ouderportaal/2 index ${audience} ${epoch}`;
export const pageAD = (audience, epoch, page) => `ouderportaal/2 page ${audience} ${epoch} ${page}`;
export const BLOB_AD = 'ouderportaal/2 blob';

/** Padmé (FORMAT.md "Envelope"): the padded length of a blob, page or index of L bytes. */
export function padme(L) {
  const e = 31 - Math.clz32(L), z = e - (32 - Math.clz32(e));
  const mask = 2 ** z - 1;
  return Math.floor((L + mask) / (mask + 1)) * (mask + 1);
}

/** Error thrown when a sealed file is refused. `reason` names the failed check as FORMAT.md's failing
 * vectors do: 'truncated', 'prefix', 'keyslot-size', 'auth', 'padding' (envelope), 'signature',
 * 'binding', 'rollback' or 'hash'. */
export class EnvelopeError extends Error {
  constructor(msg, reason) { super(msg); this.reason = reason; }
}

/** Strips 0x80 0x00... padding; anything else is an error. */
export function unpad(p) {
  let end = p.length;
  while (end > 0 && p[end - 1] === 0) end--;
  if (end === 0 || p[end - 1] !== 0x80) throw new EnvelopeError('bad padding', 'padding');
  return p.subarray(0, end - 1);
}

/** Opens "OPB1" || nonce || ciphertext+tag with AD (a string); returns the unpadded bytes. */
export async function openEnvelope(key, bytes, ad) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b.length < 32) throw new EnvelopeError('envelope too short', 'truncated');
  if (b[0] !== 0x4f || b[1] !== 0x50 || b[2] !== 0x42 || b[3] !== 0x31) {
    throw new EnvelopeError('not an OPB1 envelope', 'prefix');
  }
  let p;
  try {
    p = await subtle.decrypt({ name: 'AES-GCM', iv: b.subarray(4, 16), additionalData: enc.encode(ad), tagLength: 128 },
      key, b.subarray(16));
  } catch (e) {
    throw new EnvelopeError('envelope does not open', 'auth');
  }
  return unpad(new Uint8Array(p));
}

/** Opens a keyslot with the KEK. Every keyslot of a site is 4 + 12 + keyslot_size (site.json) + 16
 * bytes: one of any other size is refused before it is decrypted, so it is never used. */
export async function openKeyslotEnvelope(kek, bytes, tokenId, keyslotSize) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (!Number.isInteger(keyslotSize) || keyslotSize <= 0 || b.length !== 32 + keyslotSize) {
    throw new EnvelopeError(`keyslot is ${b.length} bytes, not 32 + ${keyslotSize}`, 'keyslot-size');
  }
  return openEnvelope(kek, b, keyslotAD(tokenId));
}

/** Opens a blob, page or index envelope and checks that it was padded to the Padmé length. */
export async function openPadded(key, bytes, ad) {
  const m = await openEnvelope(key, bytes, ad);
  if (bytes.length - 32 !== padme(Math.max(m.length + 1, 256))) throw new EnvelopeError('not the Padmé length', 'padding');
  return m;
}

/** A `b/` file is named after its bytes: hex(SHA-256(bytes))[0..32] must equal its name. Checked
 * before anything else, so a host cannot swap in another file or an older version. */
export async function checkName(rel, bytes) {
  const h = hex(new Uint8Array(await subtle.digest('SHA-256', bytes))).slice(0, 32);
  if ('b/' + h !== rel) throw new EnvelopeError(rel + ' does not match its bytes', 'hash');
}

const publishers = new Map();
/** Verifies "OPS2" || signature || body under the publisher's raw Ed25519 key (FORMAT.md "Signed
 * documents") and returns the body; anything else is refused with reason 'signature'. */
export async function verifySigned(publisher, bytes, kind) {
  const fail = (why) => new EnvelopeError(why, 'signature');
  if (bytes.length < 68 || bytes[0] !== 0x4f || bytes[1] !== 0x50 || bytes[2] !== 0x53 || bytes[3] !== 0x32) throw fail('not a signed document');
  const id = hex(publisher);
  let key = publishers.get(id);
  if (!key) publishers.set(id, key = await subtle.importKey('raw', publisher, { name: 'Ed25519' }, false, ['verify']).catch(() => null));
  const body = bytes.subarray(68);
  const label = enc.encode(`ouderportaal/2 signed ${kind}\n`);
  const msg = new Uint8Array(label.length + body.length);
  msg.set(label); msg.set(body, label.length);
  if (!key || !await subtle.verify({ name: 'Ed25519' }, key, bytes.subarray(4, 68), msg)) throw fail('bad signature');
  return body;
}
