// The views built from decrypted pages: timeline, item, calendar, info pages, settings, login.
import { h, sanitizeFragment } from './dom.js';
import { albumGallery } from './gallery.js';
import { attachmentList, attachmentsOf } from './attachments.js';
import { confirmBox } from './confirm.js';
import { addToCalendarButton } from './calendar.js';
import { groupToken, normalizeToken, parseToken } from './crypto.js';
import * as N from './notify.js';
import { booked } from './forms.js';
import { featuresOff } from './sealed.js';
import { formsToDo, formCards, formHref, isForm } from './formcards.js';
import { LANGUAGE_NAMES, uiLanguages, currentLanguage, t, formatDay, formatMoment, formatMonth, formatMomentRange, formatDayRange, formatDate, sentence, dayKey, todayKey } from './i18n.js';

export const audienceLabel = (aud) => (aud.id === 'school' ? t('audience.school') : aud.title);
export const badge = (aud) => h('span', { class: 'badge' + (aud.id === 'school' ? ' badge-school' : '') }, audienceLabel(aud));
const itemHref = (path) => '#/item/' + path;

export const isEvent = (it) => it.event && typeof it.event.start === 'string';
const isPage = (it) => it.kind === 'page';
const isTimeline = (it) => typeof it.date === 'string' && it.date && !isEvent(it) && !isPage(it);

/** The "urgent" label of an item with `urgent: true`, and the "new" one of an item that appeared
 * since the last visit. */
export function newMark(state, item) {
  return [item.urgent === true ? h('span', { class: 'new-mark urgent-mark', 'data-testid': 'urgent' }, t('item.urgent')) : null,
    state.fresh && state.fresh.has(item.path) ? h('span', { class: 'new-mark', 'data-testid': 'new' }, t('new.label')) : null];
}

/** How many new items each view holds (for the counts in the menu). */
export function freshCounts(state) {
  const n = { timeline: 0, calendar: 0, albums: 0, info: 0 };
  for (const path of state.fresh || []) {
    const e = state.items.get(path);
    if (!e) continue;
    const it = e.item;
    if (isEvent(it)) n.calendar++;
    else if (isPage(it)) n.info++;
    else if (isTimeline(it) || it.kind === 'conference') n.timeline++;
    if (it.album && !isEvent(it)) n.albums++;
  }
  return n;
}

function heading(key) {
  return h('h1', { class: 'view-title', tabindex: '-1' }, t(key));
}

/** News and albums of every audience, newest first: those of the months every audience has loaded
 * (above `state.horizon`), then "Oudere berichten" while older pages remain. */
export function timelineView(state, visit) {
  // Open forms the family still has to answer are pinned above the news ("Te doen"), the others are news.
  const todo = formsToDo(state);
  const entries = [...state.items.values()].filter((e) => isTimeline(e.item) && e.page > state.horizon && !todo.includes(e))
    .sort((a, b) => (a.item.date < b.item.date ? 1 : a.item.date > b.item.date ? -1 : 0));
  const list = h('ol', { class: 'cards', 'data-testid': 'timeline' });
  for (const { item, aud } of entries) {
    const photos = item.album && Array.isArray(item.album.photos) ? item.album.photos.length : 0;
    const files = attachmentsOf(item, aud).length;
    const cover = item.album && item.album.cover ? h('img', { class: 'cover', alt: '' }) : null;
    if (cover) visit.loadMedia(aud, item.album.cover, cover, { thumb: true, quiet: true });
    list.append(h('li', null, h('article', { class: 'card' + (item.album ? ' card-album' : ''), 'data-path': item.path },
      cover,
      h('div', { class: 'card-body' },
        h('p', { class: 'meta' }, badge(aud), ' ', h('time', { datetime: item.date }, formatDay(item.date)), newMark(state, item)),
        h('h2', { dir: 'auto' }, h('a', { href: isForm({ item }) ? formHref(item.path) : itemHref(item.path) }, item.title)),
        item.summary ? h('p', { class: 'summary', dir: 'auto' }, item.summary) : null,
        item.album ? h('p', { class: 'album-count' }, photos === 1 ? t('album.photo') : t('album.photos', { n: photos })) : null,
        files ? h('p', { class: 'attachment-count', 'data-testid': 'attachment-count' }, t('attach.count', { n: files })) : null,
      ))));
  }
  const older = olderButton(visit);
  // The receiver knows which forms the family answered: asked at most every 30 s, rendered again
  // when that changed while the timeline is still shown.
  if (!featuresOff(state.records).has('forms') && [...state.items.values()].some(isForm)) visit.session.forms(false, () => !visit.current());
  return h('section', { class: 'view view-timeline' }, heading('timeline.heading'), formCards(state, todo), conferences(state),
    entries.length ? list : older ? null : h('p', { class: 'empty' }, t('timeline.empty')), older);
}

/** "Oudere berichten" while some audience has older pages; after they load (and the view renders
 * again) focus goes to the first card that was not there before. */
export function olderButton({ session }) {
  if (!session.hasMore()) return null;
  const button = h('button', { type: 'button', class: 'secondary older', 'data-testid': 'older', onclick: () => {
    button.disabled = true;
    const cards = () => [...document.querySelectorAll('main [data-path]')];
    const shown = new Set(cards().map((c) => c.dataset.path));
    session.older().then(() => {
      const card = cards().find((c) => !shown.has(c.dataset.path));
      const a = card ? (card.matches('a') ? card : card.querySelector('a')) : document.querySelector('[data-testid=older]');
      if (a) a.focus();
    });
  } }, t('timeline.older'));
  return button;
}

/** Conference schedules whose booking has not closed, pinned above the news. */
function conferences(state) {
  if (featuresOff(state.records).has('booking')) return null;
  const now = new Date().toISOString();
  const open = [...state.items.values()].filter(({ item }) => item.kind === 'conference' && item.conference
    && typeof item.conference.closes === 'string' && item.conference.closes > now)
    .sort((a, b) => (a.item.conference.opens < b.item.conference.opens ? -1 : 1));
  // Open ones first: those are what a parent came for; later ones say when they open.
  if (!open.length) return null;
  return h('ul', { class: 'cards pinned', 'aria-label': t('conference.heading') }, open.map(({ item, aud }) =>
    h('li', null, h('article', { class: 'card card-conference', 'data-path': item.path }, h('div', { class: 'card-body' },
      h('p', { class: 'meta' }, badge(aud), ' ', t('conference.heading'), newMark(state, item)),
      h('h2', { dir: 'auto' }, h('a', { href: itemHref(item.path) }, item.title)),
      item.conference.opens > now
        ? h('p', { class: 'summary' }, t('booking.not_open', { opens: formatMoment(item.conference.opens) }))
        : [booked(item.path).length
          ? h('p', { class: 'summary', 'data-testid': 'booked' }, t('booking.card_booked', { times: booked(item.path).map(formatMoment).join(', ') }))
          : h('p', { class: 'summary' }, t('conference.window', { range: formatMomentRange(item.conference.opens, item.conference.closes) })),
        h('p', null, h('a', { class: 'button' + (booked(item.path).length ? ' secondary' : ''), href: '#/book/' + item.path, 'data-testid': 'book-link' },
          t(booked(item.path).length ? 'booking.card_change' : 'booking.open'), h('span', { class: 'sr' }, ': ' + item.title)))])))));
}

// Ranges through Intl's formatRange: each language's own grammar and dash (Polish and Ukrainian
// decline a weekday after "from/until", which an assembled "od {date}" got wrong).
export function eventWhen(ev) {
  if (ev.all_day || /^\d{4}-\d{2}-\d{2}$/.test(ev.start)) return ev.end ? formatDayRange(ev.start, ev.end) : formatDay(ev.start);
  return ev.end && ev.end !== ev.start ? formatMomentRange(ev.start, ev.end) : formatMoment(ev.start);
}

export function eventEntry({ item, aud }, state, extra) {
  const ev = item.event;
  const allDay = ev.all_day || /^\d{4}-\d{2}-\d{2}$/.test(ev.start);
  return h('li', { class: 'event', 'data-path': item.path },
    h('p', { class: 'meta' }, badge(aud), allDay ? h('span', { class: 'allday' }, t('calendar.allday')) : null, newMark(state, item)),
    h('h3', { dir: 'auto' }, h('a', { href: itemHref(item.path) }, item.title)),
    h('p', { class: 'when' }, h('time', { datetime: ev.start }, eventWhen(ev))),
    ev.location ? h('p', { class: 'where', dir: 'auto' }, ev.location) : null,
    item.summary ? h('p', { class: 'summary', dir: 'auto' }, item.summary) : null,
    extra ? extra({ item, aud }) : null);
}

export function byMonth(entries, state, extra) {
  const groups = [];
  for (const e of entries) {
    const key = dayKey(e.item.event.start).slice(0, 7);
    let g = groups[groups.length - 1];
    if (!g || g.key !== key) groups.push(g = { key, label: sentence(formatMonth(key + '-01')), entries: [] });
    g.entries.push(e);
  }
  return groups.map((g) => h('section', { class: 'month' }, h('h2', null, g.label),
    h('ul', { class: 'events' }, g.entries.map((e) => eventEntry(e, state, extra)))));
}

/** Info pages, by weight then title. */
export function infoView(state) {
  const pages = [...state.items.values()].filter((e) => isPage(e.item)).sort((a, b) =>
    ((a.item.weight ?? 0) - (b.item.weight ?? 0)) || a.item.title.localeCompare(b.item.title));
  return h('section', { class: 'view view-info' }, heading('info.heading'),
    pages.length ? h('ul', { class: 'pages' }, pages.map(({ item, aud }) => h('li', null,
      h('a', { href: itemHref(item.path), dir: 'auto' }, item.title), ' ', badge(aud), newMark(state, item),
      item.summary ? h('p', { class: 'summary', dir: 'auto' }, item.summary) : null)))
      : h('p', { class: 'empty' }, t('info.empty')));
}

/** One item: header from the manifest, body from its sealed HTML fragment. */
export function itemView(state, visit, path) {
  const entry = state.items.get(path);
  if (!entry && visit.session.hasMore()) {
    // An old link: older pages are loaded until the item turns up (then this view renders again).
    visit.session.find(path);
    return h('section', { class: 'view view-item', 'aria-busy': 'true' }, h('p', { class: 'loading view-title', tabindex: '-1' }, t('item.loading')));
  }
  if (!entry) {
    return h('section', { class: 'view view-item' }, h('p', { class: 'error', role: 'alert' }, t('item.notfound')),
      h('p', null, h('a', { href: '#/' }, t('item.back'))));
  }
  const { item, aud } = entry;
  visit.session.seen(path);
  const title = h('h1', { class: 'view-title', tabindex: '-1', dir: 'auto' }, item.title);
  const meta = h('p', { class: 'meta' }, badge(aud), ' ',
    isEvent(item) ? h('time', { datetime: item.event.start }, eventWhen(item.event))
      : item.date ? h('time', { datetime: item.date }, formatDay(item.date)) : null,
    item.author ? h('span', { class: 'author' }, ' · ', t('item.by', { author: item.author })) : null,
    item.urgent === true ? [' ', h('span', { class: 'new-mark urgent-mark', 'data-testid': 'urgent' }, t('item.urgent'))] : null);
  const where = isEvent(item) ? [item.event.location ? h('p', { class: 'where', dir: 'auto' }, item.event.location) : null,
    h('p', { class: 'item-actions' }, addToCalendarButton(state, entry))] : null;
  const gallery = item.album && Array.isArray(item.album.photos) ? albumGallery(item, aud, visit) : null;
  const files = attachmentList(item, aud, visit);
  const confirm = confirmBox(state, item, aud, visit);
  const book = item.kind === 'conference' && item.conference
    ? h('p', { class: 'item-actions' }, h('a', { class: 'button primary', href: '#/book/' + path, 'data-testid': 'book-link' }, t('booking.open'))) : null;
  return h('article', { class: 'view view-item', 'data-path': path },
    backLink(), title, meta, where, book, itemBody(visit, aud, item, !!gallery), files, confirm, gallery);
}

export const backLink = () => h('p', { class: 'back' }, h('a', { href: '#/', 'data-back': '' }, h('span', { class: 'arrow', 'aria-hidden': 'true' }, '←'), ' ', t('item.back')));

/** The item's sealed HTML fragment, opened into a box that says when it is ready (`data-state`). */
export function itemBody(visit, aud, item, gallery) {
  const body = h('div', { class: 'fragment', dir: 'auto', 'aria-busy': 'true' }, h('p', { class: 'loading' }, t('item.loading')));
  visit.session.openItem(aud, item).then((html) => {
    if (!visit.current()) return;
    const frag = sanitizeFragment(html);
    // The theme's fragment may carry its own title; then drop ours to avoid saying it twice.
    // The theme's fragment may carry its own header (title, date, place, in one language); the app
    // shows those from the manifest, localized, so drop the fragment's copy.
    for (const hd of frag.querySelectorAll('.item__header')) hd.remove();
    // The app's gallery (lazy thumbnails, lightbox, downloads) replaces the fragment's photo list.
    if (gallery) for (const list of frag.querySelectorAll('.album')) list.remove();
    // So does the app's list of attachments (opened on demand, in the parent's language).
    for (const list of frag.querySelectorAll('.attachments')) list.remove();
    const own = frag.querySelector('h1');
    if (own && own.textContent.trim() === item.title.trim()) own.remove();
    for (const img of frag.querySelectorAll('img[data-media]')) {
      const thumb = img.getAttribute('data-variant') === 'thumb';
      visit.loadMedia(aud, img.getAttribute('data-media'), img, { thumb });
      if (thumb) {
        // A thumbnail opens its full-size photo on click or Enter.
        img.tabIndex = 0;
        img.setAttribute('role', 'button');
        const full = () => { if (img.classList.toggle('full')) visit.loadMedia(aud, img.getAttribute('data-media'), img, {}); };
        img.addEventListener('click', full);
        img.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); full(); } });
      }
    }
    body.replaceChildren(frag);
    body.removeAttribute('aria-busy');
    body.setAttribute('data-state', 'ready');
  }, (err) => {
    if (!visit.current()) return;
    body.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'item-error' },
      err && err.kind === 'network' ? t('item.network') : t('item.error')));
    body.removeAttribute('aria-busy');
    body.setAttribute('data-state', 'error');
  });
  return body;
}

/** Notifications on this device: all, urgent only, off; or why this browser cannot. */
function notifySection(state) {
  if (featuresOff(state.records).has('push')) return null;
  const can = N.support();
  const head = h('h2', null, t('settings.notify'));
  if (can !== 'yes') return [head, h('p', { 'data-testid': 'notify-unsupported' }, t(can === 'ios' ? 'settings.notify_ios' : 'settings.notify_no'))];
  if (!state.records.some((r) => r.push)) return null;
  const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'notify-status' });
  const buttons = ['all', 'urgent', 'off'].map((m) => h('button', {
    type: 'button', class: 'secondary', 'data-testid': 'notify-' + m, 'aria-pressed': String(m === N.mode()),
    onclick: async () => {
      status.textContent = '';
      try {
        if (await N.setMode(state.site, state.records, m) === 'denied') status.textContent = t('settings.notify_denied');
      } catch (e) { status.textContent = t('settings.notify_failed'); }
      buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(['all', 'urgent', 'off'][i] === N.mode())));
    },
  }, t('settings.notify_' + m)));
  return [head, h('p', null, t('settings.notify_text')), h('p', { class: 'modes' }, buttons), status];
}

/** Codes on this device, language, notifications, add another code, forget this device. */
export function settingsView(state, visit) {
  const { session } = visit;
  const sure = h('div', { class: 'confirm', hidden: true },
    h('p', null, t('settings.forget_sure')),
    h('button', { type: 'button', class: 'danger', 'data-testid': 'forget-confirm', onclick: session.forget }, t('settings.forget_confirm')));
  const codes = state.records.map((rec) => h('li', { class: 'code' },
    h('p', null, t('settings.code_for', { audiences: rec.audiences.map(audienceLabel).join(', ') })),
    rec.expires ? h('p', { class: 'muted' }, t('settings.expires', { date: formatDate(rec.expires) })) : null,
    h('button', { type: 'button', class: 'secondary', onclick: () => session.removeToken(rec.token_id) }, t('settings.remove'))));
  const langs = uiLanguages(state.site.languages);
  return h('section', { class: 'view view-settings' }, heading('settings.heading'),
    h('h2', null, t('settings.codes')), h('ul', { class: 'codes' }, codes),
    h('p', null, h('a', { class: 'button', href: '#/add' }, t('settings.add'))),
    langs.length > 1 ? [h('h2', null, t('settings.language')), h('p', { class: 'langs' }, langs.map((l) =>
      h('button', { type: 'button', class: 'secondary', lang: l, 'aria-pressed': String(l === currentLanguage()), onclick: () => session.setLanguage(l) },
        LANGUAGE_NAMES[l] || l)))] : null,
    notifySection(state),
    h('h2', null, t('settings.forget')), h('p', null, t('settings.forget_text')),
    h('button', { type: 'button', class: 'danger', 'data-testid': 'forget', onclick: () => { sure.hidden = false; sure.querySelector('button').focus(); } },
      t('settings.forget')), sure);
}

/** On an iPhone or iPad in Safari (not the home-screen app): install first, then enter the code
 * in the app, because the home-screen app shares no storage with Safari (the code would have to
 * be typed twice) and only it can be notified. */
function iosFirst() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const app = navigator.standalone === true || (window.matchMedia && window.matchMedia('(display-mode: standalone)').matches);
  if (!ios || app) return null;
  return h('div', { class: 'notice', role: 'note', 'data-testid': 'ios-first' }, h('p', null, t('login.ios_first')));
}

/** The login form (also "add another code"). session.submit(text) resolves to null or an error key. */
export function loginView(state, visit, adding) {
  const site = state.site;
  const msg = h('p', { id: 'token-msg', class: 'error', role: 'alert', 'aria-live': 'assertive', 'data-testid': 'login-error' });
  const input = h('input', { id: 'token', name: 'token', type: 'text', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', autocorrect: 'off', inputmode: 'text', 'aria-describedby': 'token-hint token-msg', maxlength: '60' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const show = (key) => { msg.textContent = key ? t('login.' + key) : ''; input.setAttribute('aria-invalid', String(!!key)); };
  // The whole code in its eight blocks of four, as on the letter: the field is too narrow on a
  // phone to show all 39 characters, and a typo is found by comparing block by block.
  const blocks = h('p', { class: 'token-blocks', 'data-testid': 'token-blocks', 'aria-label': t('login.blocks'), dir: 'ltr', hidden: true });
  const drawBlocks = () => {
    const parts = groupToken(input.value).split('-').filter(Boolean).slice(0, 8);
    blocks.hidden = !parts.length;
    blocks.replaceChildren(...Array.from({ length: 8 }, (_, i) =>
      h('span', { class: parts[i] ? null : 'empty' }, parts[i] || '····')));
  };
  input.addEventListener('input', async () => {
    let v = input.value;
    const m = v.match(/token=([0-9A-Za-z-]+)/);
    if (m) v = m[1];
    if (input.selectionStart === input.value.length) input.value = groupToken(v);
    drawBlocks();
    const n = normalizeToken(v);
    if (/[^0-9A-HJKMNP-TV-Z]/.test(n)) return show('malformed');
    if (n.length < 32) return show(null);
    if (n.length > 32) return show('malformed');
    const r = await parseToken(v);
    if (normalizeToken(input.value) === n) show(r.ok ? null : r.error);
  });
  const form = h('form', { class: 'login-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (button.disabled) return;
    button.disabled = true; button.textContent = t('login.busy'); form.setAttribute('aria-busy', 'true');
    const err = await visit.session.submit(input.value);
    if (err) { show(err); button.disabled = false; button.textContent = t('login.submit'); form.removeAttribute('aria-busy'); input.focus(); }
  } },
    h('label', { for: 'token' }, t('login.label')), input, blocks,
    h('p', { id: 'token-hint', class: 'hint' }, t('login.hint')), msg,
    h('div', { class: 'actions' }, button,
      adding ? h('a', { class: 'button secondary', href: '#/settings' }, t('login.cancel')) : null));
  const c = site.contact || {};
  const contact = h('aside', { class: 'contact', 'aria-labelledby': 'contact-h' },
    h('h2', { id: 'contact-h' }, t('contact.heading')), h('p', null, t('contact.text')),
    h('address', null,
      c.name ? h('strong', { dir: 'auto' }, c.name) : null,
      c.email ? [h('br'), h('a', { href: 'mailto:' + c.email, dir: 'ltr' }, c.email)] : null,
      c.phone ? [h('br'), h('a', { href: 'tel:' + c.phone.replace(/[^0-9+]/g, ''), dir: 'ltr' }, c.phone)] : null,
      c.hours ? [h('br'), t('contact.hours', { hours: '\u2068' + c.hours + '\u2069' })] : null));
  const view = h('section', { class: 'view view-login' },
    h('h1', { class: 'view-title', tabindex: '-1' }, adding ? t('login.add_heading') : t('login.heading')),
    h('p', null, adding ? t('login.add_intro') : t('login.intro')), iosFirst(), form, contact);
  queueMicrotask(() => input.focus());
  return view;
}
