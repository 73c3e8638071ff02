// What every form that parents send back shares: the child's name remembered per group, the token
// record that may send for a group, and the status line with the receiver's refusals in words.
import { h } from './dom.js';
import { t } from './i18n.js';
import { ApiError } from './receiver.js';

// ---- the child's name, remembered on this device per group (the parent types it once) ----

export const NAMES = 'children-v1';
export function rememberedName(group) {
  try { return (JSON.parse(localStorage.getItem(NAMES) || '{}'))[group] || ''; } catch (e) { return ''; }
}
export function rememberName(group, name) {
  try {
    const all = JSON.parse(localStorage.getItem(NAMES) || '{}');
    all[group] = name;
    localStorage.setItem(NAMES, JSON.stringify(all));
  } catch (e) { /* storage off: the parent types it next time */ }
}

// What this device last saw booked per conference (path -> slot starts), so the timeline card
// says "Uw afspraak" instead of "Kies een tijd". The booking page corrects it whenever it loads.
export const BOOKED = 'booked-v1';
// Titles of a staff device's own posts (staff/write.js).
export const POSTS = 'posts-v1';
export function booked(path) {
  try { return (JSON.parse(localStorage.getItem(BOOKED) || '{}') || {})[path] || []; } catch (e) { return []; }
}
export function rememberBooked(path, starts) {
  try {
    const all = JSON.parse(localStorage.getItem(BOOKED) || '{}') || {};
    if (starts.length) all[path] = starts; else delete all[path];
    localStorage.setItem(BOOKED, JSON.stringify(all));
  } catch (e) { /* storage off: the card keeps "Kies een tijd" */ }
}

/** The device's parent record that may act for `audience` (first one added wins; staff codes read, they do not send). */
export function recordFor(state, audience) {
  return state.records.find((r) => r.sign && !r.staff && r.audiences.some((a) => a.id === audience)) || null;
}

/** A message for a refusal or failure, in the parent's language. */
export function problem(err) {
  const code = err instanceof ApiError ? err.code : 'failed';
  const known = ['network', 'slot_taken', 'family_limit', 'booking_closed', 'booking_not_open', 'too_late',
    'rate_limited', 'daily_quota', 'token_expired', 'registration_lapsed', 'unknown_token', 'unknown_booking', 'no_key', 'group_not_allowed',
    'no_inbox_key', 'inbox_key_mismatch', 'parents_only', 'staff_only', 'form_closed', 'unknown_form', 'too_many_answers', 'feature_off'];
  return t('send.' + (known.includes(code) ? code : 'failed'));
}

export function status() {
  return h('div', { class: 'form-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'form-status' });
}
/** Says `text` in a status box; `kind` is 'error', 'ok', 'info' or '' (nothing said). */
export function say(box, text, kind) {
  box.replaceChildren(text ? h('p', { class: kind === 'error' ? 'error' : kind === 'ok' ? 'ok' : 'muted' }, text) : '');
  box.setAttribute('data-kind', kind || '');
}

/** The family's children in `group`, from this device's keyslots (each once). */
export function childrenIn(state, group) {
  const out = [];
  for (const rec of state.records) {
    for (const c of rec.children || []) if (c.group === group && !out.some((o) => o.id === c.id)) out.push(c);
  }
  return out;
}

/** The child a form is about: a choice of the family's `children` in the group when the class
 * list named them, else a name to type (remembered per group). `input.value` is the name. */
export function nameField(id, group, groupTitle, withGroup, children = []) {
  const label = h('label', { for: id }, withGroup ? t(children.length ? 'form.which_child_in' : 'form.child_in', { group: groupTitle })
    : t(children.length ? 'form.which_child' : 'form.child'));
  if (children.length) {
    const select = h('select', { id, name: id, required: true, 'data-group': group },
      children.map((c) => h('option', { value: c.name, 'data-child': c.id, dir: 'auto' }, c.name)));
    const remembered = children.find((c) => c.name === rememberedName(group));
    if (remembered) select.value = remembered.name;
    return { input: select, node: h('p', { class: 'field' }, label, select) };
  }
  const input = h('input', { id, name: id, type: 'text', autocomplete: 'off', maxlength: '80', required: true,
    value: rememberedName(group), 'data-group': group, dir: 'auto' });
  input.value = rememberedName(group);
  return { input, node: h('p', { class: 'field' }, label, input) };
}
