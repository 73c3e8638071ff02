// What a staff code adds to the app: "Afwezigen" (#/reports), the sick reports of the last 14 days
// for the teacher's groups, the conference bookings with the names and the answers to the groups'
// forms (staff/answers.js), opened on this device with the group inbox keys of the keyslot
// (FORMAT.md "Group inbox keys"). The receiver hands out ciphertext only; a report opened here is
// marked read for the teacher's other devices.
import { h } from '../dom.js';
import { t, formatDayRange, formatMoment, todayKey } from '../i18n.js';
import { call } from '../receiver.js';
import { featuresOff } from '../sealed.js';
import { openPayload } from './inbox.js';
import { problem, status, say } from '../forms.js';
import { formsPart } from './answers.js';

/** The records of this device that are staff codes. */
export const staffRecords = (state) => state.records.filter((r) => r.staff);

const groupTitle = (rec, id) => (rec.audiences.find((a) => a.id === id) || {}).title || id;

/** A listed row opened with this device's keys: {rec, row, payload} (payload null: not openable). */
async function opened(rec, row, kind, fields) {
  let payload = null;
  try { payload = await openPayload(rec.staff, kind, row, fields); } catch (e) { /* altered, or not for this key */ }
  return { rec, row, payload: payload && typeof payload.child === 'string' ? payload : null };
}

function reportCard({ rec, row, payload }) {
  const title = groupTitle(rec, row.group);
  const dates = formatDayRange(row.from, row.to);
  const received = h('p', { class: 'muted' }, t('reports.received', { time: formatMoment(row.received) }));
  if (!payload) {
    return h('li', { class: 'report unreadable', 'data-testid': 'report-unreadable' },
      h('p', null, h('strong', null, title), ' · ', dates), h('p', { class: 'error' }, t('reports.unreadable')), received);
  }
  const reason = ['ziek', 'afspraak', 'anders'].includes(payload.reason) ? t('absence.reason_' + payload.reason) : '';
  return h('li', { class: 'report' + (row.read ? '' : ' unread'), 'data-testid': 'report', 'data-read': row.read ? 'true' : 'false' },
    h('h3', null, h('span', { dir: 'auto' }, payload.child), row.read ? null : [' ', h('span', { class: 'new-count' }, t('reports.new'))]),
    h('p', null, title, ' · ', dates, reason ? ' · ' + reason : ''),
    payload.note ? h('p', { class: 'note', dir: 'auto' }, payload.note) : null, received);
}

function bookingCard({ row, payload }) {
  return h('li', { class: 'report', 'data-testid': 'staff-booking' },
    h('p', null, h('strong', null, formatMoment(row.start || row.slot))),
    payload ? h('p', { dir: 'auto' }, payload.child, payload.note ? ' · ' + payload.note : '')
      : h('p', { class: 'error' }, t('reports.booking_unreadable')));
}

/** Every staff record's rows of one listing, each once, opened. */
async function load(state, path, key, kind, fieldsOf) {
  const seen = new Set(), out = [];
  for (const rec of staffRecords(state)) {
    const answer = await call(state.site, rec, 'GET', path);
    for (const row of Array.isArray(answer[key]) ? answer[key] : []) {
      if (row && !seen.has(row.id)) { seen.add(row.id); out.push(await opened(rec, row, kind, fieldsOf(row))); }
    }
  }
  return out;
}

export function reportsView(state, visit) {
  const heading = h('h1', { class: 'view-title', tabindex: '-1' }, t('reports.heading'));
  const recs = staffRecords(state);
  if (!recs.length) return h('section', { class: 'view view-reports' }, heading, h('p', null, t('reports.no_staff')));
  const box = status();
  const list = h('div', { class: 'reports', 'aria-busy': 'true' }, h('p', { class: 'loading' }, t('reports.loading')));
  const talks = h('div', { class: 'staff-bookings' });
  (async () => {
    let reports, bookings;
    try {
      reports = await load(state, '/v1/staff/absences', 'submissions', 'absence', (r) => [r.group, r.from, r.to]);
      bookings = await load(state, '/v1/staff/bookings', 'bookings', 'booking', (r) => [r.schedule, r.slot]);
    } catch (err) {
      if (visit.current()) { list.replaceChildren(); list.removeAttribute('aria-busy'); say(box, problem(err), 'error'); }
      return;
    }
    if (!visit.current()) return;
    reports.sort((a, b) => String(b.row.received).localeCompare(String(a.row.received)));
    const today = todayKey();
    const now = reports.filter((e) => e.row.from <= today && today <= e.row.to);
    const rest = reports.filter((e) => !now.includes(e));
    const part = (key, items, card) => items.length ? [h('h2', null, t(key)), h('ul', { class: 'report-list' }, items.map(card))] : [];
    list.replaceChildren(...(reports.length ? [...part('reports.today', now, reportCard), ...part('reports.earlier', rest, reportCard)]
      : [h('p', { 'data-testid': 'reports-empty' }, t('reports.none'))]));
    list.removeAttribute('aria-busy');
    const ahead = bookings.filter((b) => !b.row.end || b.row.end >= new Date().toISOString())
      .sort((a, b) => String(a.row.start).localeCompare(String(b.row.start)));
    talks.replaceChildren(...part('reports.bookings', ahead, bookingCard));
    // Seen here: read on every device of this teacher (the card keeps "nieuw" until the next visit).
    for (const rec of recs) {
      const ids = reports.filter((e) => e.rec === rec && e.payload && !e.row.read).map((e) => e.row.id);
      if (ids.length) call(state.site, rec, 'POST', '/v1/staff/read', { ids: ids.slice(0, 200) }).catch(() => {});
    }
  })();
  return h('section', { class: 'view view-reports' }, heading,
    h('p', { class: 'muted' }, t('reports.intro', { name: recs[0].staff.label })),
    featuresOff(state.records).has('posting') ? null
      : h('p', null, h('a', { class: 'button secondary', href: '#/write', 'data-testid': 'write-link' }, t('write.heading'))), box, list, talks,
    formsPart(state, visit, recs));
}
