// Drawing the booking page: from the receiver's answer and booking.js's callbacks to elements, keeping no state.
import { h } from '../dom.js';
import { t, formatDay, formatMoment, formatMomentRange, formatTime, sentence, dayKey } from '../i18n.js';
import { status } from '../forms.js';

const badge = (title, school) => h('span', { class: 'badge' + (school ? ' badge-school' : '') }, title);

/** "18:40–18:50", isolated left to right (U+2066 ... U+2069) so Arabic pages keep it in order,
 * and not broken at the dash (U+2060). */
export function slotLabel(slot) { return `\u2066${formatTime(slot.start)}\u2060–\u2060${formatTime(slot.end)}\u2069`; }

/** Adjacent free pairs: one slot of each schedule, one ending when the other starts. */
export function adjacentPairs(a, b) {
  const pairs = [];
  const free = (s) => s.state === 'free' && s.bookable;
  const byStart = new Map(b.slots.filter(free).map((s) => [Date.parse(s.start), s]));
  const byEnd = new Map(b.slots.filter(free).map((s) => [Date.parse(s.end), s]));
  for (const s of a.slots.filter(free)) {
    const after = byStart.get(Date.parse(s.end));
    if (after) pairs.push([{ schedule: a, slot: s }, { schedule: b, slot: after }]);
    const before = byEnd.get(Date.parse(s.start));
    if (before) pairs.push([{ schedule: b, slot: before }, { schedule: a, slot: s }]);
  }
  return pairs.sort((x, y) => Date.parse(x[0].slot.start) - Date.parse(y[0].slot.start));
}

const backLink = (path) => h('p', { class: 'back' }, h('a', { href: '#/item/' + path, 'data-back': '' },
  h('span', { class: 'arrow', 'aria-hidden': 'true' }, '←'), ' ', t('item.back')));

export function notFoundPage(path) {
  return h('section', { class: 'view view-booking' }, backLink(path), h('p', { class: 'error', role: 'alert' }, t('item.notfound')));
}

/** The page, with the areas that booking.js fills. */
export function bookingPage({ item, aud }, path, nameNode) {
  const conf = item.conference;
  const parts = {
    box: status(),
    receipt: h('div', { class: 'receipt-area' }),
    grid: h('div', { class: 'slot-grid', 'aria-busy': 'true', 'data-testid': 'slot-grid', tabindex: '-1' }, h('p', { class: 'loading' }, t('item.loading'))),
    pairsArea: h('div', { class: 'pairs-area' }),
    confirmArea: h('div', { class: 'confirm-area' }),
  };
  parts.view = h('section', { class: 'view view-booking', 'data-path': path }, backLink(path),
    h('h1', { class: 'view-title', tabindex: '-1', dir: 'auto' }, item.title),
    h('p', { class: 'meta' }, badge(aud.title, false), ' ', h('span', { dir: 'auto' }, conf.teacher),
      conf.location ? [' · ', h('span', { dir: 'auto' }, conf.location)] : null,
      ' · ', t('booking.minutes', { n: conf.slot_minutes })),
    h('p', { class: 'window' }, t('conference.window', { range: formatMomentRange(conf.opens, conf.closes) })),
    parts.box, parts.receipt, nameNode, parts.confirmArea, parts.grid, parts.pairsArea);
  return parts;
}

/** By the receiver's clock: why booking is not possible now, or null. */
export function windowMessage(data) {
  const now = Date.parse(data.now);
  if (now < Date.parse(data.opens)) return t('booking.not_open', { opens: formatMoment(data.opens) });
  if (now >= Date.parse(data.closes)) return t('booking.closed', { closes: formatMoment(data.closes) });
  return null;
}

export function slotGrid(slots, canPick, onPick) {
  if (!slots.length) return [h('p', { class: 'empty' }, t('booking.no_slots'))];
  const evenings = new Map();
  for (const s of slots) {
    const day = dayKey(s.start);
    if (!evenings.has(day)) evenings.set(day, []);
    evenings.get(day).push(s);
  }
  return [...evenings.values()].map((evening) => h('section', { class: 'evening' },
    h('h2', null, sentence(formatDay(evening[0].start))),
    h('ul', { class: 'slots', role: 'list' }, evening.map((s) => {
      const stateKey = s.state === 'mine' ? 'booking.slot_mine' : s.state === 'taken' ? 'booking.slot_taken'
        : s.bookable ? 'booking.slot_free' : 'booking.slot_unavailable';
      const enabled = canPick && s.state === 'free' && s.bookable;
      return h('li', null, h('button', { type: 'button', class: 'slot slot-' + s.state + (s.bookable ? '' : ' slot-off'),
        'data-slot': s.id, disabled: !enabled, 'aria-label': `${formatTime(s.start)}, ${t(stateKey)}`,
        onclick: () => onPick(s) }, formatTime(s.start)));
    }))));
}

/** Pairs with the partner schedules that are open and not booked yet by this family. */
export function pairOptions(entry, slots, partners, partnerData) {
  const options = [];
  for (const p of partners) {
    const other = partnerData.get(p.item.path);
    if (!other || !other.open || other.slots.some((s) => s.state === 'mine')) continue;
    for (const pair of adjacentPairs({ entry, slots }, { entry: p, slots: other.slots })) options.push(pair);
  }
  return options;
}

/** The first four pairs, and the rest behind "more times" (all of them, every evening). */
export function pairsSection(options, onPick) {
  if (!options.length) return null;
  const item = (pair) => h('li', null,
    h('button', { type: 'button', class: 'secondary pair', 'data-pair': pair.map((x) => x.slot.id).join('+'),
      onclick: () => onPick(pair.map((x) => ({ entry: x.schedule.entry, slot: x.slot }))) },
    h('span', { class: 'pair-day' }, formatDay(pair[0].slot.start)), ' ',
    // Each "time group" isolated, so right-to-left pages keep time and group together.
    pair.map((x, i) => [i ? ' · ' : '', h('bdi', null, `${formatTime(x.slot.start)} ${x.schedule.entry.aud.title}`)])));
  const list = h('ul', { class: 'pair-list' }, options.slice(0, 4).map(item));
  const more = options.length > 4 ? h('button', { type: 'button', class: 'link', 'data-testid': 'pairs-more', onclick: () => {
    list.append(...options.slice(4).map(item));
    more.remove();
    list.children[4].querySelector('button').focus();
  } }, t('booking.pairs_more', { n: options.length - 4 })) : null;
  return h('section', { class: 'pairs', 'aria-labelledby': 'pairs-h' },
    h('h2', { id: 'pairs-h' }, t('booking.pairs_heading')), h('p', null, t('booking.pairs_intro')), list, more);
}

/** `on`: calendar(s), rebook(s), cancel(s); `also`: the family's talks with other groups' teachers
 * that evening, [{slot, entry}] (a back-to-back pair is named whole). */
export function receiptCard(s, conf, open, on, also = []) {
  const sure = h('div', { class: 'confirm', hidden: true },
    h('p', null, t('booking.cancel_sure')),
    h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-confirm', onclick: () => on.cancel(s) }, t('booking.cancel_confirm')));
  return h('div', { class: 'receipt', 'data-testid': 'receipt', tabindex: '-1' },
    h('h2', null, t('booking.yours')),
    h('p', { class: 'when' }, h('time', { datetime: s.start }, formatDay(s.start) + ', ' + slotLabel(s))),
    h('p', { dir: 'auto' }, conf.teacher, conf.location ? ' · ' + conf.location : ''),
    also.map((o) => h('p', { class: 'also', 'data-testid': 'receipt-also' }, t('booking.also', {
      time: slotLabel(o.slot), teacher: o.entry.item.conference.teacher, group: o.entry.aud.title }))),
    h('p', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'booking-ics', onclick: () => on.calendar(s) }, t('calendar.add')),
      open ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'rebook', onclick: () => on.rebook(s) }, t('booking.rebook')) : null,
      open ? h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel', onclick: () => {
        sure.hidden = false; sure.querySelector('button').focus(); } }, t('booking.cancel')) : null),
    sure);
}

export const confirmLabel = (moving) => (moving ? t('booking.confirm_move') : t('booking.confirm'));

export function choiceSummary(choice) {
  return choice.map((c) => t('booking.choice', {
    day: formatDay(c.slot.start), time: slotLabel(c.slot), teacher: c.entry.item.conference.teacher })).join(' + ');
}

/** `fields`: the name fields of the other children of a pair. */
export function confirmBox(summary, moving, fields, onCancel) {
  const ok = h('button', { type: 'button', class: 'primary', 'data-testid': 'confirm-booking' }, confirmLabel(moving));
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: onCancel }, t('login.cancel'));
  const node = h('div', { class: 'confirm-box', role: 'group', 'aria-labelledby': 'confirm-h' },
    h('h2', { id: 'confirm-h' }, t('booking.confirm_heading')), h('p', { 'data-testid': 'choice' }, summary),
    fields, h('p', { class: 'actions' }, ok, cancel));
  return { node, ok };
}
