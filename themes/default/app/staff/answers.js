// "Formulieren" in a staff code's "Afwezigen": its groups' forms (open, or closed at most 14 days
// ago) with per child (or family) the answer that counts, opened on this device with the keyslot's
// group inbox secrets, the other guardian's when it differs, who has not answered yet (the class
// list in a teacher's keyslot) and who took which shift, as `portal answers` shows the school.
// The receiver lists ciphertext and opaque ids; titles and questions come from the form's sealed
// page entry (`item.form`), which this device reads as the group's parents do.
import { h } from '../dom.js';
import { t, formatDay, formatMoment, formatTime, dayKey, locale } from '../i18n.js';
import { call } from '../receiver.js';
import { problem, status, say } from '../forms.js';
import { openAnswer } from './inbox.js';

const CHILD_ID = /^[0-9a-f]{32}$/;

/** The class list's children in a teacher's keyslot (FORMAT.md "Keyslot"): [{id, name, group}],
 * each once over all `recs`; empty for an office code or a keyslot without them. */
export function classList(recs) {
  const out = new Map();
  for (const rec of recs) {
    for (const c of (rec.staff && Array.isArray(rec.staff.children) ? rec.staff.children : [])) {
      if (c && CHILD_ID.test(c.id) && typeof c.name === 'string' && c.name && typeof c.group === 'string' && !out.has(c.id)) {
        out.set(c.id, { id: c.id, name: c.name.slice(0, 80), group: c.group });
      }
    }
  }
  return [...out.values()];
}

/** The page entry of form `id` among the items this device has loaded, or null. */
const entryOf = (state, id) => [...state.items.values()].find((e) => e.item.kind === 'form' && e.item.form
  && e.item.form.id === id && Array.isArray(e.item.form.questions)) || null;

/** Every staff record's forms, each once, with its rows opened: [{rec, listed, entry, rows: [{row, p}]}]
 * (`p` null: this keyslot cannot open the row). */
async function load(state, recs) {
  const seen = new Set(), out = [];
  for (const rec of recs) {
    const answer = await call(state.site, rec, 'GET', '/v1/staff/answers');
    for (const listed of Array.isArray(answer.forms) ? answer.forms : []) {
      if (!listed || typeof listed.id !== 'string' || seen.has(listed.id)) continue;
      seen.add(listed.id);
      const rows = [];
      for (const row of Array.isArray(listed.answers) ? listed.answers : []) {
        if (!row || typeof row.token_id !== 'string') continue;
        let p = null;
        // A row without a time the receiver gave it is as unreadable as one that does not open.
        if (Number.isFinite(Date.parse(row.received))) {
          try { p = await openAnswer(rec.staff, listed.id, row); } catch (e) { /* altered, or not for this key */ }
        }
        rows.push({ row, p });
      }
      out.push({ rec, listed, entry: entryOf(state, listed.id), rows });
    }
  }
  return out;
}

/** Answers compared whatever the order of their keys. */
const same = (a, b) => {
  const key = (x) => JSON.stringify(Object.keys(x).sort().map((k) => [k, x[k]]));
  return key(a) === key(b);
};

/**
 * One form's rows laid out as the school reads them: per family and child the latest answer that
 * opened (`counted`, with `others`: the family's other codes' latest when they differ, and `both`
 * for `both_guardians`), the class list's children of the form's group without one (`missing`,
 * null when the keyslot lists none), the rows that did not open, and per shift who took it.
 *
 *     const { units, missing } = tally(form, rows, classList(recs), 'groep-5');
 */
export function tally(form, rows, children, group) {
  const byUnit = new Map();
  let unreadable = 0;
  const sorted = [...rows].sort((a, b) => String(a.row.received).localeCompare(String(b.row.received)));
  for (const { row, p } of sorted) {
    if (!p) { unreadable++; continue; }
    const key = String(row.family ?? '') + '\n' + String(row.child ?? '');
    const unit = byUnit.get(key) || { child: String(row.child ?? ''), tokens: new Map() };
    unit.counted = { row, p };
    unit.tokens.set(row.token_id, { row, p });
    byUnit.set(key, unit);
  }
  const names = new Map(children.map((c) => [c.id, c.name]));
  const yesNo = form.questions.filter((q) => q.type === 'yes_no').map((q) => q.key);
  const units = [...byUnit.values()].map((u) => {
    const { p } = u.counted;
    // A family answer is known by the guardian who signed it, if one did.
    const name = form.per === 'family' ? (typeof p.guardian === 'string' && p.guardian ? p.guardian : t('answers.family'))
      : names.get(u.child) || (typeof p.child === 'string' && p.child ? p.child.slice(0, 80) : u.child.slice(0, 8));
    const others = [...u.tokens.values()].filter((x) => x.row.token_id !== u.counted.row.token_id && !same(x.p.answers, p.answers));
    const agreeing = [...u.tokens.values()].filter((x) => yesNo.length && yesNo.every((k) => x.p.answers[k] === true));
    return { child: u.child, name, counted: u.counted, others, both: form.both_guardians ? agreeing.length >= 2 : null };
  }).sort((a, b) => a.name.localeCompare(b.name, locale()));
  const mine = children.filter((c) => c.group === group);
  const missing = form.per === 'family' || !mine.length ? null
    : mine.filter((c) => !units.some((u) => u.child === c.id)).map((c) => c.name).sort((a, b) => a.localeCompare(b, locale()));
  const shifts = form.questions.filter((q) => q.type === 'shifts').map((q) => ({
    question: q,
    shifts: (Array.isArray(q.shifts) ? q.shifts : []).map((s) => ({
      id: s.id, label: String(s.label), places: Number(s.places) || 0,
      takers: units.filter((u) => Array.isArray(u.counted.p.answers[q.key]) && u.counted.p.answers[q.key].includes(s.id)),
    })),
  }));
  return { units, missing, unreadable, shifts };
}

/** A form whose page entry this device has not loaded: its questions guessed from the answers
 * (their keys as the text), so the teacher still sees what came in. */
function guessed(rows) {
  const questions = new Map();
  for (const { p } of rows) {
    for (const [key, v] of Object.entries(p ? p.answers : {})) {
      if (!questions.has(key)) questions.set(key, { key, text: key, type: typeof v === 'boolean' ? 'yes_no' : Array.isArray(v) ? 'choices' : 'text' });
    }
  }
  return { per: rows.some(({ row }) => row.child) ? 'child' : 'family', questions: [...questions.values()] };
}

/** "Beantwoorden kan tot ..." or "Gesloten ..."; a deadline at midnight as the day before. */
function deadline(iso) {
  if (!Number.isFinite(Date.parse(iso))) return '';
  const key = Date.parse(iso) > Date.now() ? 'answers.open' : 'answers.closed';
  if (formatTime(iso) !== '00:00') return t(key, { time: formatMoment(iso) });
  return t(key + '_day', { day: formatDay(dayKey(new Date(Date.parse(iso) - 1).toISOString())) });
}

const bdi = (text) => h('bdi', null, text);
const isolated = (text) => '\u2068' + text + '\u2069';

function formCard(state, { rec, listed, entry, rows }, children) {
  const form = entry ? entry.item.form : guessed(rows);
  const labels = new Map(form.questions.flatMap((q) => (Array.isArray(q.shifts) ? q.shifts : []).map((s) => [s.id, String(s.label)])));
  const shown = (q, v) => (q.type === 'yes_no' && typeof v === 'boolean' ? t(v ? 'answers.yes' : 'answers.no')
    : Array.isArray(v) ? v.map((x) => (q.type === 'shifts' ? labels.get(x) || String(x) : String(x))).join(', ') : String(v));
  const list = (answers) => h('dl', { class: 'answers' }, form.questions
    .filter((q) => Object.prototype.hasOwnProperty.call(answers, q.key))
    .map((q) => [h('dt', null, bdi(q.text)), h('dd', { 'data-key': q.key }, bdi(shown(q, answers[q.key])))]));
  const signed = (p, heading) => (typeof p.guardian === 'string' && p.guardian && p.guardian !== heading
    ? h('p', { 'data-testid': 'answer-signed' }, t('answers.signed', { name: isolated(p.guardian) })) : null);
  const group = (rec.audiences.find((a) => a.id === listed.audience) || {}).title || listed.audience;
  const { units, missing, unreadable, shifts } = tally(form, rows, children, listed.audience);
  // The photo consent form has no deadline to show (open until 2100 unless it names one).
  const when = form.consent === true ? '' : deadline(listed.deadline);

  // Per child a card, as a sick report is one; the other guardian's differing answer greyed below it.
  const unitCard = (u) => {
    const { row, p } = u.counted;
    return h('li', { class: 'report', 'data-testid': 'form-answer', 'data-child': u.child },
      h('p', null, h('strong', { 'data-testid': 'answer-child' }, bdi(u.name))),
      list(p.answers), signed(p, form.per === 'family' ? u.name : null),
      u.both === null ? null : h('p', { 'data-testid': 'answer-both' }, t(u.both ? 'answers.both' : 'answers.not_both')),
      h('p', { class: 'muted' }, t('answers.received', { time: formatMoment(row.received) })),
      u.others.map((o) => h('div', { class: 'muted', 'data-testid': 'answer-other' },
        h('p', null, t('answers.other', { time: formatMoment(o.row.received) })), list(o.p.answers), signed(o.p))));
  };

  // What to act on first (who has not answered, what did not open, the shifts), then the answers.
  return h('section', { class: 'staff-form', 'data-testid': 'staff-form', 'data-form': listed.id },
    // <bdi>: a title or name keeps its own direction, the line the page's (right in Arabic).
    h('h3', null, entry ? bdi(entry.item.title) : t('answers.unknown_form')),
    h('p', { class: 'muted' }, bdi(group), when ? ' · ' + when : ''),
    missing === null ? null : h('p', { 'data-testid': 'form-missing' }, missing.length
      ? [h('strong', null, t('answers.missing')), ' ', missing.map((n, i) => [i ? ', ' : '', bdi(n)])] : t('answers.all_answered')),
    unreadable ? h('p', { class: 'error', 'data-testid': 'answers-unreadable' }, t('answers.unreadable', { n: unreadable })) : null,
    shifts.map(({ question, shifts: each }) => [h('p', null, h('strong', null, bdi(question.text))),
      h('ul', null, each.map((s) => h('li', { 'data-testid': 'form-shift', 'data-shift': s.id },
        bdi(s.label), ': ', t('answers.places', { n: s.places, taken: s.takers.length }),
        s.takers.length ? [' · ', s.takers.map((x, i) => [i ? ', ' : '', bdi(x.name)])] : null)))]),
    units.length ? h('ul', { class: 'report-list' }, units.map(unitCard)) : null);
}

/** The "Formulieren" part of the staff view: empty while it loads and when there are no forms. */
export function formsPart(state, visit, recs) {
  const box = status();
  const part = h('div', { class: 'staff-forms', 'aria-busy': 'true' });
  (async () => {
    let forms;
    try { forms = await load(state, recs); } catch (err) {
      if (visit.current()) { part.replaceChildren(box); part.removeAttribute('aria-busy'); say(box, problem(err), 'error'); }
      return;
    }
    if (!visit.current()) return;
    // The open forms first, nearest deadline first; then the closed ones, the latest first.
    const now = Date.now(), at = (f) => Date.parse(f.listed.deadline) || 0;
    const open = forms.filter((f) => at(f) > now).sort((a, b) => at(a) - at(b));
    const closed = forms.filter((f) => at(f) <= now).sort((a, b) => at(b) - at(a));
    const children = classList(recs);
    part.replaceChildren(...(forms.length ? [h('h2', null, t('answers.heading')),
      ...[...open, ...closed].map((f) => formCard(state, f, children))] : []));
    part.removeAttribute('aria-busy');
  })();
  return part;
}
