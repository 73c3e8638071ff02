// HPKE (RFC 9180) SealBase and OpenBase for the one suite the portal uses: DHKEM(X25519, HKDF-SHA256),
// HKDF-SHA256, AES-256-GCM, single shot. WebCrypto only; docs/FORMAT.md "Sealed payloads".
const subtle = crypto.subtle;
const te = new TextEncoder();

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const i2osp = (n, len) => Uint8Array.from({ length: len }, (_, i) => (n >> (8 * (len - 1 - i))) & 0xff);
const bytes = (x) => (typeof x === 'string' ? te.encode(x) : x);

const SUITE_KEM = concat(te.encode('KEM'), i2osp(0x0020, 2));
const SUITE = concat(te.encode('HPKE'), i2osp(0x0020, 2), i2osp(0x0001, 2), i2osp(0x0002, 2));
const VERSION = te.encode('HPKE-v1');
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410), for the fixed ephemeral key of test vectors.
const X25519_PKCS8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e,
  0x04, 0x22, 0x04, 0x20]);

async function hmac(key, data) {
  // HKDF-Extract with an empty salt uses HashLen zero bytes (RFC 5869 2.2); WebCrypto refuses empty HMAC keys.
  const k = await subtle.importKey('raw', key.length ? key : new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}

const labeledExtract = (suite, salt, label, ikm) => hmac(salt, concat(VERSION, suite, te.encode(label), ikm));

/** LabeledExpand for L <= 32: one HMAC block is enough for every output of this suite. */
async function labeledExpand(suite, prk, label, info, length) {
  const t = await hmac(prk, concat(i2osp(length, 2), VERSION, suite, te.encode(label), info, Uint8Array.of(1)));
  return t.slice(0, length);
}

function fromB64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The ephemeral pair: fresh from the platform, or (test vectors only) from fixed secret bytes. */
async function ephemeral(fixedSecret) {
  if (fixedSecret) {
    const sk = await subtle.importKey('pkcs8', concat(X25519_PKCS8, fixedSecret), { name: 'X25519' }, true, ['deriveBits']);
    return { sk, pk: fromB64url((await subtle.exportKey('jwk', sk)).x) };
  }
  const pair = await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
  return { sk: pair.privateKey, pk: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) };
}

/** The KEM's shared secret and the key schedule of mode_base: the AES key and nonce (sequence 0), the exporter secret. */
async function schedule(dh, enc, pkR, info) {
  if (dh.every((b) => b === 0)) throw new Error('low-order point');
  const eaePrk = await labeledExtract(SUITE_KEM, new Uint8Array(0), 'eae_prk', dh);
  const shared = await labeledExpand(SUITE_KEM, eaePrk, 'shared_secret', concat(enc, pkR), 32);
  const empty = new Uint8Array(0);
  const context = concat(Uint8Array.of(0x00), await labeledExtract(SUITE, empty, 'psk_id_hash', empty),
    await labeledExtract(SUITE, empty, 'info_hash', bytes(info)));
  const secret = await labeledExtract(SUITE, shared, 'secret', empty);
  return { key: await labeledExpand(SUITE, secret, 'key', context, 32), nonce: await labeledExpand(SUITE, secret, 'base_nonce', context, 12),
    exp: await labeledExpand(SUITE, secret, 'exp', context, 32) };
}

/** SetupBaseS: enc (the ephemeral public key) and the schedule's secrets for pkR. */
async function setupBaseS(pkR, info, ephemeralSecret) {
  if (!(pkR instanceof Uint8Array) || pkR.length !== 32) throw new Error('recipient key is not 32 bytes');
  const { sk, pk: enc } = await ephemeral(ephemeralSecret);
  const recipient = await subtle.importKey('raw', pkR, { name: 'X25519' }, false, []);
  const dh = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: recipient }, sk, 256));
  return { enc, ...(await schedule(dh, enc, pkR, info)) };
}

const aesKey = (raw, use) => subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [use]);

/**
 * SealBase(pkR, info, aad, pt) -> {enc, ct} (both Uint8Array; ct carries the 16-byte tag).
 *
 *     const { enc, ct } = await sealBase(inboxPublicKey, 'ouderportaal/1 absence', tokenId, padded);
 */
export async function sealBase(pkR, info, aad, pt, { ephemeralSecret = null } = {}) {
  const { enc, key, nonce } = await setupBaseS(pkR, info, ephemeralSecret);
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: bytes(aad), tagLength: 128 },
    await aesKey(key, 'encrypt'), bytes(pt)));
  return { enc, ct };
}

/** SetupBaseS(pkR, info) then Export(context, length <= 32) -> {enc, secret}: a key only the holder
 * of pkR's secret derives too (the staff upload stream, FORMAT.md "Staff uploads"). */
export async function exportBase(pkR, info, context, length, { ephemeralSecret = null } = {}) {
  const { enc, exp } = await setupBaseS(pkR, info, ephemeralSecret);
  return { enc, secret: await labeledExpand(SUITE, exp, 'sec', bytes(context), length) };
}

/** OpenBase(skR, pkR, enc, info, aad, ct) -> plaintext; throws when anything does not match. `skR` is
 * an X25519 CryptoKey (a teacher's group inbox secret, imported non-extractable), `pkR` its public half. */
export async function openBase(skR, pkR, enc, info, aad, ct) {
  if (enc.length !== 32 || pkR.length !== 32) throw new Error('HPKE: enc or recipient key is not 32 bytes');
  const sender = await subtle.importKey('raw', enc, { name: 'X25519' }, false, []);
  const dh = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: sender }, skR, 256));
  const { key, nonce } = await schedule(dh, enc, pkR, info);
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: bytes(aad), tagLength: 128 },
    await aesKey(key, 'decrypt'), ct));
}

/** A raw 32-byte X25519 secret as a non-extractable CryptoKey for openBase. */
export const importInboxSecret = (raw) => subtle.importKey('pkcs8', concat(X25519_PKCS8, raw), { name: 'X25519' }, false, ['deriveBits']);
