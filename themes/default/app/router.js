// One row per view; a view is (state, visit, param) => Element. Row: name (main[data-route], menu
// state and "new" counts), hash (exact) or prefix (param = the decoded rest), nav (in the menu, in
// this order, as t('nav.' + name); `parents`/`staff`: only when a code of that kind is here), hint (install hint above it), ownFocus (else .view-title gets it),
// feature (absent, and its address the timeline, when site.yaml switched that feature off).
import { timelineView, itemView, infoView, settingsView, loginView } from './views.js';
import { calendarView } from './calendar.js';
import { albumsView } from './gallery.js';
import { absenceView } from './absence.js';
import { isForm } from './formcards.js';
import { h } from './dom.js';
import { addStrings, t } from './i18n.js';

// Views fetched the first time they are opened, checked by the worker against the signed shell
// list (FORMAT.md "App shell"), with the words of their folder (`words`: its i18n/, or null): the
// staff views (a parent's app never fetches them), the form page and the booking page (the
// timeline's "Te doen" and conference cards are in the shell). Until it is loaded the view is its
// empty section, busy; from then on it is drawn at once.
const loaded = new Map();
const lazyView = (file, name, words) => (state, visit, param) => {
  if (loaded.has(file)) return loaded.get(file)[name](state, visit, param);
  const waiting = h('p', { class: 'loading view-title', tabindex: '-1' }, t('item.loading'));
  const section = h('section', { class: 'view', 'aria-busy': 'true' }, waiting);
  Promise.all([import(file), words && addStrings(words)]).then(([module]) => {
    loaded.set(file, module);
    if (!visit.current()) return;
    const focused = document.activeElement === waiting;
    const view = module[name](state, visit, param);
    section.replaceWith(view);
    if (focused) { const hd = view.querySelector('.view-title'); if (hd) hd.focus({ preventScroll: true }); }
  }, () => { if (visit.current()) waiting.replaceWith(h('p', { class: 'error', role: 'alert' }, t('item.network'))); });
  return section;
};
const formView = lazyView('./forms/form.js', 'formView', 'forms/');

export const ROUTES = [
  { name: 'timeline', hash: '#/', nav: true, hint: true, view: timelineView },
  { name: 'calendar', hash: '#/calendar', nav: true, feature: 'calendar', view: calendarView },
  { name: 'albums', hash: '#/albums', nav: true, feature: 'photos', view: albumsView },
  { name: 'info', hash: '#/info', nav: true, view: infoView },
  { name: 'absence', hash: '#/absence', nav: true, parents: true, feature: 'absence', view: absenceView },
  { name: 'reports', hash: '#/reports', nav: true, staff: true, view: lazyView('./staff/reports.js', 'reportsView', 'staff/') },
  { name: 'write', hash: '#/write', feature: 'posting', view: lazyView('./staff/write.js', 'writeView', 'staff/') },
  // An item that is a form (a notification's link, an older one) shows the form page.
  { name: 'item', prefix: '#/item/', view: (state, visit, path) => (isForm(state.items.get(path)) ? formView : itemView)(state, visit, path) },
  { name: 'book', prefix: '#/book/', feature: 'booking', view: lazyView('./booking/booking.js', 'bookingView', null) },
  { name: 'form', prefix: '#/form/', feature: 'forms', view: formView },
  { name: 'settings', hash: '#/settings', view: settingsView },
  { name: 'add', hash: '#/add', ownFocus: true, view: (state, visit) => loginView(state, visit, true) },
];

// Before a token is unlocked every address shows the login form; an unknown one, the timeline.
const LOGIN = { name: 'login', ownFocus: true, view: (state, visit) => loginView(state, visit, false) };
const FALLBACK = ROUTES[0];

/** The route for `hash`; `off` is the device's set of features switched off (sealed.js featuresOff). */
export function resolve(hash, loggedIn, off = new Set()) {
  if (!loggedIn) return { route: LOGIN, param: null };
  for (const route of ROUTES) {
    if (route.feature && off.has(route.feature)) continue;
    if (route.hash === hash) return { route, param: null };
    if (route.prefix && hash.startsWith(route.prefix)) {
      let param = hash.slice(route.prefix.length);
      try { param = decodeURIComponent(param); } catch (err) { /* keep raw */ }
      return { route, param };
    }
  }
  return { route: FALLBACK, param: null };
}
