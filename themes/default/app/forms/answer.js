// An answer to a form as FORMAT.md "Forms and answers" seals it: its associated data, sealed once
// for staff (HPKE) and once for the family (AES-GCM under the family key), the family's copy
// opened again, and a typed child's id. Checked against the document's vectors (test_crypto_js.py).
import { sealBase } from '../hpke.js';
import { hex, fromB64 } from '../crypto.js';
import { ApiError, b64, inboxKeyFor, padPayload } from '../receiver.js';

const te = new TextEncoder();

/** The associated data of an answer (FORMAT.md): token, "answer", form, child, the shifts sorted. */
export const answerAAD = (tokenId, form, child, shifts) => [tokenId, 'answer', form, child, [...shifts].sort().join(',')].join('\n');

/** The answer sealed twice under one `aad`: `sealed` with HPKE to `audience`'s inbox key for
 * staff, `copy` with AES-GCM under the family key for the family's other devices and guardian.
 * Both hold the same padded JSON. */
export async function sealAnswer(site, rec, audience, aad, object) {
  if (!rec.familyKey) throw new ApiError(0, 'no_key', 'this keyslot has no family key');
  const { key, kid } = inboxKeyFor(site, rec, audience);
  // 3968: the largest multiple of 128 whose ciphertext (16 bytes more) stays within 4 KiB.
  const plain = padPayload(object, 3968);
  const { enc, ct } = await sealBase(fromB64(key), 'ouderportaal/2 answer', aad, plain);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const copy = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: te.encode(aad) }, rec.familyKey.aes, plain));
  return { sealed: kid ? { enc: b64(enc), ct: b64(ct), kid } : { enc: b64(enc), ct: b64(ct) }, copy: { nonce: b64(nonce), ct: b64(copy) } };
}

/** A typed child's id (FORMAT.md): keyed by the family key, so the receiver cannot guess the name. */
export async function typedChild(rec, name) {
  const mac = await crypto.subtle.sign('HMAC', rec.familyKey.hmac, te.encode('ouderportaal/2 typed child ' + name.trim().toLowerCase()));
  return hex(new Uint8Array(mac)).slice(0, 32);
}

/** The family's copy of an answer, opened and checked against the row it came in (token, child, shifts). */
export async function openCopy(rec, formId, row) {
  const aad = answerAAD(row.token_id, formId, row.child, Array.isArray(row.shifts) ? row.shifts : []);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64(row.copy.nonce), additionalData: te.encode(aad) },
    rec.familyKey.aes, fromB64(row.copy.ct));
  const p = JSON.parse(new TextDecoder().decode(plain));
  if (!p || typeof p.answers !== 'object' || !p.answers) throw new Error('not an answer');
  return p;
}
