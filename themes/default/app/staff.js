// What a staff code adds to the app: "Ziekmeldingen" (#/reports), the sick reports of the last 14
// days for the teacher's groups, opened on this device with the group inbox keys of the keyslot
// (FORMAT.md "Group inbox keys"). The receiver hands out ciphertext only.
import { h } from './dom.js';
import { t, formatDay, formatMoment, todayKey } from './i18n.js';
import { call, openPayload } from './receiver.js';
import { problem, status, say } from './forms.js';

/** The records of this device that are staff codes. */
export const staffRecords = (state) => state.records.filter((r) => r.staff);

/** One listed report, opened: {row, title, report} or {row, title, unreadable: true}. */
async function opened(rec, row) {
  const title = (rec.audiences.find((a) => a.id === row.group) || {}).title || row.group;
  try {
    const report = await openPayload(rec.staff, 'absence', row, [row.group, row.from, row.to]);
    return report && typeof report.child === 'string' ? { row, title, report } : { row, title, unreadable: true };
  } catch (e) {
    return { row, title, unreadable: true };
  }
}

function card(entry) {
  const { row, title, report } = entry;
  const dates = row.from === row.to ? formatDay(row.from) : t('absence.range', { from: formatDay(row.from), to: formatDay(row.to) });
  const received = h('p', { class: 'muted' }, t('reports.received', { time: formatMoment(row.received) }));
  if (!report) {
    return h('li', { class: 'report unreadable', 'data-testid': 'report-unreadable' },
      h('p', null, h('strong', null, title), ' · ', dates), h('p', { class: 'error' }, t('reports.unreadable')), received);
  }
  const reason = ['ziek', 'afspraak', 'anders'].includes(report.reason) ? t('absence.reason_' + report.reason) : '';
  return h('li', { class: 'report', 'data-testid': 'report' },
    h('h3', { dir: 'auto' }, report.child),
    h('p', null, title, ' · ', dates, reason ? ' · ' + reason : ''),
    report.note ? h('p', { class: 'note', dir: 'auto' }, report.note) : null, received);
}

export function reportsView(state, visit) {
  const heading = h('h1', { class: 'view-title', tabindex: '-1' }, t('nav.reports'));
  const recs = staffRecords(state);
  if (!recs.length) return h('section', { class: 'view view-reports' }, heading, h('p', null, t('reports.no_staff')));
  const box = status();
  const list = h('div', { class: 'reports', 'aria-busy': 'true' }, h('p', { class: 'loading' }, t('reports.loading')));
  (async () => {
    const seen = new Set(), entries = [];
    try {
      for (const rec of recs) {
        const answer = await call(state.site, rec, 'GET', '/v1/staff/absences');
        for (const row of Array.isArray(answer.submissions) ? answer.submissions : []) {
          if (row && !seen.has(row.id)) { seen.add(row.id); entries.push(await opened(rec, row)); }
        }
      }
    } catch (err) {
      if (visit.current()) { list.replaceChildren(); list.removeAttribute('aria-busy'); say(box, problem(err), 'error'); }
      return;
    }
    if (!visit.current()) return;
    entries.sort((a, b) => String(b.row.received).localeCompare(String(a.row.received)));
    const today = todayKey();
    const now = entries.filter((e) => e.row.from <= today && today <= e.row.to);
    const rest = entries.filter((e) => !now.includes(e));
    const part = (key, items) => items.length ? [h('h2', null, t(key)), h('ul', { class: 'report-list' }, items.map(card))] : [];
    list.replaceChildren(...(entries.length ? [...part('reports.today', now), ...part('reports.earlier', rest)]
      : [h('p', { 'data-testid': 'reports-empty' }, t('reports.none'))]));
    list.removeAttribute('aria-busy');
  })();
  return h('section', { class: 'view view-reports' }, heading,
    h('p', { class: 'muted' }, t('reports.intro', { name: recs[0].staff.label })), box, list);
}
