// What parents send back: a conference booking (slot grid, receipt, cancel and rebook, back-to-back
// pairs for several children) and an absence report. Personal fields are sealed before they leave.
import { h } from './dom.js';
import { t, formatDay, formatMoment, formatTime, dayKey, todayKey } from './i18n.js';
import { call, sealPayload, ApiError } from './receiver.js';
import { calendarFile } from './ics.js';
import { saveBlob } from './gallery.js';

const badge = (title, school) => h('span', { class: 'badge' + (school ? ' badge-school' : '') }, title);
const POLL_MS = 15000;

// ---- the child's name, remembered on this device per group (the parent types it once) ----

export const NAMES = 'children-v1';
export function rememberedName(group) {
  try { return (JSON.parse(localStorage.getItem(NAMES) || '{}'))[group] || ''; } catch (e) { return ''; }
}
function rememberName(group, name) {
  try {
    const all = JSON.parse(localStorage.getItem(NAMES) || '{}');
    all[group] = name;
    localStorage.setItem(NAMES, JSON.stringify(all));
  } catch (e) { /* storage off: the parent types it next time */ }
}

/** The device's token record that may act for `audience` (first one added wins). */
export function recordFor(state, audience) {
  return state.records.find((r) => r.sign && r.audiences.some((a) => a.id === audience)) || null;
}

/** A message for a refusal or failure, in the parent's language. */
function problem(err) {
  const code = err instanceof ApiError ? err.code : 'failed';
  const known = ['network', 'slot_taken', 'family_limit', 'booking_closed', 'booking_not_open', 'too_late',
    'rate_limited', 'token_expired', 'unknown_token', 'unknown_booking', 'no_key', 'group_not_allowed'];
  return t('send.' + (known.includes(code) ? code : 'failed'));
}

function status() {
  return h('div', { class: 'form-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'form-status' });
}
function say(box, text, kind) {
  box.replaceChildren(text ? h('p', { class: kind === 'error' ? 'error' : kind === 'ok' ? 'ok' : 'muted' }, text) : '');
  box.setAttribute('data-kind', kind || '');
}

function nameField(id, group, groupTitle, withGroup) {
  const input = h('input', { id, name: id, type: 'text', autocomplete: 'off', maxlength: '80', required: true,
    value: rememberedName(group), 'data-group': group, dir: 'auto' });
  input.value = rememberedName(group);
  return { input, node: h('p', { class: 'field' }, h('label', { for: id },
    withGroup ? t('form.child_in', { group: groupTitle }) : t('form.child')), input) };
}

// ---- booking ----

/** The conference item of `path` with its slots by evening. */
function conferenceOf(state, path) {
  const e = state.items.get(path);
  return e && e.item.kind === 'conference' && e.item.conference && Array.isArray(e.item.conference.slots) ? e : null;
}

/** Schedules of other groups on the same device record, for back-to-back pairs. */
function partnerSchedules(state, entry, rec) {
  const now = new Date().toISOString();
  return [...state.items.values()].filter((e) => e !== entry && e.item.kind === 'conference' && e.item.conference
    && e.aud.id !== entry.aud.id && rec.audiences.some((a) => a.id === e.aud.id)
    && typeof e.item.conference.closes === 'string' && e.item.conference.closes > now);
}

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

/** "18:40–18:50", isolated left to right (U+2066 ... U+2069) so Arabic pages keep it in order,
 * and not broken at the dash (U+2060). */
function slotLabel(slot) { return `\u2066${formatTime(slot.start)}\u2060–\u2060${formatTime(slot.end)}\u2069`; }

/** The booking page of a conference schedule (#/book/<path>). */
export function bookingView(state, path, env) {
  const entry = conferenceOf(state, path);
  const back = h('p', { class: 'back' }, h('a', { href: '#/item/' + path, 'data-back': '' },
    h('span', { class: 'arrow', 'aria-hidden': 'true' }, '←'), ' ', t('item.back')));
  if (!entry) {
    return h('section', { class: 'view view-booking' }, back, h('p', { class: 'error', role: 'alert' }, t('item.notfound')));
  }
  const { item, aud } = entry;
  const conf = item.conference;
  const rec = recordFor(state, aud.id);
  const box = status();
  const name = nameField('child-name', aud.id, aud.title, false);
  const receipt = h('div', { class: 'receipt-area' });
  const grid = h('div', { class: 'slot-grid', 'aria-busy': 'true', 'data-testid': 'slot-grid', tabindex: '-1' }, h('p', { class: 'loading' }, t('item.loading')));
  const pairsArea = h('div', { class: 'pairs-area' });
  const confirmArea = h('div', { class: 'confirm-area' });
  let data = null;          // the receiver's answer for this schedule
  let moving = null;        // booking id while the parent picks a new time
  let busy = false;
  const partners = rec ? partnerSchedules(state, entry, rec) : [];
  const partnerData = new Map();

  const view = h('section', { class: 'view view-booking', 'data-path': path }, back,
    h('h1', { class: 'view-title', tabindex: '-1', dir: 'auto' }, item.title),
    h('p', { class: 'meta' }, badge(aud.title, false), ' ', h('span', { dir: 'auto' }, conf.teacher),
      conf.location ? [' · ', h('span', { dir: 'auto' }, conf.location)] : null,
      ' · ', t('booking.minutes', { n: conf.slot_minutes })),
    h('p', { class: 'window' }, t('conference.window', { opens: formatMoment(conf.opens), closes: formatMoment(conf.closes) })),
    box, receipt, name.node, confirmArea, grid, pairsArea);

  if (!rec) { say(box, t('send.no_key'), 'error'); grid.replaceChildren(); return view; }

  const schedulePath = (id) => '/v1/schedules/' + encodeURIComponent(id) + '/slots';
  const load = async () => {
    try {
      const answer = await call(state.site, rec, 'GET', schedulePath(item.path));
      if (!env.current()) return;
      data = answer;
      for (const p of partners) {
        try { partnerData.set(p.item.path, await call(state.site, rec, 'GET', schedulePath(p.item.path))); } catch (e) { /* no pairs then */ }
      }
      draw();
    } catch (err) {
      if (!env.current()) return;
      if (!data) { grid.replaceChildren(); grid.removeAttribute('aria-busy'); }
      say(box, problem(err), 'error');
    }
  };

  const windowMessage = () => {
    const now = Date.parse(data.now);
    if (now < Date.parse(data.opens)) return t('booking.not_open', { opens: formatMoment(data.opens) });
    if (now >= Date.parse(data.closes)) return t('booking.closed', { closes: formatMoment(data.closes) });
    return null;
  };

  function draw() {
    grid.removeAttribute('aria-busy');
    const mine = data.slots.filter((s) => s.state === 'mine');
    const closedText = windowMessage();
    if (closedText && !box.getAttribute('data-kind')) say(box, closedText, 'info');
    receipt.replaceChildren(...mine.map((s) => receiptCard(s)));
    const canPick = data.open && (mine.length < data.per_family || moving);
    const evenings = new Map();
    for (const s of data.slots) {
      const day = dayKey(s.start);
      if (!evenings.has(day)) evenings.set(day, []);
      evenings.get(day).push(s);
    }
    // A redraw (every 15 s) must not take the keyboard focus away from the slot it was on.
    const focused = grid.contains(document.activeElement) ? document.activeElement.getAttribute('data-slot') : null;
    grid.replaceChildren(...[...evenings.entries()].map(([day, slots]) => h('section', { class: 'evening' },
      h('h2', null, formatDay(slots[0].start)),
      h('ul', { class: 'slots', role: 'list' }, slots.map((s) => {
        const stateKey = s.state === 'mine' ? 'booking.slot_mine' : s.state === 'taken' ? 'booking.slot_taken'
          : s.bookable ? 'booking.slot_free' : 'booking.slot_unavailable';
        const enabled = canPick && s.state === 'free' && s.bookable;
        return h('li', null, h('button', { type: 'button', class: 'slot slot-' + s.state + (s.bookable ? '' : ' slot-off'),
          'data-slot': s.id, disabled: !enabled, 'aria-label': `${formatTime(s.start)}, ${t(stateKey)}`,
          onclick: () => pick([{ entry, slot: s }]) }, formatTime(s.start)));
      })))));
    if (!data.slots.length) grid.replaceChildren(h('p', { class: 'empty' }, t('booking.no_slots')));
    if (focused) {
      const again = grid.querySelector(`[data-slot="${CSS.escape(focused)}"]`);
      (again && !again.disabled ? again : grid.querySelector('.slot:not([disabled])') || grid).focus();
    }
    drawPairs(canPick && !moving);
  }

  function drawPairs(enabled) {
    pairsArea.replaceChildren();
    if (!enabled || !partners.length) return;
    const options = [];
    for (const p of partners) {
      const other = partnerData.get(p.item.path);
      if (!other || !other.open || other.slots.some((s) => s.state === 'mine')) continue;
      for (const pair of adjacentPairs({ entry, slots: data.slots }, { entry: p, slots: other.slots })) options.push(pair);
    }
    if (!options.length) return;
    pairsArea.append(h('section', { class: 'pairs', 'aria-labelledby': 'pairs-h' },
      h('h2', { id: 'pairs-h' }, t('booking.pairs_heading')), h('p', null, t('booking.pairs_intro')),
      h('ul', { class: 'pair-list' }, options.slice(0, 4).map((pair) => h('li', null,
        h('button', { type: 'button', class: 'secondary pair', 'data-pair': pair.map((x) => x.slot.id).join('+'),
          onclick: () => pick(pair.map((x) => ({ entry: x.schedule.entry, slot: x.slot }))) },
        h('span', { class: 'pair-day' }, formatDay(pair[0].slot.start)), ' ',
        // Each "time group" isolated, so right-to-left pages keep time and group together.
        pair.map((x, i) => [i ? ' · ' : '', h('bdi', null, `${formatTime(x.slot.start)} ${x.schedule.entry.aud.title}`)])))))));
  }

  function receiptCard(s) {
    const ics = () => saveBlob(new Blob([calendarFile([{ item: {
      path: item.path + '/' + s.id, title: item.title,
      summary: conf.teacher, event: { start: s.start, end: s.end, location: conf.location } }, label: aud.title }],
    { siteId: state.site.site_id, name: state.site.name })], { type: 'text/calendar;charset=utf-8' }), 'oudergesprek.ics');
    const sure = h('div', { class: 'confirm', hidden: true },
      h('p', null, t('booking.cancel_sure')),
      h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-confirm', onclick: () => cancel(s) }, t('booking.cancel_confirm')));
    return h('div', { class: 'receipt', 'data-testid': 'receipt', tabindex: '-1' },
      h('h2', null, t('booking.yours')),
      h('p', { class: 'when' }, h('time', { datetime: s.start }, formatDay(s.start) + ', ' + slotLabel(s))),
      h('p', { dir: 'auto' }, conf.teacher, conf.location ? ' · ' + conf.location : ''),
      h('p', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'booking-ics', onclick: ics }, t('calendar.add')),
        data.open ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'rebook', onclick: () => {
          moving = s.booking; say(box, t('booking.pick_new'), 'info'); draw();
          const first = grid.querySelector('button:not([disabled])'); if (first) first.focus();
        } }, t('booking.rebook')) : null,
        data.open ? h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel', onclick: () => {
          sure.hidden = false; sure.querySelector('button').focus(); } }, t('booking.cancel')) : null),
      sure);
  }

  /** Asks to confirm the chosen slot(s), then books, moves or books the pair. */
  function pick(choice) {
    if (busy) return;
    const names = choice.map((c) => c.entry.aud.id === aud.id ? name
      : nameField('child-name-' + c.entry.aud.id, c.entry.aud.id, c.entry.aud.title, true));
    if (choice.length > 1) name.node.querySelector('label').textContent = t('form.child_in', { group: aud.title });
    const summary = choice.map((c) => t('booking.choice', {
      day: formatDay(c.slot.start), time: slotLabel(c.slot), teacher: c.entry.item.conference.teacher })).join(' + ');
    const ok = h('button', { type: 'button', class: 'primary', 'data-testid': 'confirm-booking' }, moving ? t('booking.confirm_move') : t('booking.confirm'));
    const cancelPick = h('button', { type: 'button', class: 'secondary', onclick: () => { confirmArea.replaceChildren(); moving = null; draw(); } }, t('login.cancel'));
    confirmArea.replaceChildren(h('div', { class: 'confirm-box', role: 'group', 'aria-labelledby': 'confirm-h' },
      h('h2', { id: 'confirm-h' }, t('booking.confirm_heading')), h('p', { 'data-testid': 'choice' }, summary),
      names.filter((n) => n !== name).map((n) => n.node), h('p', { class: 'actions' }, ok, cancelPick)));
    ok.addEventListener('click', () => send(choice, names, ok));
    ok.focus();
  }

  async function send(choice, names, button) {
    for (const n of names) {
      n.input.value = n.input.value.trim();
      if (!n.input.value) { n.input.setAttribute('aria-invalid', 'true'); say(box, t('form.child_missing'), 'error'); n.input.focus(); return; }
      n.input.removeAttribute('aria-invalid');
    }
    busy = true; button.disabled = true; button.textContent = t('send.busy');
    try {
      const sealedFor = (i) => sealPayload(state.site, rec.token_id, 'booking', { child: names[i].input.value, note: '' });
      if (moving) {
        await call(state.site, rec, 'POST', '/v1/bookings/' + moving + '/move',
          { slot: choice[0].slot.id, sealed: await sealedFor(0) });
      } else if (choice.length === 1) {
        await call(state.site, rec, 'POST', '/v1/bookings',
          { schedule: choice[0].entry.item.path, slot: choice[0].slot.id, sealed: await sealedFor(0) });
      } else {
        const claims = [];
        for (let i = 0; i < choice.length; i++) {
          claims.push({ schedule: choice[i].entry.item.path, slot: choice[i].slot.id, sealed: await sealedFor(i) });
        }
        await call(state.site, rec, 'POST', '/v1/bookings', { claims });
      }
      choice.forEach((c, i) => rememberName(c.entry.aud.id, names[i].input.value));
      if (!env.current()) return;
      moving = null;
      confirmArea.replaceChildren();
      say(box, t('booking.done', { time: slotLabel(choice[0].slot), day: formatDay(choice[0].slot.start) }), 'ok');
      await load();
      const r = receipt.querySelector('.receipt');
      if (r) r.focus();
    } catch (err) {
      if (!env.current()) return;
      button.disabled = false; button.textContent = moving ? t('booking.confirm_move') : t('booking.confirm');
      say(box, problem(err), 'error');
      if (err instanceof ApiError && err.status === 409) { confirmArea.replaceChildren(); await load(); }
    } finally {
      busy = false;
    }
  }

  async function cancel(s) {
    if (busy) return;
    busy = true;
    try {
      await call(state.site, rec, 'DELETE', '/v1/bookings/' + s.booking);
      if (!env.current()) return;
      say(box, t('booking.cancelled'), 'ok');
      await load();
    } catch (err) {
      if (env.current()) say(box, problem(err), 'error');
    } finally {
      busy = false;
    }
  }

  load();
  // Taken slots turn grey while the page is open: poll, and look again when the page comes back.
  const timer = setInterval(() => { if (!busy && document.visibilityState === 'visible') load(); }, POLL_MS);
  const onVisible = () => { if (document.visibilityState === 'visible' && !busy) load(); };
  document.addEventListener('visibilitychange', onVisible);
  env.onLeave(() => { clearInterval(timer); document.removeEventListener('visibilitychange', onVisible); });
  return view;
}

// ---- absence ----

const REASONS = ['ziek', 'afspraak', 'anders'];
const addDays = (day, n) => { const d = new Date(day + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };

/** The absence report (#/absence): child, group, dates, reason, note; a receipt when received. */
export function absenceView(state, env) {
  const groups = [];
  for (const rec of state.records) {
    for (const a of rec.audiences) {
      if (a.id !== 'school' && rec.sign && !groups.some((g) => g.id === a.id)) groups.push({ id: a.id, title: a.title, rec });
    }
  }
  const heading = h('h1', { class: 'view-title', tabindex: '-1' }, t('absence.heading'));
  const box = status();
  if (!groups.length) {
    return h('section', { class: 'view view-absence' }, heading, h('p', { class: 'error', role: 'alert' }, t('send.no_key')));
  }
  const today = todayKey();
  let group = groups[0];
  const name = nameField('absence-child', group.id, group.title, false);
  const groupSelect = groups.length > 1 ? h('select', { id: 'absence-group', name: 'group', onchange: () => {
    group = groups.find((g) => g.id === groupSelect.value) || groups[0];
    const remembered = rememberedName(group.id);
    if (remembered) name.input.value = remembered;
  } }, groups.map((g) => h('option', { value: g.id }, g.title))) : null;
  const from = h('input', { id: 'absence-from', name: 'from', type: 'date', required: true, value: today,
    min: addDays(today, -31), max: addDays(today, 366) });
  const to = h('input', { id: 'absence-to', name: 'to', type: 'date', required: true, value: today,
    min: addDays(today, -31), max: addDays(today, 366) });
  from.value = today; to.value = today;
  from.addEventListener('change', () => { if (!to.value || to.value < from.value) to.value = from.value; });
  const reasons = h('fieldset', { class: 'reasons' }, h('legend', null, t('absence.reason')),
    REASONS.map((r, i) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'reason', value: r, checked: i === 0 }), ' ', t('absence.reason_' + r))));
  const note = h('textarea', { id: 'absence-note', name: 'note', rows: '3', maxlength: '500', dir: 'auto', 'aria-describedby': 'absence-note-hint' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('absence.send'));
  const receipt = h('div', { class: 'receipt-area' });
  const form = h('form', { class: 'absence-form', novalidate: true },
    name.node,
    groupSelect ? h('p', { class: 'field' }, h('label', { for: 'absence-group' }, t('absence.group')), groupSelect) : null,
    h('div', { class: 'dates' },
      h('p', { class: 'field' }, h('label', { for: 'absence-from' }, t('absence.from')), from),
      h('p', { class: 'field' }, h('label', { for: 'absence-to' }, t('absence.to')), to)),
    reasons,
    h('p', { class: 'field' }, h('label', { for: 'absence-note' }, t('absence.note')), note,
      h('span', { id: 'absence-note-hint', class: 'hint' }, t('absence.note_hint'))),
    h('p', { class: 'actions' }, button));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (button.disabled) return;
    const child = name.input.value.trim();
    const invalid = (input, key) => { input.setAttribute('aria-invalid', 'true'); say(box, t(key), 'error'); input.focus(); };
    for (const el of [name.input, from, to]) el.removeAttribute('aria-invalid');
    if (!child) return invalid(name.input, 'form.child_missing');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from.value)) return invalid(from, 'absence.date_missing');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(to.value)) return invalid(to, 'absence.date_missing');
    if (to.value < from.value) return invalid(to, 'absence.date_order');
    if (from.value < addDays(today, -31) || to.value > addDays(today, 366)) return invalid(from, 'absence.date_range');
    if ((Date.parse(to.value) - Date.parse(from.value)) / 86400000 > 62) return invalid(to, 'absence.date_long');
    const reason = form.querySelector('input[name=reason]:checked').value;
    button.disabled = true; button.textContent = t('send.busy'); form.setAttribute('aria-busy', 'true');
    try {
      const sealed = await sealPayload(state.site, group.rec.token_id, 'absence', { child, reason, note: note.value.trim() });
      const answer = await call(state.site, group.rec, 'POST', '/v1/absences',
        { group: group.id, from: from.value, to: to.value, sealed });
      rememberName(group.id, child);
      if (!env.current()) return;
      const dates = from.value === to.value ? formatDay(from.value) : t('absence.range', { from: formatDay(from.value), to: formatDay(to.value) });
      say(box, '', '');
      form.hidden = true;
      receipt.replaceChildren(h('div', { class: 'receipt', 'data-testid': 'absence-receipt', tabindex: '-1' },
        h('h2', null, t('absence.received')),
        h('p', null, t('absence.receipt', { child, group: group.title, dates, reason: t('absence.reason_' + reason) })),
        h('p', { class: 'muted' }, t('absence.received_at', { time: formatMoment(answer.received) }),
          ' · ', t('absence.reference', { id: String(answer.id).slice(0, 8) })),
        h('p', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => {
          receipt.replaceChildren(); form.hidden = false; note.value = ''; name.input.focus();
        } }, t('absence.another')))));
      receipt.querySelector('.receipt').focus();
    } catch (err) {
      if (env.current()) say(box, problem(err), 'error');
    } finally {
      button.disabled = false; button.textContent = t('absence.send'); form.removeAttribute('aria-busy');
    }
  });

  return h('section', { class: 'view view-absence' }, heading, h('p', null, t('absence.intro')), box, receipt, form);
}
