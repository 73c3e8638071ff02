// What only a staff device seals and opens (FORMAT.md "Staff posts", "Group inbox keys"): loaded
// with the staff views, so a parent's app does not carry it.
import { sealBase, openBase } from '../hpke.js';
import { fromB64 } from '../crypto.js';
import { b64, inboxKeyFor, payloadAAD, padPayload } from '../receiver.js';
import { answerAAD } from '../forms/answer.js';

/** The school's own inbox key from the keyslot (posts and uploads: only the school's computer opens them). */
export const schoolKey = (site, rec) => fromB64(inboxKeyFor(site, rec, 'school').key);

/** A teacher's post (FORMAT.md "Staff posts"), sealed to the school's inbox key, bound to the
 * token, the group and the post's id. */
export async function sealPost(site, rec, group, id, post) {
  const { enc, ct } = await sealBase(schoolKey(site, rec), 'ouderportaal/2 post', payloadAAD(rec.token_id, 'post', [group, id]),
    padPayload(post, 65536));
  return { enc: b64(enc), ct: b64(ct) };
}

/** Opens `sealed` with the group inbox secret of `staff` that its kid names: the JSON inside, or
 * null when this keyslot has no such key. Throws when the key is there but the payload does not
 * open (altered, or bound to other fields). */
async function openWithInbox(staff, sealed, info, aad) {
  const key = sealed && staff && staff.keys[sealed.kid];
  if (!key) return null;
  const plain = await openBase(key.sk, fromB64(key.pk), fromB64(sealed.enc), info, aad, fromB64(sealed.ct));
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
}

/** The school's reason for rejecting one of this teacher's posts (sealed to the group's inbox key). */
export async function openReason(rec, post) {
  const r = await openWithInbox(rec.staff, post.reason, 'ouderportaal/2 post-reason', payloadAAD(rec.token_id, 'post', [post.group, post.id]));
  return r ? r.reason : null;
}

/** A report or booking a staff device listed (`row`: token_id, sealed), bound to `fields`. */
export function openPayload(staff, kind, row, fields) {
  return openWithInbox(staff, row.sealed, 'ouderportaal/1 ' + kind, payloadAAD(row.token_id, kind, fields));
}

/** A parent's answer to form `formId` as the staff listing gives it (`row`: token_id, child,
 * shifts, sealed; FORMAT.md "Forms and answers"), bound to those fields: the payload {child,
 * guardian, answers}, or null when this keyslot has no key of its kid. Throws when it does not open
 * or is not an answer. */
export async function openAnswer(staff, formId, row) {
  const shifts = Array.isArray(row.shifts) ? row.shifts.map(String) : [];
  const p = await openWithInbox(staff, row.sealed, 'ouderportaal/2 answer', answerAAD(row.token_id, formId, String(row.child ?? ''), shifts));
  if (p && (typeof p.answers !== 'object' || !p.answers || Array.isArray(p.answers))) throw new Error('not an answer');
  return p;
}
