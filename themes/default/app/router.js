// One row per view; a view is (state, visit, param) => Element. Row: name (main[data-route], menu
// state and "new" counts), hash (exact) or prefix (param = the decoded rest), nav (in the menu, in
// this order, as t('nav.' + name); `parents`/`staff`: only when a code of that kind is here), hint (install hint above it), ownFocus (else .view-title gets it).
import { timelineView, itemView, infoView, settingsView, loginView } from './views.js';
import { calendarView } from './calendar.js';
import { albumsView } from './gallery.js';
import { absenceView } from './absence.js';
import { bookingView } from './booking.js';
import { h } from './dom.js';
import { addStrings, t } from './i18n.js';

/** A staff view, loaded with its words the first time a staff code opens it (staff/: a parent's
 * app never fetches it). Until then the view is its empty section, busy. */
const staffView = (file, name) => (state, visit) => {
  const waiting = h('p', { class: 'loading view-title', tabindex: '-1' }, t('item.loading'));
  const section = h('section', { class: 'view', 'aria-busy': 'true' }, waiting);
  Promise.all([import(file), addStrings('staff/')]).then(([module]) => {
    if (!visit.current()) return;
    const focused = document.activeElement === waiting;
    const view = module[name](state, visit);
    section.replaceWith(view);
    if (focused) { const hd = view.querySelector('.view-title'); if (hd) hd.focus({ preventScroll: true }); }
  }, () => { if (visit.current()) waiting.replaceWith(h('p', { class: 'error', role: 'alert' }, t('item.network'))); });
  return section;
};

export const ROUTES = [
  { name: 'timeline', hash: '#/', nav: true, hint: true, view: timelineView },
  { name: 'calendar', hash: '#/calendar', nav: true, view: calendarView },
  { name: 'albums', hash: '#/albums', nav: true, view: albumsView },
  { name: 'info', hash: '#/info', nav: true, view: infoView },
  { name: 'absence', hash: '#/absence', nav: true, parents: true, view: absenceView },
  { name: 'reports', hash: '#/reports', nav: true, staff: true, view: staffView('./staff/reports.js', 'reportsView') },
  { name: 'write', hash: '#/write', view: staffView('./staff/write.js', 'writeView') },
  { name: 'item', prefix: '#/item/', view: itemView },
  { name: 'book', prefix: '#/book/', view: bookingView },
  { name: 'settings', hash: '#/settings', view: settingsView },
  { name: 'add', hash: '#/add', ownFocus: true, view: (state, visit) => loginView(state, visit, true) },
];

// Before a token is unlocked every address shows the login form; an unknown one, the timeline.
const LOGIN = { name: 'login', ownFocus: true, view: (state, visit) => loginView(state, visit, false) };
const FALLBACK = ROUTES[0];

export function resolve(hash, loggedIn) {
  if (!loggedIn) return { route: LOGIN, param: null };
  for (const route of ROUTES) {
    if (route.hash === hash) return { route, param: null };
    if (route.prefix && hash.startsWith(route.prefix)) {
      let param = hash.slice(route.prefix.length);
      try { param = decodeURIComponent(param); } catch (err) { /* keep raw */ }
      return { route, param };
    }
  }
  return { route: FALLBACK, param: null };
}
