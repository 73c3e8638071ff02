// The absence report (#/absence): child, group, dates, reason and note; the personal fields are
// sealed to the school's inbox key before they leave; a receipt when the receiver has them.
import { h } from './dom.js';
import { t, formatDayRange, formatMoment, todayKey } from './i18n.js';
import { call, sealPayload } from './receiver.js';
import { nameField, childrenIn, rememberedName, rememberName, problem, status, say } from './forms.js';

const REASONS = ['ziek', 'afspraak', 'anders'];
const addDays = (day, n) => { const d = new Date(day + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };

/** The form, or a refusal when no code on this device may send for a group. */
export function absenceView(state, visit) {
  const groups = [];
  for (const rec of state.records) {
    for (const a of rec.audiences) {
      if (a.id !== 'school' && rec.sign && !rec.staff && !groups.some((g) => g.id === a.id)) groups.push({ id: a.id, title: a.title, rec });
    }
  }
  const heading = h('h1', { class: 'view-title', tabindex: '-1' }, t('absence.heading'));
  const box = status();
  if (!groups.length) {
    return h('section', { class: 'view view-absence' }, heading, h('p', { class: 'error', role: 'alert' }, t('send.no_key')));
  }
  const today = todayKey();
  let group = groups[0];
  // With the class list's children the child is chosen, and the group follows from the child.
  const kids = groups.flatMap((g) => childrenIn(state, g.id).map((c) => ({ ...c, g })));
  let name;
  if (kids.length) {
    const select = h('select', { id: 'absence-child', name: 'child', required: true,
      onchange: () => { group = kids[select.selectedIndex].g; } },
    kids.map((k) => h('option', { value: k.name, 'data-child': k.id, dir: 'auto' }, groups.length > 1 ? `${k.name} (${k.g.title})` : k.name)));
    const remembered = kids.findIndex((k) => k.name === rememberedName(k.g.id));
    select.selectedIndex = Math.max(0, remembered);
    group = kids[select.selectedIndex].g;
    name = { input: select, node: h('p', { class: 'field' }, h('label', { for: 'absence-child' }, t('form.which_child')), select) };
  } else {
    name = nameField('absence-child', group.id, group.title, false);
  }
  const groupSelect = groups.length > 1 && !kids.length ? h('select', { id: 'absence-group', name: 'group', onchange: () => {
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
      const sealed = await sealPayload(state.site, group.rec, group.id, 'absence', { child, reason, note: note.value.trim() },
        [group.id, from.value, to.value]);
      const answer = await call(state.site, group.rec, 'POST', '/v1/absences',
        { group: group.id, from: from.value, to: to.value, sealed });
      rememberName(group.id, child);
      if (!visit.current()) return;
      const dates = formatDayRange(from.value, to.value);
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
      if (visit.current()) say(box, problem(err), 'error');
    } finally {
      button.disabled = false; button.textContent = t('absence.send'); form.removeAttribute('aria-busy');
    }
  });

  return h('section', { class: 'view view-absence' }, heading, h('p', null, t('absence.intro')), box, receipt, form);
}
