// Forms on the timeline without opening one (FORMAT.md "Forms and answers"): which items are forms,
// until when they take answers, which still wait for this family's answer, and their "Te doen"
// cards. The form page itself is forms/form.js, fetched the first time a parent opens a form.
import { h } from './dom.js';
import { t, formatMoment, formatDay, formatTime, dayKey } from './i18n.js';
import { childrenIn, recordFor } from './forms.js';
import { badge, newMark } from './views.js';
import { featuresOff } from './sealed.js';

export const formHref = (path) => '#/form/' + path;

/** An item the app can show as a form: kind `form` with its page entry's `form`. */
export const isForm = (e) => !!(e && e.item.kind === 'form' && e.item.form && typeof e.item.form.id === 'string'
  && Array.isArray(e.item.form.questions));

/** Open by the receiver's word once it answered, else by the deadline and this device's clock. */
export function isOpen(state, form) {
  const data = state.forms.get(form.id);
  return data && typeof data.open === 'boolean' ? data.open : Date.parse(form.deadline) > Date.now();
}

/** The line under a form's title: `key` ('form.deadline', 'form.closed') with {time}, or its
 * `_day` form with {day} for a deadline at midnight (a date alone in the content gives the whole
 * day before, not "until Tuesday 00:00"). The photo consent form has no deadline to show: it can
 * be changed at any time. */
export function until(form, key) {
  if (form.consent === true && key === 'form.deadline') return t('form.anytime');
  const d = form.deadline;
  if (formatTime(d) !== '00:00') return t(key, { time: formatMoment(d) });
  return t(key + '_day', { day: formatDay(dayKey(new Date(Date.parse(d) - 1).toISOString())) });
}

/** Whom a form asks about: the class list's children (those in the form's group, every child for a
 * school form), the family itself (`per: family`, child id ''), or [] when the family types names. */
export function subjects(state, { item, aud }) {
  if (item.form.per === 'family') return [{ id: '', name: '' }];
  if (aud.id !== 'school') return childrenIn(state, aud.id);
  const all = [];
  for (const r of state.records) for (const c of r.children || []) if (!all.some((o) => o.id === c.id)) all.push(c);
  return all;
}

/** The answers that count, by child: the latest (the receiver lists them oldest first); with
 * `both_guardians` each guardian's own (`own`) or the other's. */
export function latest(rows, rec, form, own = true) {
  const out = new Map();
  for (const r of rows) if (!form.both_guardians || (r.token_id === rec.token_id) === own) out.set(r.child, r);
  return out;
}

/** Open forms not yet answered for every child they ask about: pinned on the timeline ("Te doen"). */
export function formsToDo(state) {
  if (featuresOff(state.records).has('forms')) return [];
  return [...state.items.values()].filter((e) => {
    if (!isForm(e) || !isOpen(state, e.item.form)) return false;
    const rec = recordFor(state, e.aud.id);
    if (!rec || !rec.familyKey) return false;
    const data = state.forms.get(e.item.form.id);
    if (!data) return true;
    const done = latest(Array.isArray(data.answers) ? data.answers : [], rec, e.item.form);
    const kids = subjects(state, e);
    return kids.length ? kids.some((k) => !done.has(k.id)) : !done.size;
  }).sort((a, b) => Date.parse(a.item.form.deadline) - Date.parse(b.item.form.deadline));
}

/** "Te doen: 2" and a card per form in `todo`, the nearest deadline first; null when none. */
export function formCards(state, todo) {
  if (!todo.length) return null;
  return [h('p', { class: 'todo', 'data-testid': 'todo' }, t('form.todo', { n: todo.length })),
    h('ul', { class: 'cards pinned', 'aria-label': t('form.todo', { n: todo.length }) }, todo.map(({ item, aud }) =>
      h('li', null, h('article', { class: 'card card-form', 'data-path': item.path }, h('div', { class: 'card-body' },
        h('p', { class: 'meta' }, badge(aud), ' ', t('form.label'), newMark(state, item)),
        h('h2', { dir: 'auto' }, h('a', { href: formHref(item.path) }, item.title)),
        h('p', { class: 'summary' }, until(item.form, 'form.deadline')),
        h('p', null, h('a', { class: 'button', href: formHref(item.path), 'data-testid': 'form-link' },
          t('form.answer'), h('span', { class: 'sr' }, ': ' + item.title))))))))];
}
