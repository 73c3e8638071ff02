// A post's photos and files, sealed on this device to the school's inbox key in chunks of 64 KiB
// and sent one chunk per request (FORMAT.md "Staff uploads", RECEIVER.md "Staff uploads"): a lost
// connection costs one chunk, and sending again resumes with what the receiver already holds.
import { exportBase } from '../hpke.js';
import { fromB64 } from '../crypto.js';
import { b64, call, inboxKeyFor } from '../receiver.js';

const te = new TextEncoder();
export const CHUNK = 65536;
export const MAX_CHUNKS = 512;

/** `I2OSP(index, 11) || last`. */
function nonce(index, last) {
  const n = new Uint8Array(12);
  for (let k = 10, x = index; k >= 0; k--, x = Math.floor(x / 256)) n[k] = x % 256;
  n[11] = last ? 1 : 0;
  return n;
}

/** Seals `bytes` for `group` under a fresh HPKE context: `{enc, count, chunk(i)}`, each chunk
 * sealed when it is asked for (a phone holds one sealed chunk at a time, not a second copy of the
 * photo). `ephemeralSecret` is for test vectors only. */
export async function sealUpload(pkR, tokenId, group, partId, bytes, { ephemeralSecret = null } = {}) {
  if (!bytes.length) throw new RangeError('empty upload');
  const count = Math.ceil(bytes.length / CHUNK);
  if (count > MAX_CHUNKS) throw new RangeError('upload too large');
  const { enc, secret } = await exportBase(pkR, 'ouderportaal/2 upload', 'ouderportaal/2 upload stream', 32, { ephemeralSecret });
  const key = await crypto.subtle.importKey('raw', secret, { name: 'AES-GCM' }, false, ['encrypt']);
  const additionalData = te.encode(`${tokenId}\nupload\n${group}\n${partId}`);
  const chunk = async (i) => new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce(i, i === count - 1), additionalData, tagLength: 128 }, key,
    bytes.subarray(i * CHUNK, (i + 1) * CHUNK)));
  return { enc, count, chunk };
}

/** Sends one part: registers it (or learns what arrived before), then the missing chunks in
 * order, calling `progress(sentBytes)` after each. Throws the receiver's ApiError when it refuses. */
export async function sendUpload(site, rec, group, partId, bytes, progress = () => {}) {
  const sealed = await sealUpload(fromB64(inboxKeyFor(site, rec, 'school').key), rec.token_id, group, partId, bytes);
  const status = await call(site, rec, 'POST', '/v1/staff/uploads', { id: partId, group, enc: b64(sealed.enc), chunks: sealed.count });
  const have = new Set(status.received || []);
  for (let i = 0; i < sealed.count; i++) {
    if (!have.has(i)) await call(site, rec, 'PUT', `/v1/staff/uploads/${partId}/${i}`, await sealed.chunk(i));
    progress(Math.min(bytes.length, (i + 1) * CHUNK));
  }
}
