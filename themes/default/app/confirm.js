// "Gelezen" under a news item with `confirm: true` (RECEIVER.md "Read confirmations"): the parent
// confirms having read it; the receiver keeps only that this code did, and when. Remembered per
// code on this device, and asked of the receiver when not known here (another device confirmed).
import { h } from './dom.js';
import { t, formatMoment } from './i18n.js';
import { call } from './receiver.js';
import { recordFor, problem } from './forms.js';

const KEY = 'ouderportaal.confirmed';
const known = () => { try { return JSON.parse(localStorage.getItem(KEY) || '{}') || {}; } catch (e) { return {}; } };
function remember(tokenId, item, at) {
  try { localStorage.setItem(KEY, JSON.stringify({ ...known(), [tokenId + ':' + item]: at })); } catch (e) { /* storage off */ }
}

/** The confirmation box of an item, or null when it asks for none or no code here may confirm. */
export function confirmBox(state, item, aud, visit) {
  if (typeof item.confirm !== 'string' || !/^[0-9a-f]{32}$/.test(item.confirm)) return null;
  const rec = recordFor(state, aud.id);
  if (!rec) return null;
  const box = h('div', { class: 'confirm-box', 'data-testid': 'confirm', 'data-state': 'open' });
  const done = (at) => {
    box.setAttribute('data-state', 'done');
    box.replaceChildren(h('p', { class: 'ok' }, t('confirm.done', { time: formatMoment(at) })));
  };
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'confirm-button', onclick: async () => {
    button.disabled = true;
    try {
      const answer = await call(state.site, rec, 'POST', '/v1/confirmations', { item: item.confirm });
      remember(rec.token_id, item.confirm, answer.confirmed);
      if (visit.current()) done(answer.confirmed);
    } catch (err) {
      button.disabled = false;
      status.className = 'error';
      status.textContent = problem(err);
    }
  } }, t('confirm.button'));
  box.replaceChildren(h('p', null, t('confirm.ask')), h('p', { class: 'actions' }, button), status);
  const seen = known()[rec.token_id + ':' + item.confirm];
  if (seen) done(seen);
  else {
    call(state.site, rec, 'GET', '/v1/confirmations').then((answer) => {
      const mine = (Array.isArray(answer.confirmations) ? answer.confirmations : []).find((c) => c.item === item.confirm);
      if (!mine) return;
      remember(rec.token_id, item.confirm, mine.confirmed);
      if (visit.current() && box.getAttribute('data-state') === 'open') done(mine.confirmed);
    }).catch(() => { /* the button still works */ });
  }
  return box;
}
