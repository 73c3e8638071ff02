// The form page (#/form/<path>): a permission slip, a poll, volunteer shifts or the photo consent
// (FORMAT.md "Forms and answers"). One answer block per child the form asks about (or one for the
// family); an answer is sealed for staff and, under the family key, for the family's other devices
// and guardian, whose answers this page opens again from the receiver's copies. Fetched with its
// words (forms/i18n/) the first time a parent opens a form; the timeline's cards are formcards.js.
import { h } from '../dom.js';
import { t, formatMoment } from '../i18n.js';
import { call, ApiError } from '../receiver.js';
import { nameField, rememberName, recordFor, problem, status, say } from '../forms.js';
import { backLink, badge, itemBody, itemView } from '../views.js';
import { isForm, isOpen, subjects, until } from '../formcards.js';
import { answerAAD, openCopy, sealAnswer, typedChild } from './answer.js';

export function formView(state, visit, path) {
  const entry = state.items.get(path);
  if (!isForm(entry)) return itemView(state, visit, path);
  const { item, aud } = entry;
  const form = item.form;
  visit.session.seen(path);
  const rec = recordFor(state, aud.id);
  const box = status();
  const when = h('p', { class: 'window' });
  const blocks = h('div', { class: 'answer-blocks', 'data-testid': 'answer-blocks', 'aria-busy': 'true' }, h('p', { class: 'loading' }, t('item.loading')));
  const view = h('article', { class: 'view view-form', 'data-path': path }, backLink(),
    h('h1', { class: 'view-title', tabindex: '-1', dir: 'auto' }, item.title),
    h('p', { class: 'meta' }, badge(aud), ' ', t('form.label')), when, itemBody(visit, aud, item, false), box, blocks);
  // The photo consent form shows no deadline: while it is open it says the answer can be changed.
  const setWhen = () => {
    const open = isOpen(state, form);
    when.textContent = until(form, open ? 'form.deadline' : 'form.closed');
    when.toggleAttribute('data-closed', !open);
    when.setAttribute('data-testid', open && form.consent === true ? 'form-anytime' : 'form-deadline');
  };
  setWhen();
  if (!rec || !rec.familyKey) {
    say(box, t('send.no_key'), 'error');
    blocks.replaceChildren();
    blocks.removeAttribute('aria-busy');
    return view;
  }
  const kids = subjects(state, entry);
  const labels = new Map(form.questions.flatMap((q) => (Array.isArray(q.shifts) ? q.shifts : []).map((s) => [s.id, s.label])));
  // The family's answers as {row, p}: the receiver's row and its opened copy; each drawn form's
  // update for changed places; a count of the forms drawn, for unique field ids.
  let rows = [];
  const syncs = new Set();
  let forms = 0;

  const latestFor = (child, own) => {
    let out = null;
    for (const x of rows) if (x.row.child === child && (!form.both_guardians || (x.row.token_id === rec.token_id) === own)) out = x;
    return out;
  };
  const placesLeft = (id) => {
    const d = state.forms.get(form.id);
    const s = d && Array.isArray(d.shifts) ? d.shifts.find((x) => x.id === id) : null;
    return s ? Math.max(0, s.places - s.taken) : null;
  };
  const shown = (q, v) => (q.type === 'yes_no' ? t(v ? 'form.yes' : 'form.no')
    : Array.isArray(v) ? v.map((x) => (q.type === 'shifts' ? labels.get(x) || x : x)).join(', ') : String(v));

  async function load() {
    const err = await visit.session.forms(true, true);
    if (!visit.current()) return;
    if (err) say(box, problem(err), 'error');
    const data = state.forms.get(form.id);
    const list = [];
    for (const row of data && Array.isArray(data.answers) ? data.answers : []) {
      try { list.push({ row, p: await openCopy(rec, form.id, row) }); } catch (e) { /* altered, or not this family's: not shown */ }
    }
    if (!visit.current()) return;
    rows = list;
    setWhen();
    drawAll();
  }

  function drawAll() {
    blocks.removeAttribute('aria-busy');
    // Typed names: a block per child answered so far (its latest name), and one for another child.
    const typed = [...new Map(rows.map(({ row, p }) => [row.child, { id: row.child, name: String(p.child || '') }])).values()];
    const list = (kids.length ? kids : typed).map(answerBlock);
    if (!kids.length) list.push(anotherBlock(typed.length));
    blocks.replaceChildren(...list.filter(Boolean));
  }

  function answerBlock(k) {
    const section = h('section', { class: 'answer-block', 'data-child': k.id });
    // <bdi>: a name or question keeps its own direction, the line the page's (right in Arabic).
    const heading = k.name ? h('h2', null, h('bdi', null, k.name)) : null;
    const level = heading ? 3 : 2;
    let editing = false;
    const show = (focus) => {
      const mine = latestFor(k.id, true);
      const other = form.both_guardians ? latestFor(k.id, false) : null;
      const open = isOpen(state, form);
      let body;
      if (mine && !editing) {
        body = receipt(mine, level, open ? () => { editing = true; show('form'); } : null);
      } else if (open) {
        body = answerForm(k, mine, () => { editing = false; show('receipt'); }, mine ? () => { editing = false; show('receipt'); } : null);
      } else {
        body = h('p', { class: 'muted', 'data-testid': 'not-answered' }, t('form.not_answered'));
      }
      section.replaceChildren(...[heading, other ? receipt(other, level, null) : null, body].filter(Boolean));
      const target = focus === 'form' ? body.querySelector('input, textarea, select') : focus === 'receipt' ? body : null;
      if (target) target.focus();
    };
    show();
    return section;
  }

  function anotherBlock(answered) {
    if (!isOpen(state, form)) return answered ? null : h('p', { class: 'muted', 'data-testid': 'not-answered' }, t('form.not_answered'));
    const section = h('section', { class: 'answer-block', 'data-child': 'new' });
    const ask = () => section.replaceChildren(h('p', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'answer-another', onclick: () => {
        section.replaceChildren(answerForm({ id: null, name: '' }, null, drawAll, ask));
        // The name field comes first; another child, so not the name remembered from the last one.
        const input = section.querySelector('input');
        input.value = '';
        input.focus();
      } }, t('form.another'))));
    if (answered) ask(); else section.replaceChildren(answerForm({ id: null, name: '' }, null, drawAll, null));
    return section;
  }

  /** What was answered, by whom and when; `onChange` offers "Antwoord wijzigen" while the form is open. */
  function receipt({ row, p }, level, onChange) {
    const mine = row.token_id === rec.token_id;
    return h('div', { class: 'receipt', 'data-testid': 'answer-receipt', 'data-by': mine ? 'you' : 'other', tabindex: '-1' },
      h('h' + level, null, t('form.sent')),
      h('dl', { class: 'answers' }, form.questions.filter((q) => Object.prototype.hasOwnProperty.call(p.answers, q.key)).map((q) =>
        [h('dt', null, h('bdi', null, q.text)), h('dd', { 'data-key': q.key }, h('bdi', null, shown(q, p.answers[q.key])))])),
      typeof p.guardian === 'string' && p.guardian ? h('p', { 'data-testid': 'answer-signed' }, t('form.signed', { name: '\u2068' + p.guardian + '\u2069' })) : null,
      typeof row.received === 'string' ? h('p', { class: 'muted', 'data-testid': 'answer-by' },
        t(mine ? 'form.by_you' : 'form.by_other', { time: formatMoment(row.received) })) : null,
      onChange ? h('p', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', 'data-testid': 'answer-change', onclick: onChange },
        t('form.change'))) : null);
  }

  /** One question's controls: {node, first (to focus), read() (the answer or undefined), sync()}. */
  function question(q, id, value, own) {
    const text = [h('bdi', null, q.text), q.required ? null : h('span', { class: 'muted' }, ' ' + t('form.optional'))];
    if (q.type === 'text') {
      const input = h('textarea', { id, rows: '2', maxlength: '500', dir: 'auto', required: q.required });
      input.value = typeof value === 'string' ? value : '';
      return { node: h('p', { class: 'field' }, h('label', { for: id }, text), input), first: input, read: () => input.value.trim() || undefined };
    }
    const many = q.type === 'choices' || q.type === 'shifts';
    const options = q.type === 'yes_no' ? [['yes', t('form.yes')], ['no', t('form.no')]]
      : q.type === 'shifts' ? (q.shifts || []).map((s) => [s.id, s.label]) : (q.options || []).map((o) => [o, o]);
    const max = !many ? 1 : Math.max(1, q.max || (q.type === 'shifts' ? 1 : options.length));
    const had = q.type === 'yes_no' ? (value === true ? ['yes'] : value === false ? ['no'] : [])
      : Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    const boxes = options.map(([v]) => {
      const b = h('input', { type: many ? 'checkbox' : 'radio', name: id, value: v, required: q.required && !many });
      b.checked = had.includes(v);
      return b;
    });
    const notes = options.map(() => h('span', { class: 'places' }));
    // A full shift can be kept (the family's own place) but not taken; with max 1 a new pick
    // replaces the old one, with more the others wait until one is unticked.
    const sync = () => {
      const picked = boxes.filter((b) => b.checked).length;
      boxes.forEach((b, i) => {
        const left = q.type === 'shifts' ? placesLeft(options[i][0]) : null;
        const full = left === 0 && !own.includes(options[i][0]);
        if (full) b.checked = false;
        b.disabled = full || (max > 1 && !b.checked && picked >= max);
        notes[i].textContent = left === null ? '' : full ? ' · ' + t('form.full') : left ? ' · ' + t('form.places', { n: left }) : '';
      });
    };
    boxes.forEach((b) => b.addEventListener('change', () => {
      if (b.checked && many && max === 1) for (const o of boxes) if (o !== b) o.checked = false;
      sync();
    }));
    sync();
    const node = h('fieldset', { class: 'question', 'data-key': q.key }, h('legend', null, text),
      many && max < options.length ? h('p', { class: 'hint' }, t('form.max', { n: max })) : null,
      options.map(([v, label], i) => h('label', { class: 'choice' }, boxes[i], ' ', h('span', null, h('bdi', null, label), notes[i]))));
    const read = () => {
      const v = boxes.filter((b) => b.checked).map((b) => b.value);
      if (q.type === 'yes_no') return v.length ? v[0] === 'yes' : undefined;
      return many ? (v.length ? v : undefined) : v[0];
    };
    return { node, first: boxes[0], read, sync };
  }

  /** The controls of one answer (`prev`: the answer it changes), sent with "Versturen". */
  function answerForm(k, prev, onDone, onCancel) {
    const n = ++forms;
    const before = prev ? prev.p.answers : {};
    const own = prev && Array.isArray(prev.row.shifts) ? prev.row.shifts : [];
    const fbox = status();
    const name = k.id === null ? nameField(`f${n}-child`, aud.id, aud.title, false) : null;
    const signs = form.questions.some((q) => q.type === 'yes_no' && q.sign);
    const signer = signs ? h('input', { id: `f${n}-sign`, type: 'text', autocomplete: 'name', maxlength: '80', dir: 'auto',
      'aria-describedby': `f${n}-sign-hint` }) : null;
    if (signer) signer.value = prev && typeof prev.p.guardian === 'string' ? prev.p.guardian : '';
    const fields = form.questions.map((q, i) => question(q, `f${n}-q${i}`, before[q.key], own));
    // The name goes under the last question it signs (the photo consent signs each purpose).
    const lastSign = form.questions.reduce((at, q, i) => (q.type === 'yes_no' && q.sign ? i : at), -1);
    const button = h('button', { type: 'submit', class: 'primary', 'data-testid': 'answer-send' }, t('form.send'));
    const el = h('form', { class: 'answer-form', novalidate: true }, name && name.node,
      fields.map((f, i) => [f.node, i === lastSign ? h('p', { class: 'field' }, h('label', { for: signer.id }, t('form.sign')), signer,
        h('span', { id: `f${n}-sign-hint`, class: 'hint' }, t('form.sign_hint'))) : null]),
      fbox, h('p', { class: 'actions' }, button,
        onCancel ? h('button', { type: 'button', class: 'secondary', onclick: onCancel }, t('login.cancel')) : null));
    const sync = () => { if (el.isConnected) for (const f of fields) if (f.sync) f.sync(); };
    syncs.add(sync);

    el.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (button.disabled) return;
      for (const x of el.querySelectorAll('[aria-invalid]')) x.removeAttribute('aria-invalid');
      const invalid = (input, text) => { input.setAttribute('aria-invalid', 'true'); say(fbox, text, 'error'); input.focus(); };
      const child = name ? name.input.value.trim() : k.name;
      if (name && !child) return invalid(name.input, t('form.child_missing'));
      const answers = {};
      let signed = false;
      for (const [i, q] of form.questions.entries()) {
        const v = fields[i].read();
        if (v === undefined) {
          if (q.required) return invalid(fields[i].first, t('form.required', { question: q.text }));
          continue;
        }
        answers[q.key] = v;
        if (q.type === 'yes_no' && q.sign && v === true) {
          signed = true;
          if (!signer.value.trim()) return invalid(signer, t('form.sign_missing', { question: q.text }));
        }
      }
      const shifts = form.questions.filter((q) => q.type === 'shifts').flatMap((q) => answers[q.key] || []);
      button.disabled = true; button.textContent = t('send.busy'); el.setAttribute('aria-busy', 'true');
      try {
        const id = form.per === 'family' ? '' : k.id !== null ? k.id : await typedChild(rec, child);
        const p = { child, guardian: signed ? signer.value.trim() : '', answers };
        // A class-list child's group reads it; else the form's own audience (its group, or the school).
        const { sealed, copy } = await sealAnswer(state.site, rec, k.group || aud.id, answerAAD(rec.token_id, form.id, id, shifts), p);
        const answer = await call(state.site, rec, 'POST', '/v1/forms/' + encodeURIComponent(form.id) + '/answers',
          { child: id, shifts, sealed, copy });
        if (name) rememberName(aud.id, child);
        const row = { id: answer.id, token_id: rec.token_id, child: id, shifts, copy, received: answer.received };
        keep(row, answer.shifts);
        rows.push({ row, p });
        if (!visit.current()) return;
        onDone();
        for (const s of syncs) s();
      } catch (err) {
        if (!visit.current()) return;
        if (err instanceof ApiError && err.code === 'shift_full') {
          // Said once the places are asked again and drawn: the message says they were updated.
          const full = Array.isArray(err.full) ? err.full : [];
          await visit.session.forms(true, true);
          if (!visit.current()) return;
          for (const s of syncs) s();
          say(fbox, t('send.shift_full', { shifts: full.map((x) => labels.get(x) || x).join(', ') }), 'error');
        } else {
          say(fbox, problem(err), 'error');
        }
      } finally {
        button.disabled = false; button.textContent = t('form.send'); el.removeAttribute('aria-busy');
      }
    });
    return el;
  }

  /** A sent answer joins what this device knows of the form (the timeline's "Te doen" too). */
  function keep(row, shifts) {
    let d = state.forms.get(form.id);
    if (!d) state.forms.set(form.id, d = { id: form.id, deadline: form.deadline, open: true, shifts: [], answers: [], token: rec.token_id });
    d.answers = [...(Array.isArray(d.answers) ? d.answers : []), row];
    for (const s of Array.isArray(shifts) ? shifts : []) {
      d.shifts = [...(d.shifts || []).filter((x) => x.id !== s.id), s];
    }
  }

  load();
  return view;
}
