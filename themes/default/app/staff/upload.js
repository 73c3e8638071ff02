// A post's photos and files, sealed on this device to the school's inbox key in chunks of 64 KiB
// and sent one chunk per request (FORMAT.md "Staff uploads", RECEIVER.md "Staff uploads"): a lost
// connection costs one chunk, and sending again resumes with what the receiver already holds.
import { exportBase } from '../hpke.js';
import { b64, call } from '../receiver.js';

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

/** Sends one sealed part (`sealUpload`'s answer, kept by the caller so that sending again after
 * a lost connection resumes the same part): registers it or learns what arrived before, then
 * sends the missing chunks in order, calling `progress(chunksDone)` after each. Throws the
 * receiver's ApiError when it refuses. */
export async function sendUpload(site, rec, group, partId, sealed, progress = () => {}) {
  const status = await call(site, rec, 'POST', '/v1/staff/uploads', { id: partId, group, enc: b64(sealed.enc), chunks: sealed.count });
  const have = new Set(status.received || []);
  for (let i = 0; i < sealed.count; i++) {
    if (!have.has(i)) await call(site, rec, 'PUT', `/v1/staff/uploads/${partId}/${i}`, await sealed.chunk(i));
    progress(i + 1);
  }
}

/** A photo as it leaves the phone: decoded with its orientation applied, at most `max` pixels on
 * its longer side, re-encoded as JPEG by the browser (so no EXIF, GPS or camera data goes along). */
export async function preparePhoto(file, max = 2560) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', 0.85));
  return new Uint8Array(await blob.arrayBuffer());
}
