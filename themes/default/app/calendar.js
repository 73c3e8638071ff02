// The calendar: list and month views of every audience's events, a filter per group, and
// iCalendar downloads (one event, or all events shown) made in the browser.
import { h } from './dom.js';
import { t, formatMonth, sentence, formatWeekday, formatDayMonth, dayKey, todayKey } from './i18n.js';
import { audienceLabel, byMonth, isEvent } from './views.js';
import { calendarFile } from './ics.js';
import { saveBlob } from './gallery.js';

// What the parent chose, kept for this visit (also across a reload).
const ui = (() => {
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem('calendar-ui') || 'null'); } catch (e) { /* storage off */ }
  return { mode: saved && saved.mode === 'month' ? 'month' : 'list', hidden: new Set((saved && saved.hidden) || []),
    month: (saved && saved.month) || null, day: null };
})();
function keep() {
  try { sessionStorage.setItem('calendar-ui', JSON.stringify({ mode: ui.mode, hidden: [...ui.hidden], month: ui.month })); } catch (e) { /* storage off */ }
}

const lastDay = (ev) => dayKey(ev.end || ev.start);
const firstDay = (ev) => dayKey(ev.start);
function addDays(d, n) {
  const x = new Date(d + 'T00:00:00Z');
  x.setUTCDate(x.getUTCDate() + n);
  return x.toISOString().slice(0, 10);
}
function addMonths(m, n) {
  const [y, mo] = m.split('-').map(Number);
  const x = new Date(Date.UTC(y, mo - 1 + n, 1));
  return x.toISOString().slice(0, 7);
}
const slug = (s) => s.split('/').pop().replace(/[^A-Za-z0-9._-]+/g, '-') || 'activiteit';

/** One event as an .ics download. */
export function downloadEvent(state, entry) {
  const text = calendarFile([{ item: entry.item, label: audienceLabel(entry.aud) }], { siteId: state.site.site_id, name: state.site.name });
  saveBlob(new Blob([text], { type: 'text/calendar;charset=utf-8' }), slug(entry.item.path) + '.ics');
}

export function addToCalendarButton(state, entry) {
  return h('button', { type: 'button', class: 'link ics', 'data-testid': 'ics-one', onclick: () => downloadEvent(state, entry) },
    t('calendar.add'), h('span', { class: 'sr' }, ': ' + entry.item.title));
}

const eventsOf = (state) => [...state.items.values()].filter((e) => isEvent(e.item))
  .sort((a, b) => (a.item.event.start < b.item.event.start ? -1 : a.item.event.start > b.item.event.start ? 1
    : a.item.title.localeCompare(b.item.title)));

export function calendarView(state, visit) {
  let all = eventsOf(state);
  const audiences = [...state.audiences.values()].filter((aud) => all.some((e) => e.aud === aud));
  for (const id of ui.hidden) if (!audiences.some((a) => a.id === id)) ui.hidden.delete(id);
  const body = h('div', { class: 'calendar-body' });
  const extra = (entry) => addToCalendarButton(state, entry);

  const shown = () => all.filter((e) => !ui.hidden.has(e.aud.id));
  const modeButton = (mode) => h('button', { type: 'button', class: 'seg', 'aria-pressed': String(ui.mode === mode), 'data-mode': mode,
    onclick: () => { ui.mode = mode; keep(); draw(); } }, t('calendar.' + mode));
  const filter = audiences.length > 1 ? h('fieldset', { class: 'filter', 'data-testid': 'calendar-filter' },
    h('legend', null, t('calendar.filter')),
    audiences.map((aud) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: aud.id, checked: !ui.hidden.has(aud.id), onchange: (e) => {
        if (e.target.checked) ui.hidden.delete(aud.id); else ui.hidden.add(aud.id);
        keep(); draw();
      } }), ' ', audienceLabel(aud)))) : null;
  const allButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'ics-all', onclick: async () => {
    // Every event: the pages not loaded yet (older months) first.
    if (visit.session.lacks('')) { await visit.session.loadMonth(''); all = eventsOf(state); }
    const text = calendarFile(shown().map((e) => ({ item: e.item, label: audienceLabel(e.aud) })), { siteId: state.site.site_id, name: state.site.name });
    saveBlob(new Blob([text], { type: 'text/calendar;charset=utf-8' }), 'agenda.ics');
  } }, t('calendar.add_all'));
  const modes = h('div', { class: 'segmented', role: 'group', 'aria-label': t('calendar.view') }, modeButton('list'), modeButton('month'));

  function draw() {
    for (const b of modes.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.mode === ui.mode));
    const events = shown();
    body.replaceChildren(ui.mode === 'month' ? monthView(events) : listView(events));
  }

  function listView(events) {
    const today = todayKey();
    const upcoming = events.filter((e) => lastDay(e.item.event) >= today);
    const past = events.filter((e) => lastDay(e.item.event) < today).reverse();
    return h('div', { class: 'calendar-list' },
      upcoming.length ? h('div', { class: 'upcoming' }, byMonth(upcoming, state, extra)) : h('p', { class: 'empty' }, t('calendar.none')),
      past.length ? h('details', { class: 'past' }, h('summary', null, t('calendar.past', { n: past.length })), byMonth(past, state, extra)) : null);
  }

  function monthView(events) {
    const month = ui.month || todayKey().slice(0, 7);
    // An older month than the first screen holds: its pages are loaded, then the month is drawn again.
    if (visit.session.lacks(month)) visit.session.loadMonth(month).then(() => { if (visit.current()) { all = eventsOf(state); draw(); } });
    const first = month + '-01';
    // Weeks start on Monday (as in the Netherlands); the grid runs from the Monday on or before the 1st.
    const dow = (new Date(first + 'T00:00:00Z').getUTCDay() + 6) % 7;
    const start = addDays(first, -dow);
    const byDay = new Map();
    for (const e of events) {
      let d = firstDay(e.item.event);
      const end = lastDay(e.item.event);
      for (let i = 0; d <= end && i < 400; i++, d = addDays(d, 1)) {
        if (!byDay.has(d)) byDay.set(d, []);
        byDay.get(d).push(e);
      }
    }
    const today = todayKey();
    const rows = [];
    for (let w = 0; w < 6; w++) {
      const cells = [];
      for (let i = 0; i < 7; i++) {
        const d = addDays(start, w * 7 + i);
        const inMonth = d.slice(0, 7) === month;
        const evs = byDay.get(d) || [];
        const num = Number(d.slice(8));
        const label = formatDayMonth(d) + (evs.length ? ', ' + t(evs.length === 1 ? 'calendar.one_event' : 'calendar.n_events', { n: evs.length }) : '');
        // A day's own events as dots; what runs over several days (a holiday) as one band
        // across those days, so a two-week holiday is not a dot on every day.
        const single = evs.filter((e) => firstDay(e.item.event) === lastDay(e.item.event));
        const spans = evs.length > single.length;
        const content = evs.length && inMonth
          ? h('button', { type: 'button', class: 'day has-events' + (single.length ? '' : ' span-only'), 'aria-label': label,
            'aria-pressed': String(ui.day === d), 'data-day': d, onclick: () => { ui.day = ui.day === d ? null : d; draw(); if (ui.day) showDay(); } },
          h('span', { class: 'num' }, num),
          single.length ? h('span', { class: 'dots', 'aria-hidden': 'true' }, single.slice(0, 3).map(() => h('span', { class: 'dot' }))) : null,
          spans ? h('span', { class: 'span-bar', 'aria-hidden': 'true' }) : null)
          : h('span', { class: 'day' + (inMonth ? '' : ' other') }, h('span', { class: 'num' }, num));
        cells.push(h('td', { class: (d === today ? 'today' : '') || null, 'aria-current': d === today ? 'date' : null }, content));
      }
      rows.push(h('tr', null, cells));
      if (addDays(start, (w + 1) * 7).slice(0, 7) !== month) break;
    }
    const heads = Array.from({ length: 7 }, (_, i) => {
      const d = addDays('2024-01-01', i);  // a Monday
      return h('th', { scope: 'col', abbr: formatWeekday(d, 'long') }, formatWeekday(d, 'short'));
    });
    const go = (n) => { ui.month = addMonths(month, n); ui.day = null; keep(); draw(); };
    const inMonth = events.filter((e) => firstDay(e.item.event) <= addDays(addMonths(month, 1) + '-01', -1) && lastDay(e.item.event) >= first);
    const list = ui.day ? (byDay.get(ui.day) || []) : inMonth;
    return h('div', { class: 'calendar-month', 'data-month': month },
      h('div', { class: 'month-nav' },
        h('button', { type: 'button', class: 'secondary', 'aria-label': t('calendar.prev_month'), 'data-testid': 'month-prev', onclick: () => go(-1) }, '‹'),
        h('h2', { 'aria-live': 'polite', 'data-testid': 'month-label' }, sentence(formatMonth(first))),
        h('button', { type: 'button', class: 'secondary', 'aria-label': t('calendar.next_month'), 'data-testid': 'month-next', onclick: () => go(1) }, '›')),
      h('table', { class: 'month-grid' }, h('caption', { class: 'sr' }, formatMonth(first)), h('thead', null, h('tr', null, heads)), h('tbody', null, rows)),
      h('h3', { class: 'month-list-title' }, ui.day ? formatDayMonth(ui.day) : t('calendar.this_month')),
      list.length ? h('ul', { class: 'events' }, list.map((e) => byMonthEntry(e))) : h('p', { class: 'empty' }, t('calendar.none_month')));
  }
  const byMonthEntry = (e) => byMonth([e], state, extra)[0].querySelector('li');
  /** A tapped day's events below the grid come into view (on a phone they are below the fold). */
  function showDay() {
    const title = body.querySelector('.month-list-title');
    if (title && title.getBoundingClientRect().bottom + 96 > innerHeight) {
      title.scrollIntoView({ block: 'start', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    }
  }

  draw();
  return h('section', { class: 'view view-calendar', 'data-testid': 'calendar' },
    h('h1', { class: 'view-title', tabindex: '-1' }, t('calendar.heading')),
    h('div', { class: 'calendar-tools' }, modes, allButton), filter, body);
}
